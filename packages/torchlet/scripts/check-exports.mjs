#!/usr/bin/env node
// `pnpm check:exports`: the checks of @arethetypeswrong/cli (`attw`, strict profile) on the tarballs exactly as
// `pnpm publish` would upload them (pnpm pack applies publishConfig and rewrites "workspace:*"; `attw --pack`
// would run `npm pack`, which does neither). With tarball paths as arguments it checks those (the packaging
// test passes its own); without, it packs every library into a temporary folder first (needs dist/ built).
// Reads only the tarballs: no network. Prints one line per package and exits 1 when any has a problem.
// `pnpm exec attw <tarball>` shows the same analysis as a table.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The published libraries, bottom layer first. */
const LIBRARIES = ["storage", "ops", "autograd", "data", "vision", "torchlet"];

function pnpmCommand() {
  const local = join(root, ".tools", "node_modules", ".bin", "pnpm");
  const onPath = spawnSync("pnpm", ["--version"], { stdio: "ignore", shell: process.platform === "win32" });
  return onPath.status === 0 ? "pnpm" : local;
}

function packAll(destination) {
  const pnpm = pnpmCommand();
  for (const dir of LIBRARIES) {
    execFileSync(pnpm, ["pack", "--pack-destination", destination], {
      cwd: join(root, "packages", dir),
      stdio: "ignore",
      shell: process.platform === "win32",
    });
  }
  return readdirSync(destination)
    .filter((f) => f.endsWith(".tgz"))
    .map((f) => join(destination, f));
}

let tarballs = process.argv.slice(2);
let scratch = null;
if (tarballs.length === 0) {
  const missing = LIBRARIES.filter((dir) => !existsSync(join(root, "packages", dir, "dist", "index.d.cts")));
  if (missing.length > 0) {
    console.error(`check:exports: build first (pnpm build); no dist in ${missing.join(", ")}`);
    process.exit(1);
  }
  scratch = mkdtempSync(join(tmpdir(), "torchlet-attw-"));
  tarballs = packAll(scratch);
}

// One process for every tarball: @arethetypeswrong/core (what the attw CLI runs) loads its TypeScript once.
const core = await import("@arethetypeswrong/core");
const results = [];
for (const tarball of tarballs) {
  try {
    const pkg = core.createPackageFromTarballData(new Uint8Array(readFileSync(tarball)));
    const analysis = await core.checkPackage(pkg);
    const problems = analysis.types ? analysis.problems : [{ kind: "no types" }];
    results.push({ name: analysis.packageName, kinds: [...new Set(problems.map((p) => p.kind))] });
  } catch (error) {
    results.push({
      name: tarball,
      kinds: [`attw failed: ${error instanceof Error ? error.message : error}`],
    });
  }
}
for (const { name, kinds } of results) {
  console.log(`${name}: ${kinds.length === 0 ? "no problems" : kinds.join(", ")}`);
}
const failures = results.filter((r) => r.kinds.length > 0).length;
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(failures === 0 ? 0 : 1);

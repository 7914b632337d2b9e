#!/usr/bin/env node
// `pnpm check:exports`: runs @arethetypeswrong/cli on the tarballs exactly as `pnpm publish` would upload
// them (pnpm pack applies publishConfig and rewrites "workspace:*"; `attw --pack` would run `npm pack`,
// which does neither). With tarball paths as arguments it checks those (the packaging test passes its
// own); without, it packs every library into a temporary folder first. Needs built dist/ folders.
// Reads only the tarballs: no network. Exits 1 when any package has a problem.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The published libraries, bottom layer first. */
const LIBRARIES = ["storage", "ops", "autograd", "data", "torchlet"];

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

const attw = join(root, "node_modules", "@arethetypeswrong", "cli", "dist", "index.js");
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

// --no-definitely-typed: never look for @types packages on the registry.
const check = (tarball) =>
  new Promise((done) => {
    const args = [attw, tarball, "--format", "json", "--no-definitely-typed"];
    execFile(process.execPath, args, { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      try {
        const { analysis } = JSON.parse(stdout);
        const kinds = [...new Set((analysis.problems ?? []).map((p) => p.kind))];
        if (error && kinds.length === 0) kinds.push(`attw exited ${error.code}`);
        done({ name: analysis.packageName, kinds });
      } catch {
        done({ name: tarball, kinds: [`attw failed (${error?.code ?? "no output"}): ${stderr.trim()}`] });
      }
    });
  });

// Every check in parallel: each one is a single-threaded TypeScript program.
const results = await Promise.all(tarballs.map(check));
for (const { name, kinds } of results) {
  console.log(`${name}: ${kinds.length === 0 ? "no problems" : kinds.join(", ")}`);
}
const failures = results.filter((r) => r.kinds.length > 0).length;
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(failures === 0 ? 0 : 1);

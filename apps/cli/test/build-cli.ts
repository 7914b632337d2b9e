import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cliRoot = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = join(cliRoot, "..", "..");
const bundle = join(cliRoot, "dist", "main.js");

/** Newest modification time under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Builds dist/main.js with tsup when it is missing or older than any source it bundles (the CLI's and
 * every package's), so the tests never run yesterday's binary. CI builds first, so there it is a no-op.
 */
export default function setup(): void {
  const sources = [
    join(cliRoot, "src"),
    ...["storage", "ops", "autograd", "data", "io", "nn", "optim", "vision", "torchlet"].map((p) =>
      join(repoRoot, "packages", p, "src"),
    ),
  ];
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (built > Math.max(...sources.map(newest))) return;
  const tsup = join(cliRoot, "node_modules", ".bin", "tsup");
  const result = spawnSync(tsup, [], { cwd: cliRoot, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the CLI failed:\n${result.stdout}\n${result.stderr}`);
}

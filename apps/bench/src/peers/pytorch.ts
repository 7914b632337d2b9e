import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Timing } from "../measure.js";
import type { ExternalPeer, NotAvailable } from "../peer.js";
import type { Array32 } from "../workloads.js";

const PYTHON = "/usr/bin/python3";

/** bench.py sits in apps/bench/python, found from src/peers (tests) or dist (the bundle). */
function scriptPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "python", "bench.py");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * PyTorch (Debian's python3-torch) in one Python process per bench run, on one thread. The cases'
 * Float32Arrays go to it as raw files with a JSON manifest; bench.py times every case with the same
 * warm-up, budget and median rules as measure.ts and prints JSON.
 */
export const peer: ExternalPeer = {
  kind: "external",
  id: "pytorch",
  async measureAll(cases, dataOf, options) {
    const script = scriptPath();
    if (!existsSync(PYTHON)) return { na: `no ${PYTHON}` };
    if (!script) return { na: "python/bench.py not found" };
    const probe = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
    if (probe.status !== 0) return { na: "no torch for python3" };
    const dir = mkdtempSync(join(tmpdir(), "torchlet-bench-"));
    try {
      let fileIndex = 0;
      const save = (a: Array32) => {
        const file = `${fileIndex++}.f32`;
        writeFileSync(join(dir, file), new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
        return { file, shape: a.shape };
      };
      const manifest = {
        options,
        // One case's data at a time (W4 holds 80 MB per case), written out and dropped.
        cases: cases.map((c) => ({
          ...c,
          arrays: Object.fromEntries(
            Object.entries(dataOf(c)).map(([name, a]) => [name, save(a as Array32)]),
          ),
        })),
      };
      writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
      const run = spawnSync(PYTHON, [script, dir], {
        encoding: "utf8",
        maxBuffer: 16 << 20,
        env: { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      });
      if (run.status !== 0) return { na: `bench.py failed: ${(run.stderr || "").trim().split("\n").pop()}` };
      const parsed = JSON.parse(run.stdout) as {
        version: string;
        results: Record<string, Timing | NotAvailable>;
      };
      return new Map(Object.entries(parsed.results));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

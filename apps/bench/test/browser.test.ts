// `pnpm bench --browser --quick` end to end: bundles the worker, serves it cross-origin isolated,
// drives Debian's Chromium and checks every browser peer produced a table cell for W1-W7.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM } from "../src/browser/host.js";
import { runCli } from "../src/cli.js";

const root = fileURLToPath(new URL("..", import.meta.url));

beforeAll(() => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install -y chromium (these tests must not be skipped)`,
    );
  }
  // The same bundles `pnpm bench` builds (dist/main.js and dist/browser/worker.js), from the sources.
  const tsup = spawnSync(join(root, "node_modules", ".bin", "tsup"), ["--silent"], {
    cwd: root,
    encoding: "utf8",
  });
  if (tsup.status !== 0) throw new Error(`tsup failed: ${tsup.stderr}`);
}, 120_000);

describe("pnpm bench --browser --quick", () => {
  it("runs W1-W7 in a cross-origin isolated worker of headless Chromium on every browser peer", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["--browser", "--quick", "--json"], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    expect(code).toBe(0);
    const doc = JSON.parse(out.join("")) as {
      runtime: string;
      peers: string[];
      notes: string[];
      cases: { id: string; workload: string; results: Record<string, { value?: number; na?: string }> }[];
    };
    expect(doc.runtime).toMatch(/^Chromium \d+/);
    expect(doc.peers).toEqual(["torchlet", "tfjs-wasm", "jax-eager", "jax-jit"]);
    expect(new Set(doc.cases.map((c) => c.workload))).toEqual(
      new Set(["W1", "W2", "W3", "W4", "W5", "W6", "W7"]),
    );
    // Isolated, so torchlet's helper thread ran beside the worker, on the FMA kernels Chromium has.
    expect(doc.notes).toContainEqual(
      expect.stringMatching(/^browser worker: crossOriginIsolated true, hardwareConcurrency \d+$/),
    );
    expect(doc.notes.find((n) => n.startsWith("torchlet:"))).toMatch(
      /relaxed-SIMD FMA, [1-9]\d* helper thread/,
    );
    for (const c of doc.cases) {
      expect(c.results.torchlet?.value, `${c.id} on torchlet`).toBeGreaterThan(0);
      for (const peer of ["tfjs-wasm", "jax-eager", "jax-jit"]) {
        const r = c.results[peer];
        // A peer may be n/a only for the documented reasons (no tape, fused by jit; for W7, tfjs-wasm's
        // missing conv2d gradient kernels and jax-js not measured), never an error.
        const reasons = /^(no tape|fused by jit|no conv2d gradient kernels|not measured)$/;
        if (r?.na !== undefined) expect(r.na, `${c.id} on ${peer}`).toMatch(reasons);
        else expect(r?.value, `${c.id} on ${peer}`).toBeGreaterThan(0);
      }
    }
  }, 300_000);

  it("refuses peers that do not run in the browser", async () => {
    const err: string[] = [];
    const code = await runCli(["--browser", "--peers", "torchlet,pytorch-1t"], {
      out: () => {},
      err: (s) => err.push(s),
    });
    expect(code).toBe(2);
    expect(err.join("")).toMatch(
      /--browser runs only torchlet, tfjs-wasm, jax-eager, jax-jit \(not pytorch-1t\)/,
    );
  });
});

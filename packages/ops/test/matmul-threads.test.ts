import { describe, expect, it } from "vitest";
import { CONTROL_BYTES, JOIN, ThreadPool, takeChunks } from "../src/matmul-threads.js";
import { gemmModuleBytes } from "../src/wasm/gemm-kernels.js";

/** A one-helper pool on a one-page shared memory, its control block at `controlAt`, no worker started. */
function unstartedPool(controlAt: number): { memory: WebAssembly.Memory; pool: ThreadPool } {
  const memory = new WebAssembly.Memory({
    initial: 1,
    maximum: 1,
    shared: true,
  } as WebAssembly.MemoryDescriptor);
  const module = new WebAssembly.Module(gemmModuleBytes({ initialPages: 1, maximumPages: 1, shared: true }));
  return { memory, pool: new ThreadPool(memory, module, 1, controlAt) };
}

describe("the matmul thread pool", () => {
  it("gives up on a helper that never reports back (a crashed worker) instead of waiting forever", () => {
    // No worker is started: helper 0 stands for one that joined the job and died holding it.
    const { memory, pool } = unstartedPool(0);
    pool.patienceMs = 30;
    const units: number[] = [];
    const ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
    const t0 = performance.now();
    const ok = pool.run(0, new Array(11).fill(0), 4, 1, [0], (u0, u1) => {
      if (u0 === 0) Atomics.add(ctl, JOIN, 1); // the helper joins while the caller works
      for (let u = u0; u < u1; u++) units.push(u);
    });
    expect(ok).toBe(false);
    expect(units).toEqual([0, 1, 2, 3]); // the calling thread still did every unit it could take
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(pool.start()).toBe(false); // broken for good: no more jobs go to its workers
    expect(pool.ready()).toEqual([]);
  });
});

describe("the matmul thread pool, a helper that is slow to wake", () => {
  it("is not waited for: the caller takes every unit, closes the job and returns", () => {
    // helper 0 is asked but never wakes (no worker is started), as a descheduled thread under load
    const { memory, pool } = unstartedPool(128);
    pool.patienceMs = 5000;
    const ctl = new Int32Array(memory.buffer, 128, CONTROL_BYTES / 4);
    for (let job = 1; job <= 3; job++) {
      const units: number[] = [];
      const t0 = performance.now();
      const ok = pool.run(0, new Array(11).fill(0), 6, 2, [0], (u0, u1) => {
        for (let u = u0; u < u1; u++) units.push(u);
      });
      expect(ok).toBe(true);
      expect(units).toEqual([0, 1, 2, 3, 4, 5]);
      expect(performance.now() - t0).toBeLessThan(1000); // not the 5 s patience
      // the job is closed, tagged with its number, and nobody joined it
      expect(ctl[JOIN]).toBe((job << 8) | 0x80);
    }
  });
});

describe("guided chunks (takeChunks)", () => {
  it("cover every unit once, in chunks that shrink towards the end and never pass the cap", () => {
    for (const [units, cap, threads] of [
      [100, 32, 2],
      [32, 32, 2],
      [2048, 32, 8],
      [5, 100, 1],
      [1, 1, 2],
    ] as const) {
      const ctl = new Int32Array(new SharedArrayBuffer(64));
      ctl[3] = 0;
      const chunks: [number, number][] = [];
      takeChunks(ctl, 3, units, cap, threads, (u0, u1) => chunks.push([u0, u1]));
      let at = 0;
      let last = Number.POSITIVE_INFINITY;
      for (const [u0, u1] of chunks) {
        expect(u0).toBe(at);
        const size = u1 - u0;
        expect(size).toBeGreaterThan(0);
        expect(size).toBeLessThanOrEqual(Math.min(cap, last));
        last = size;
        at = u1;
      }
      expect(at).toBe(units);
      // the last chunks are single units: a slow thread holds the others up by one unit at most
      if (units >= 2 * threads) expect(chunks.at(-1)).toEqual([units - 1, units]);
      expect(chunks[0]?.[1]).toBe(Math.min(cap, Math.ceil(units / (2 * threads))));
    }
  });
});

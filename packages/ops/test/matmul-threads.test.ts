import { describe, expect, it } from "vitest";
import { ThreadPool } from "../src/matmul-threads.js";
import { gemmModuleBytes } from "../src/wasm/gemm-kernels.js";

describe("the matmul thread pool", () => {
  it("gives up on a helper that never reports back (a crashed worker) instead of waiting forever", () => {
    const memory = new WebAssembly.Memory({
      initial: 1,
      maximum: 1,
      shared: true,
    } as WebAssembly.MemoryDescriptor);
    const module = new WebAssembly.Module(
      gemmModuleBytes({ initialPages: 1, maximumPages: 1, shared: true }),
    );
    // No worker is started: helper 0 stands for one that died holding its job.
    const pool = new ThreadPool(memory, module, 1);
    pool.patienceMs = 30;
    const units: number[] = [];
    const t0 = performance.now();
    const ok = pool.run(0, new Array(11).fill(0), 4, 1, [0], (u0, u1) => {
      for (let u = u0; u < u1; u++) units.push(u);
    });
    expect(ok).toBe(false);
    expect(units).toEqual([0, 1, 2, 3]); // the calling thread still did every unit it could take
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(pool.start()).toBe(false); // broken for good: no more jobs go to its workers
    expect(pool.ready()).toEqual([]);
  });
});

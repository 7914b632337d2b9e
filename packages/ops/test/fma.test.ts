import { StridedArray } from "@torchlet/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  configureMatmul,
  fastBackend,
  type MatmulOptions,
  matmulInfo,
  referenceBackend,
} from "../src/index.js";
import { relaxedSimd } from "../src/wasm/relaxed-simd.js";

// This file runs twice: in @torchlet/ops (plain Node 20: no relaxed SIMD) and in "@torchlet/ops
// relaxed-simd" (vitest.relaxed-simd.config.ts: Node with --experimental-wasm-relaxed-simd), so
// both kernel sets run in CI; the other kernel tests run in both projects too.
const flagged = process.execArgv.includes("--experimental-wasm-relaxed-simd");
const nodeMajor = Number(process.versions.node.split(".")[0]);
const expected = flagged || nodeMajor >= 22;

/** Whether this CPU has fused multiply-add (x86's fma flag), where relaxed_madd fuses. */
function cpuHasFma(): boolean | undefined {
  const fs = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("node:fs") as
    | typeof import("node:fs")
    | undefined;
  try {
    return /\bfma\b/.test(fs?.readFileSync("/proc/cpuinfo", "utf8") ?? "") || undefined;
  } catch {
    return undefined;
  }
}

describe(`relaxed SIMD ${expected ? "available" : "unavailable"} (Node ${process.versions.node}${flagged ? " with the flag" : ""})`, () => {
  let previous: MatmulOptions;
  beforeAll(() => {
    previous = configureMatmul({ minWasm: 0, threads: 0, unitDims: false });
  });
  afterAll(() => {
    configureMatmul(previous);
  });

  it("is detected at run time and reported by matmulInfo", () => {
    expect(relaxedSimd()).toBe(expected);
    expect(matmulInfo()).toMatchObject({ simd: true, fma: expected });
  });

  // [1, 1+2^-12] x [-1, 1+2^-12]: the second product is 1 + 2^-11 + 2^-24, which float32 rounds to
  // 1 + 2^-11 (a tie, to even). Fused into the running sum -1 it stays exact: 2^-11 + 2^-24 (the
  // reference's float64 sum rounds to the same); multiplied, rounded and then added it is 2^-11.
  it(`float32 GEMM multiply-adds ${expected ? "fused (FMA)" : "as a multiply and an add"}`, () => {
    const e = 1 + 2 ** -12;
    const a = StridedArray.fromFlat(new Float32Array([1, e]), [1, 1, 2]);
    const b = StridedArray.fromFlat(new Float32Array([-1, e]), [1, 2, 1]);
    const got = fastBackend.bmm(a, b, "float32").data[0];
    const fused = 2 ** -11 + 2 ** -24;
    expect(referenceBackend.bmm(a, b, "float32").data[0]).toBe(fused);
    if (!expected) expect(got).toBe(2 ** -11);
    else if (cpuHasFma()) expect(got).toBe(fused);
    else expect([fused, 2 ** -11]).toContain(got); // relaxed_madd may stay unfused without FMA hardware
  });

  it("float32 GEMM stays within the stated bound of the reference on a deep product", () => {
    // k = 3000 crosses many cache slices; all-positive operands make every error add up one way.
    const [m, k, n] = [5, 3000, 9];
    const x = new Float32Array(m * k).map((_, i) => 0.5 + ((i * 7919) % 1000) / 1000);
    const y = new Float32Array(k * n).map((_, i) => 0.5 + ((i * 104729) % 1000) / 1000);
    const a = StridedArray.fromFlat(x, [1, m, k]);
    const b = StridedArray.fromFlat(y, [1, k, n]);
    const got = fastBackend.bmm(a, b, "float32").data;
    const want = referenceBackend.bmm(a, b, "float32").data;
    const u = 2 ** -24;
    for (let i = 0; i < m * n; i++) {
      const scale = want[i] as number; // positive operands: sum |a||b| is the product itself
      const err = Math.abs((got[i] as number) - (want[i] as number));
      expect(err).toBeLessThanOrEqual(((k * u) / (1 - k * u) + u) * scale);
    }
  });
});

import { DEFAULT_CAPABILITY, type KernelOptions } from "./capability.js";
import { fma64, fmaf32 } from "./fma.js";
import type { Generator } from "./generator.js";

const f = Math.fround;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;

/** `uniform_real_distribution<float>(0, 1)`: the low 24 bits of one 32-bit draw, times 2^-24. */
export function uniformFloat01(gen: Generator): number {
  return (gen.random() & 0xffffff) * TWO_POW_M24;
}

/** `uniform_real_distribution<double>(0, 1)`: the low 53 bits of `random64()`, times 2^-53. */
export function uniformDouble01(gen: Generator): number {
  return gen.random53() * TWO_POW_M53;
}

/**
 * Fills `out` like `tensor.uniform_(from, to)` / `torch.rand` on PyTorch's CPU: one draw per element in
 * order, `x * (to - from) + from` with x in [0, 1) built from 24 random bits (float32, one `random()`)
 * or 53 random bits (float64, one `random64()`), computed in the output's precision with `from` and
 * `to` first rounded to it; on `"avx2"` the multiply-add is fused (one rounding), as PyTorch's AVX2
 * build computes it.
 *
 * Preconditions: finite `from <= to` with `to - from` finite in the output's precision.
 */
export function uniformFill(
  gen: Generator,
  out: Float32Array | Float64Array,
  from = 0,
  to = 1,
  options?: KernelOptions,
): void {
  const fused = (options?.capability ?? DEFAULT_CAPABILITY) === "avx2";
  const n = out.length;
  if (out instanceof Float32Array) {
    const lo = f(from);
    const range = f(f(to) - lo);
    for (let i = 0; i < n; i++) {
      const x = uniformFloat01(gen);
      out[i] = fused ? fmaf32(x, range, lo) : f(f(x * range) + lo);
    }
  } else {
    const range = to - from;
    for (let i = 0; i < n; i++) {
      const x = uniformDouble01(gen);
      out[i] = fused ? fma64(x, range, from) : x * range + from;
    }
  }
}

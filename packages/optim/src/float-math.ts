import { fma64, fmaf32 } from "@torchlet/data";

/**
 * The float arithmetic of PyTorch's CPU kernels, per element, for the dtype being updated: `round`
 * rounds a double to the dtype (float32: Math.fround), `fma` is the fused multiply-add that ATen's
 * AVX2 kernels use for `add(x, y, alpha)` (`fma(alpha, y, x)`) and `addcmul` (`fma(value · t1, t2, x)`).
 * Optimizers write each update as these steps in PyTorch's order, so the float32 results are PyTorch's
 * bit for bit.
 */
export interface FloatMath {
  round(x: number): number;
  fma(a: number, b: number, c: number): number;
}

const FLOAT32: FloatMath = { round: Math.fround, fma: fmaf32 };
const FLOAT64: FloatMath = { round: (x) => x, fma: fma64 };

/** The arithmetic of a float dtype. */
export function floatMath(dtype: string): FloatMath {
  return dtype === "float64" ? FLOAT64 : FLOAT32;
}

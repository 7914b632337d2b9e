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

/**
 * `base ** n` for a whole n >= 0, correctly rounded (as glibc's `pow`, which Python's `beta ** step`
 * calls, nearly always is; V8's `Math.pow` can be one unit off): square-and-multiply in double-double
 * arithmetic, rounded once at the end. Adam's bias corrections need it for float64 parameters.
 */
export function powInt(base: number, n: number): number {
  let [rh, rl] = [1, 0];
  let [bh, bl] = [base, 0];
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) [rh, rl] = mul2(rh, rl, bh, bl);
    if (k > 1) [bh, bl] = mul2(bh, bl, bh, bl);
  }
  return rh + rl;
}

// (ah + al) · (bh + bl) as a normalised double-double; fma64(ah, bh, -p) is the product's exact error.
function mul2(ah: number, al: number, bh: number, bl: number): [number, number] {
  const p = ah * bh;
  const e = fma64(ah, bh, -p) + (ah * bl + al * bh);
  const s = p + e;
  return [s, e - (s - p)];
}

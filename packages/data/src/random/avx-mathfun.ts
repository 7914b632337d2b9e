import { fmaf32 } from "./fma.js";

/**
 * One lane of `log256_ps` and `sincos256_ps` from PyTorch's avx_mathfun.h (cephes-style float32
 * approximations by Pommier and Garberoglio), as `normal_fill_16_AVX2` runs them.
 *
 * Every step is rounded to float32 as the vector instruction would be. PyTorch builds its AVX2 kernels
 * with `-mfma` and GCC's default `-ffp-contract=fast`, so GCC fuses each multiply whose only use is an
 * add or subtract into one FMA; the `fmaf32` calls below sit exactly where that fusion happens.
 */

const f = Math.fround;
const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);

const ONE = 1;
const SQRTHF = f(Math.SQRT1_2);
const LOG_P0 = f(7.0376836292e-2);
const LOG_P1 = f(-1.151461031e-1);
const LOG_P2 = f(1.167699874e-1);
const LOG_P3 = f(-1.2420140846e-1);
const LOG_P4 = f(1.4249322787e-1);
const LOG_P5 = f(-1.6668057665e-1);
const LOG_P6 = f(2.0000714765e-1);
const LOG_P7 = f(-2.4999993993e-1);
const LOG_P8 = f(3.3333331174e-1);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = f(0.693359375);

/**
 * Natural log of a float32 in (0, +inf), lane-wise as `log256_ps`.
 * Precondition: x is a float32 value; x <= 0 gives NaN, as the vector code does.
 */
export function log256(x: number): number {
  if (!(x > 0)) return Number.NaN;
  asFloat[0] = Math.max(x, 1.1754943508222875e-38); // cut off denormals
  const raw = bits[0] ?? 0;
  // Exponent as a float, mantissa mapped into [0.5, 1).
  let e = f((raw >>> 23) - 0x7f) + ONE;
  bits[0] = (raw & ~0x7f800000) | 0x3f000000;
  let m = asFloat[0] ?? 0;
  if (m < SQRTHF) {
    e -= ONE;
    m = m - ONE + m; // exact: 2m - 1 is a float32 for m in [0.5, sqrt(1/2))
  } else {
    m -= ONE; // exact by Sterbenz
  }
  const z = f(m * m);
  let y = fmaf32(LOG_P0, m, LOG_P1);
  y = fmaf32(y, m, LOG_P2);
  y = fmaf32(y, m, LOG_P3);
  y = fmaf32(y, m, LOG_P4);
  y = fmaf32(y, m, LOG_P5);
  y = fmaf32(y, m, LOG_P6);
  y = fmaf32(y, m, LOG_P7);
  y = fmaf32(y, m, LOG_P8);
  y = f(y * m);
  y = fmaf32(y, z, f(e * LOG_Q1));
  y = f(y - z * 0.5); // z * 0.5 is exact, so fused or not rounds once
  return f(f(m + y) + e * LOG_Q2); // e * q2 is exact (q2 has 9 significant bits)
}

const FOPI = f(1.27323954473516); // 4 / pi
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853516e-4);
const MINUS_DP3 = f(-3.774894977445941e-8);
const SINCOF_P0 = f(-1.9515295891e-4);
const SINCOF_P1 = f(8.3321608736e-3);
const SINCOF_P2 = f(-1.6666654611e-1);
const COSCOF_P0 = f(2.443315711809948e-5);
const COSCOF_P1 = f(-1.388731625493765e-3);
const COSCOF_P2 = f(4.166664568298827e-2);

/**
 * Results of the last `sincos256` call: [sin, cos]. A typed array, so that handing two doubles back
 * from the hot loop allocates nothing.
 */
export const sincosOut = new Float64Array(2);

/**
 * Sine and cosine of a float32, lane-wise as `sincos256_ps`; written to `sincosOut` as [sin, cos].
 * Precondition: x is a float32 value with |x| well below 2^24 (the range reduction works in float32).
 */
export function sincos256(x: number): void {
  const negative = x < 0 || Object.is(x, -0);
  let ax = Math.abs(x);
  // Octant j = (trunc(x * 4/pi) + 1) & ~1.
  const j = ((Math.trunc(f(ax * FOPI)) + 1) & ~1) | 0;
  const yj = j; // small integer, exact in float32
  // Extended-precision reduction x - j*pi/4, each step one fused multiply-add.
  ax = fmaf32(yj, MINUS_DP1, ax);
  ax = fmaf32(yj, MINUS_DP2, ax);
  ax = fmaf32(yj, MINUS_DP3, ax);
  const sinNegative = negative !== ((j & 4) !== 0);
  const cosNegative = ((j - 2) & 4) === 0;
  const z = f(ax * ax);

  let cosPoly = fmaf32(COSCOF_P0, z, COSCOF_P1);
  cosPoly = fmaf32(cosPoly, z, COSCOF_P2);
  cosPoly = f(cosPoly * z);
  cosPoly = fmaf32(cosPoly, z, -f(z * 0.5));
  cosPoly = f(cosPoly + ONE);

  let sinPoly = fmaf32(SINCOF_P0, z, SINCOF_P1);
  sinPoly = fmaf32(sinPoly, z, SINCOF_P2);
  sinPoly = f(sinPoly * z);
  sinPoly = fmaf32(sinPoly, ax, ax);

  // Octants 0 and 1 (mod 4) take sin from the sine polynomial, the others swap.
  const swap = (j & 2) !== 0;
  const s = swap ? cosPoly : sinPoly;
  const c = swap ? sinPoly : cosPoly;
  sincosOut[0] = sinNegative ? -s : s;
  sincosOut[1] = cosNegative ? -c : c;
}

// The JS loops of the elementwise ops: each covers one row of a (coalesced) elementwise walk: n
// elements, output at d[o..o+n), input strides ia/ib in elements, values read as doubles and rounded by
// the output typed array on store. Most are generated from the op records (generated/elementwise-loops.ts);
// the ones here are hand-tuned where a benchmark shows they win, registered against the same records.
import type { TypedArray } from "@torchlet/storage";
import { GENERATED_BINARY_LOOPS, GENERATED_UNARY_LOOPS } from "./generated/elementwise-loops.js";
import { cPow } from "./records/expr.js";
import type { BinaryOp, UnaryOp } from "./records/registry.js";

export type BinaryLoop = (
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
) => void;

export type UnaryLoop = (d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number) => void;

const powLoop: BinaryLoop = (d, o, A, pa, ia, B, pb, ib, n) => {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      const r = x ** y;
      d[o + j] = Number.isNaN(r) ? cPow(x, y) : r; // C's pow differs only where ** gives NaN
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    // x ** 1 is x and x ** 2 is x * x, exactly as PyTorch computes them, and several times cheaper
    // than ** (pow(x, 2) is the chapter's loss, pow(x, 1) its backward)
    if (y === 1) for (let j = 0; j < n; j++) d[o + j] = A[pa + j] as number;
    else if (y === 2) {
      for (let j = 0; j < n; j++) {
        const a = A[pa + j] as number;
        d[o + j] = a * a;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const x = A[pa + j] as number;
        const r = x ** y;
        d[o + j] = Number.isNaN(r) ? cPow(x, y) : r; // C's pow differs only where ** gives NaN
      }
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      const r = x ** y;
      d[o + j] = Number.isNaN(r) ? cPow(x, y) : r; // C's pow differs only where ** gives NaN
    }
  }
};

/** The hand-tuned loops, which the generator skips (records/render-js.ts). */
export const HAND_TUNED_LOOPS = { pow: powLoop } satisfies Partial<Record<BinaryOp | UnaryOp, BinaryLoop>>;

/** The loop of each binary op (a record without one is a compile error here). */
export const BINARY_LOOPS: Record<BinaryOp, BinaryLoop> = { ...GENERATED_BINARY_LOOPS, ...HAND_TUNED_LOOPS };

/**
 * PyTorch's integer power (`powi`): a negative exponent gives 1 for base 1, ±1 for base -1 and 0
 * otherwise; other powers by repeated squaring with `mul`, so that every product is an integer
 * product (never a rounded double).
 */
function powi(x: number, y: number, mul: (a: number, b: number) => number): number {
  // integer dtypes' operands are integers; other values (a kernel called with float inputs) take C's pow
  if (!Number.isInteger(x) || !Number.isInteger(y)) return cPow(x, y);
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  for (let base = x, e = y; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = mul(result, base);
    if (e > 1) base = mul(base, base);
  }
  return result;
}

/** Exact double products: int64's values and results stay within ±(2^53 - 1) or int64.ts refuses them. */
const times = (a: number, b: number): number => a * b;

/**
 * pow into int32: wraps as C's int32 products do (3 ** 40 is 689956897 in PyTorch), with Math.imul.
 * pow into int64: exact, and a result beyond ±(2^53 - 1) (an overflowing product stays beyond it, or
 * is Infinity) is refused by int64's range check where PyTorch would wrap at 2^63.
 */
const powIntLoop =
  (mul: (a: number, b: number) => number): BinaryLoop =>
  (d, o, A, pa, ia, B, pb, ib, n) => {
    for (let j = 0; j < n; j++) d[o + j] = powi(A[pa + j * ia] as number, B[pb + j * ib] as number, mul);
  };

/** Loops an integer result takes instead of its record's, where the double formula would round. */
export const INT32_LOOPS: Partial<Record<BinaryOp, BinaryLoop>> = { pow: powIntLoop(Math.imul) };
export const INT64_LOOPS: Partial<Record<BinaryOp, BinaryLoop>> = { pow: powIntLoop(times) };

/** The loop of each unary op. */
export const UNARY_LOOPS: Record<UnaryOp, UnaryLoop> = GENERATED_UNARY_LOOPS;

// ---- bit-level loops for 32-bit data: the same results without data-dependent branches ----

/**
 * relu on float32 bits: keeps x when its sign bit is clear, it is a NaN or a zero, else gives +0 (so
 * negatives become 0, NaN and -0 pass through, as the formula does). `d` and `A` are Int32Array
 * views of float32 storage.
 */
export function reluFloat32Bits(
  d: Int32Array,
  o: number,
  A: Int32Array,
  pa: number,
  ia: number,
  n: number,
): void {
  for (let j = 0; j < n; j++) {
    const v = A[pa + j * ia] as number;
    const negative = v >> 31;
    const nan = (0x7f800000 - (v & 0x7fffffff)) >> 31;
    const zero = ((v & 0x7fffffff) - 1) >> 31;
    d[o + j] = v & ~(negative & ~nan & ~zero);
  }
}

/** relu on int32 values: max(x, 0) without a branch. */
export function reluInt32(d: Int32Array, o: number, A: Int32Array, pa: number, ia: number, n: number): void {
  for (let j = 0; j < n; j++) {
    const v = A[pa + j * ia] as number;
    d[o + j] = v & ~(v >> 31);
  }
}

/**
 * One row of `where` on 32-bit words (float32 or int32 x, y and output, as Int32Array views): a mask
 * from the condition selects the bits of x or y, so random conditions cost no mispredicted branches.
 */
export function whereBits(
  d: Int32Array,
  o: number,
  C: TypedArray,
  pc: number,
  ic: number,
  X: Int32Array,
  px: number,
  ix: number,
  Y: Int32Array,
  py: number,
  iy: number,
  n: number,
): void {
  if (ic === 1 && ix === 0 && iy === 1) {
    const x = X[px] as number;
    for (let j = 0; j < n; j++) {
      const m = -+(C[pc + j] !== 0);
      d[o + j] = (x & m) | ((Y[py + j] as number) & ~m);
    }
  } else if (ic === 1 && ix === 1 && iy === 0) {
    const y = Y[py] as number;
    for (let j = 0; j < n; j++) {
      const m = -+(C[pc + j] !== 0);
      d[o + j] = ((X[px + j] as number) & m) | (y & ~m);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const m = -+(C[pc + j * ic] !== 0);
      d[o + j] = ((X[px + j * ix] as number) & m) | ((Y[py + j * iy] as number) & ~m);
    }
  }
}

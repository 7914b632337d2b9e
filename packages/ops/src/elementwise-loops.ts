// Hand-specialised inner loops, one function per op, so that every loop has its own type feedback
// and the op inlines (a call through a table of closures per element is megamorphic and never does).
// Each loop covers one row of a (coalesced) elementwise walk: n elements, output at d[o..o+n), input
// strides ia/ib in elements. Unit and zero strides (contiguous, scalar, row broadcast) get their own
// loops; the formulas are exactly those of UNARY/BINARY in elementwise.ts, read as doubles and rounded
// by the output typed array on store. Written out by hand (no `new Function`, which strict CSP forbids).
// Comparisons store `+(x < y)`, not `x < y ? 1 : 0`: the number of a boolean compiles without the
// data-dependent branch, which random signs mispredict half the time (3-4x slower on randn data).
import type { TypedArray } from "@torchlet/storage";

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

function addLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) + (B[pb + j] as number);
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) + y;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x + (B[pb + j] as number);
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) + (B[pb + j * ib] as number);
  }
}

function subLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) - (B[pb + j] as number);
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) - y;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x - (B[pb + j] as number);
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) - (B[pb + j * ib] as number);
  }
}

function mulLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) * (B[pb + j] as number);
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) * y;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x * (B[pb + j] as number);
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) * (B[pb + j * ib] as number);
  }
}

function divLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) / (B[pb + j] as number);
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) / y;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x / (B[pb + j] as number);
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) / (B[pb + j * ib] as number);
  }
}

function powLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) ** (B[pb + j] as number);
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
    } else for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) ** y;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x ** (B[pb + j] as number);
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) ** (B[pb + j * ib] as number);
  }
}

function eqLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) === (B[pb + j] as number));
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) === y);
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = +(x === (B[pb + j] as number));
  } else {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j * ia] as number) === (B[pb + j * ib] as number));
  }
}

function neLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) !== (B[pb + j] as number));
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) !== y);
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = +(x !== (B[pb + j] as number));
  } else {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j * ia] as number) !== (B[pb + j * ib] as number));
  }
}

function gtLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) > (B[pb + j] as number));
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) > y);
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = +(x > (B[pb + j] as number));
  } else {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j * ia] as number) > (B[pb + j * ib] as number));
  }
}

function geLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) >= (B[pb + j] as number));
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) >= y);
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = +(x >= (B[pb + j] as number));
  } else {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j * ia] as number) >= (B[pb + j * ib] as number));
  }
}

function ltLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) < (B[pb + j] as number));
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) < y);
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = +(x < (B[pb + j] as number));
  } else {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j * ia] as number) < (B[pb + j * ib] as number));
  }
}

function leLoop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) <= (B[pb + j] as number));
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j] as number) <= y);
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = +(x <= (B[pb + j] as number));
  } else {
    for (let j = 0; j < n; j++) d[o + j] = +((A[pa + j * ia] as number) <= (B[pb + j * ib] as number));
  }
}

function negLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = -x;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = -x;
    }
  }
}

function signLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x > 0 ? 1 : x < 0 ? -1 : 0;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = x > 0 ? 1 : x < 0 ? -1 : 0;
    }
  }
}

function reluLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x > 0 ? x : x === 0 || x < 0 ? 0 : x;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = x > 0 ? x : x === 0 || x < 0 ? 0 : x;
    }
  }
}

/**
 * The loop of a unary op whose cost is its math function (exp, log, ...): one shared body calling `f`.
 * The hot cheap ops (neg, sign, relu) keep hand-written loops, where the call would dominate.
 */
function mathLoop(f: (x: number) => number): UnaryLoop {
  return (d, o, A, pa, ia, n) => {
    for (let j = 0; j < n; j++) d[o + j] = f(A[pa + j * ia] as number);
  };
}

/** The loop of each binary op. */
export const BINARY_LOOPS = {
  add: addLoop,
  sub: subLoop,
  mul: mulLoop,
  div: divLoop,
  pow: powLoop,
  eq: eqLoop,
  ne: neLoop,
  gt: gtLoop,
  ge: geLoop,
  lt: ltLoop,
  le: leLoop,
} satisfies Record<string, BinaryLoop>;

/** The loop of each unary op. */
export const UNARY_LOOPS = {
  neg: negLoop,
  exp: mathLoop(Math.exp),
  log: mathLoop(Math.log),
  sqrt: mathLoop(Math.sqrt),
  abs: mathLoop(Math.abs),
  sign: signLoop,
  relu: reluLoop,
  sigmoid: mathLoop((x) => 1 / (1 + Math.exp(-x))),
  tanh: mathLoop(Math.tanh),
} satisfies Record<string, UnaryLoop>;

// ---- bit-level loops for 32-bit data: the same results without data-dependent branches ----

/**
 * relu on float32 bits: keeps x when its sign bit is clear or it is a NaN, else gives +0 (so -0 and
 * negatives become 0, NaN passes through, as the branchy formula does). `d` and `A` are Int32Array
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
    d[o + j] = v & ~(negative & ~nan);
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

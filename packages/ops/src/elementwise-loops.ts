// Hand-specialised inner loops, one function per op, so that every loop has its own type feedback
// and the op inlines (a call through a table of closures per element is megamorphic and never does).
// Each loop covers one row of a (coalesced) elementwise walk: n elements, output at d[o..o+n), input
// strides ia/ib in elements. Unit and zero strides (contiguous, scalar, row broadcast) get their own
// loops; the formulas are exactly those of UNARY/BINARY in elementwise.ts, read as doubles and rounded
// by the output typed array on store. Written out by hand (no `new Function`, which strict CSP forbids).
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) ** y;
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) === (B[pb + j] as number) ? 1 : 0;
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) === y ? 1 : 0;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x === (B[pb + j] as number) ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) === (B[pb + j * ib] as number) ? 1 : 0;
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) !== (B[pb + j] as number) ? 1 : 0;
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) !== y ? 1 : 0;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x !== (B[pb + j] as number) ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) !== (B[pb + j * ib] as number) ? 1 : 0;
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) > (B[pb + j] as number) ? 1 : 0;
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) > y ? 1 : 0;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x > (B[pb + j] as number) ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) > (B[pb + j * ib] as number) ? 1 : 0;
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) >= (B[pb + j] as number) ? 1 : 0;
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) >= y ? 1 : 0;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x >= (B[pb + j] as number) ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) >= (B[pb + j * ib] as number) ? 1 : 0;
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) < (B[pb + j] as number) ? 1 : 0;
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) < y ? 1 : 0;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x < (B[pb + j] as number) ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) < (B[pb + j * ib] as number) ? 1 : 0;
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
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) <= (B[pb + j] as number) ? 1 : 0;
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j] as number) <= y ? 1 : 0;
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) d[o + j] = x <= (B[pb + j] as number) ? 1 : 0;
  } else {
    for (let j = 0; j < n; j++) d[o + j] = (A[pa + j * ia] as number) <= (B[pb + j * ib] as number) ? 1 : 0;
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

function expLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.exp(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.exp(x);
    }
  }
}

function logLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.log(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.log(x);
    }
  }
}

function sqrtLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.sqrt(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.sqrt(x);
    }
  }
}

function absLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.abs(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.abs(x);
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

function sigmoidLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = 1 / (1 + Math.exp(-x));
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = 1 / (1 + Math.exp(-x));
    }
  }
}

function tanhLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.tanh(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.tanh(x);
    }
  }
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
  exp: expLoop,
  log: logLoop,
  sqrt: sqrtLoop,
  abs: absLoop,
  sign: signLoop,
  relu: reluLoop,
  sigmoid: sigmoidLoop,
  tanh: tanhLoop,
} satisfies Record<string, UnaryLoop>;

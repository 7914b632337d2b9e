// Generated from the op records (ops/src/records/registry.ts) by records/render-js.ts; do not edit.
// `pnpm vitest run packages/ops -u` rewrites it after a record changes.
import type { TypedArray } from "@torchlet/storage";
import type { BinaryLoop, UnaryLoop } from "../elementwise-loops.js";
import { erf } from "../records/special-functions.js";

function addLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = x + y;
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x + y;
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = x + y;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = x + y;
    }
  }
}

function subLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = x - y;
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x - y;
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = x - y;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = x - y;
    }
  }
}

function mulLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = x * y;
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x * y;
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = x * y;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = x * y;
    }
  }
}

function divLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = x / y;
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x / y;
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = x / y;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = x / y;
    }
  }
}

function remainderLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = x - (Math.floor((x / y)) * y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x - (Math.floor((x / y)) * y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = x - (Math.floor((x / y)) * y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = x - (Math.floor((x / y)) * y);
    }
  }
}

function maximumLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = (x > y ? x : (x <= y ? y : (x + y)));
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = (x > y ? x : (x <= y ? y : (x + y)));
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = (x > y ? x : (x <= y ? y : (x + y)));
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = (x > y ? x : (x <= y ? y : (x + y)));
    }
  }
}

function minimumLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = (x < y ? x : (x >= y ? y : (x + y)));
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = (x < y ? x : (x >= y ? y : (x + y)));
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = (x < y ? x : (x >= y ? y : (x + y)));
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = (x < y ? x : (x >= y ? y : (x + y)));
    }
  }
}

function eqLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = +(x === y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = +(x === y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = +(x === y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = +(x === y);
    }
  }
}

function neLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = +(x !== y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = +(x !== y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = +(x !== y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = +(x !== y);
    }
  }
}

function gtLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = +(x > y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = +(x > y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = +(x > y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = +(x > y);
    }
  }
}

function geLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = +(x >= y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = +(x >= y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = +(x >= y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = +(x >= y);
    }
  }
}

function ltLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = +(x < y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = +(x < y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = +(x < y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = +(x < y);
    }
  }
}

function leLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, B: TypedArray, pb: number, ib: number, n: number): void {
  if (ia === 1 && ib === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      const y = B[pb + j] as number;
      d[o + j] = +(x <= y);
    }
  } else if (ia === 1 && ib === 0) {
    const y = B[pb] as number;
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = +(x <= y);
    }
  } else if (ia === 0 && ib === 1) {
    const x = A[pa] as number;
    for (let j = 0; j < n; j++) {
      const y = B[pb + j] as number;
      d[o + j] = +(x <= y);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      const y = B[pb + j * ib] as number;
      d[o + j] = +(x <= y);
    }
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
      d[o + j] = (x > 0 ? 1 : (x < 0 ? (-1) : 0));
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = (x > 0 ? 1 : (x < 0 ? (-1) : 0));
    }
  }
}

function reluLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = (x < 0 ? 0 : x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = (x < 0 ? 0 : x);
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

function sinLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.sin(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.sin(x);
    }
  }
}

function cosLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.cos(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.cos(x);
    }
  }
}

function log1pLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.log1p(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.log1p(x);
    }
  }
}

function expm1Loop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.expm1(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.expm1(x);
    }
  }
}

function erfLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = erf(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = erf(x);
    }
  }
}

function reciprocalLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = 1 / x;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = 1 / x;
    }
  }
}

function rsqrtLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = 1 / Math.sqrt(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = 1 / Math.sqrt(x);
    }
  }
}

function squareLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = x * x;
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = x * x;
    }
  }
}

function floorLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.floor(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.floor(x);
    }
  }
}

function ceilLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.ceil(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.ceil(x);
    }
  }
}

function truncLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = Math.trunc(x);
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = Math.trunc(x);
    }
  }
}

function roundLoop(d: TypedArray, o: number, A: TypedArray, pa: number, ia: number, n: number): void {
  if (ia === 1) {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j] as number;
      d[o + j] = (x < 0 ? -Math.abs(((x - Math.floor(x)) > 0.5 ? (Math.floor(x) + 1) : ((x - Math.floor(x)) < 0.5 ? Math.floor(x) : ((x - Math.floor(x)) === 0.5 ? (Math.floor(x) + (Math.floor(x) - (2 * Math.floor((Math.floor(x) / 2))))) : x)))) : ((x - Math.floor(x)) > 0.5 ? (Math.floor(x) + 1) : ((x - Math.floor(x)) < 0.5 ? Math.floor(x) : ((x - Math.floor(x)) === 0.5 ? (Math.floor(x) + (Math.floor(x) - (2 * Math.floor((Math.floor(x) / 2))))) : x))));
    }
  } else {
    for (let j = 0; j < n; j++) {
      const x = A[pa + j * ia] as number;
      d[o + j] = (x < 0 ? -Math.abs(((x - Math.floor(x)) > 0.5 ? (Math.floor(x) + 1) : ((x - Math.floor(x)) < 0.5 ? Math.floor(x) : ((x - Math.floor(x)) === 0.5 ? (Math.floor(x) + (Math.floor(x) - (2 * Math.floor((Math.floor(x) / 2))))) : x)))) : ((x - Math.floor(x)) > 0.5 ? (Math.floor(x) + 1) : ((x - Math.floor(x)) < 0.5 ? Math.floor(x) : ((x - Math.floor(x)) === 0.5 ? (Math.floor(x) + (Math.floor(x) - (2 * Math.floor((Math.floor(x) / 2))))) : x))));
    }
  }
}

export const GENERATED_BINARY_LOOPS = {
  add: addLoop,
  sub: subLoop,
  mul: mulLoop,
  div: divLoop,
  remainder: remainderLoop,
  maximum: maximumLoop,
  minimum: minimumLoop,
  eq: eqLoop,
  ne: neLoop,
  gt: gtLoop,
  ge: geLoop,
  lt: ltLoop,
  le: leLoop,
} satisfies Record<string, BinaryLoop>;

export const GENERATED_UNARY_LOOPS = {
  neg: negLoop,
  exp: expLoop,
  log: logLoop,
  sqrt: sqrtLoop,
  abs: absLoop,
  sign: signLoop,
  relu: reluLoop,
  sigmoid: sigmoidLoop,
  tanh: tanhLoop,
  sin: sinLoop,
  cos: cosLoop,
  log1p: log1pLoop,
  expm1: expm1Loop,
  erf: erfLoop,
  reciprocal: reciprocalLoop,
  rsqrt: rsqrtLoop,
  square: squareLoop,
  floor: floorLoop,
  ceil: ceilLoop,
  trunc: truncLoop,
  round: roundLoop,
} satisfies Record<string, UnaryLoop>;

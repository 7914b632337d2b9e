import type { TypedArray } from "@torchlet/storage";
import { type SimdExp, simdExp } from "./exp-wasm.js";
import { EXP_CHUNK } from "./wasm/exp-kernel.js";

/**
 * The float32 rows of the softmax family with their exps on the Wasm SIMD kernel (exp-wasm.ts):
 * the JS loops find each row's maximum, stream `x - max` through the kernel in chunks, sum the exps
 * per row in double precision and finish each row as the reference does. Rows whose maximum is not
 * finite (a NaN, +inf, or every element -inf) are left to the caller's exact loop, as they follow
 * PyTorch's special rules. The only difference from the reference is the exp: the kernel's value is
 * within 1 float32 ulp of the correctly rounded exp (against the reference's double exp rounded
 * once at the end), and `x - max` is rounded to float32 before it: an absolute error under 3e-7 in
 * a softmax value, logSoftmax or logsumexp (see exp-wasm.ts for the bound).
 */

/** Row `r`'s shift (its maximum), or NaN where the maximum is not finite: those rows go to the caller. */
function rowMaxima(src: TypedArray, offset: number, rows: number, n: number): Float64Array {
  const shifts = new Float64Array(rows);
  for (let r = 0, p = offset; r < rows; r++, p += n) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) max = Math.max(max, src[p + j] as number);
    shifts[r] = Number.isFinite(max) ? max : Number.NaN;
  }
  return shifts;
}

/**
 * Streams the `rows * n` elements through the kernel, one chunk at a time, in runs that stay within
 * a row: `fill(lanes, at, from, to, r)` writes the inputs of elements [from, to) of row-major index,
 * all in row `r`, into `lanes` from `at`; `take` reads their exps back from the same places.
 */
function streamExp(
  kernel: SimdExp,
  rows: number,
  n: number,
  fill: (lanes: Float32Array, at: number, from: number, to: number, r: number) => void,
  take: (lanes: Float32Array, at: number, from: number, to: number, r: number) => void,
): void {
  const total = rows * n;
  for (let start = 0; start < total; start += EXP_CHUNK) {
    const end = Math.min(start + EXP_CHUNK, total);
    for (let i = start, r = Math.floor(start / n); i < end; r++) {
      const to = Math.min((r + 1) * n, end);
      fill(kernel.lanes, i - start, i, to, r);
      i = to;
    }
    kernel.run(end - start);
    for (let i = start, r = Math.floor(start / n); i < end; r++) {
      const to = Math.min((r + 1) * n, end);
      take(kernel.lanes, i - start, i, to, r);
      i = to;
    }
  }
}

/**
 * Each row's shift and the sum of `exp(x - shift)` over it, for the `rows` rows of `n` float32
 * elements at `src[offset]`; with `exps`, each exp is also written there (at the element's index from
 * the first row). Null where WebAssembly SIMD is unavailable.
 */
function expSums(
  src: TypedArray,
  offset: number,
  rows: number,
  n: number,
  exps: TypedArray | null,
): { shifts: Float64Array; sums: Float64Array } | null {
  const kernel = simdExp();
  if (kernel === null) return null;
  const shifts = rowMaxima(src, offset, rows, n);
  const sums = new Float64Array(rows);
  streamExp(
    kernel,
    rows,
    n,
    (lanes, at, from, to, r) => {
      const shift = shifts[r] as number;
      for (let i = from, c = at; i < to; i++, c++) lanes[c] = (src[offset + i] as number) - shift;
    },
    (lanes, at, from, to, r) => {
      let sum = 0;
      for (let c = at, end = at + to - from; c < end; c++) sum += lanes[c] as number;
      sums[r] = (sums[r] as number) + sum;
      if (exps !== null) exps.set(lanes.subarray(at, at + to - from), from);
    },
  );
  return { shifts, sums };
}

/**
 * softmax or logSoftmax of `rows` float32 rows of `n` elements from `src[offset]` into `dst[0]`, or
 * null where WebAssembly SIMD is unavailable; else each row's shift, NaN for the rows it left to the
 * caller (those whose maximum is not finite).
 */
export function simdSoftmaxRows(
  log: boolean,
  src: TypedArray,
  offset: number,
  dst: TypedArray,
  rows: number,
  n: number,
): Float64Array | null {
  const found = expSums(src, offset, rows, n, log ? null : dst);
  if (found === null) return null;
  const { shifts, sums } = found;
  for (let r = 0, p = offset, q = 0; r < rows; r++, p += n, q += n) {
    const sum = sums[r] as number;
    if (log) {
      const logSum = Math.log(sum) + (shifts[r] as number);
      for (let j = 0; j < n; j++) dst[q + j] = (src[p + j] as number) - logSum;
    } else {
      for (let j = 0; j < n; j++) dst[q + j] = (dst[q + j] as number) / sum;
    }
  }
  return shifts;
}

/** logsumexp of `rows` float32 rows into `dst`, as `simdSoftmaxRows` (the same rows left over). */
export function simdLogsumexpRows(
  src: TypedArray,
  offset: number,
  dst: TypedArray,
  rows: number,
  n: number,
): Float64Array | null {
  const found = expSums(src, offset, rows, n, null);
  if (found === null) return null;
  const { shifts, sums } = found;
  for (let r = 0; r < rows; r++) dst[r] = Math.log(sums[r] as number) + (shifts[r] as number);
  return shifts;
}

/**
 * logSoftmax's backward `g - exp(y) * sum(g)` of `rows` float32 rows of `n` elements (`g` from
 * `gOffset`, `y` from `yOffset`) into `dst[0]`, or false where WebAssembly SIMD is unavailable.
 */
export function simdLogSoftmaxBackwardRows(
  g: TypedArray,
  gOffset: number,
  y: TypedArray,
  yOffset: number,
  dst: TypedArray,
  rows: number,
  n: number,
): boolean {
  const kernel = simdExp();
  if (kernel === null) return false;
  const sums = new Float64Array(rows);
  for (let r = 0, p = gOffset; r < rows; r++, p += n) {
    let acc = 0;
    for (let j = 0; j < n; j++) acc += g[p + j] as number;
    sums[r] = acc;
  }
  streamExp(
    kernel,
    rows,
    n,
    (lanes, at, from, to) => lanes.set(y.subarray(yOffset + from, yOffset + to), at),
    (lanes, at, from, to, r) => {
      const acc = sums[r] as number;
      for (let i = from, c = at; i < to; i++, c++) {
        dst[i] = (g[gOffset + i] as number) - (lanes[c] as number) * acc;
      }
    },
  );
  return true;
}

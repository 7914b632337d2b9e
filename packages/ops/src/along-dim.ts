import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { settleInt64 } from "./int64.js";
import { lineOffsets, lineStep } from "./lines.js";

/**
 * The ops that map each line along a dim to a line of the same length.
 *
 * @example
 * const op: LineOp = "softmax";
 * const a = StridedArray.fromFlat(new Float32Array([0, 0]), [2]);
 * referenceBackend.alongDim(op, a, 0).toNested(); // [0.5, 0.5]
 */
export type LineOp = "softmax" | "logSoftmax" | "cumsum";

/**
 * The kernel of one line: `n` elements from `src[p]`, `sp` apart, mapped to `n` consecutive elements
 * from `dst[q]`.
 */
export type LineKernel = (
  src: TypedArray,
  p: number,
  sp: number,
  dst: TypedArray,
  q: number,
  n: number,
) => void;

/** A double-precision line reused across calls: softmax's exps before they are divided. */
let exps = new Float64Array(64);

/**
 * softmax and logSoftmax subtract the line's maximum first, so logits of 1e4 do not overflow; an
 * infinite maximum is not subtracted (PyTorch's rule for lines of -inf), and NaN spreads to the line.
 */
function softmaxLine(log: boolean): LineKernel {
  return (src, p, sp, dst, q, n) => {
    if (exps.length < n) exps = new Float64Array(n);
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) max = Math.max(max, src[p + j * sp] as number);
    const shift = Number.isFinite(max) ? max : 0;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp((src[p + j * sp] as number) - shift);
      exps[j] = e;
      sum += e;
    }
    if (log) {
      const logSum = Math.log(sum) + shift;
      for (let j = 0; j < n; j++) dst[q + j] = (src[p + j * sp] as number) - logSum;
    } else {
      for (let j = 0; j < n; j++) dst[q + j] = (exps[j] as number) / sum;
    }
  };
}

// Running sums in double precision, as PyTorch accumulates float32 on the CPU.
const cumsumLine: LineKernel = (src, p, sp, dst, q, n) => {
  let acc = 0;
  for (let j = 0; j < n; j++) {
    acc += src[p + j * sp] as number;
    dst[q + j] = acc;
  }
};

/** The line kernels by op (the fast paths of last-dim.ts run them on whole rows of their own). */
export const LINES: Record<LineOp, LineKernel> = {
  softmax: softmaxLine(false),
  logSoftmax: softmaxLine(true),
  cumsum: cumsumLine,
};

/**
 * Applies a line op to every line of `a` along `dim` (already normalised), into a new contiguous
 * array of `a`'s shape and `outDtype`.
 */
export function alongDim(op: LineOp, a: StridedArray, dim: number, outDtype: DType = a.dtype): StridedArray {
  const out = StridedArray.zeros(a.shape, outDtype);
  if (a.numel === 0) return out;
  const { length, stride } = lineStep(a, dim);
  const from = lineOffsets(a, dim);
  const to = lineOffsets(out, dim);
  const outStride = lineStep(out, dim).stride;
  const kernel = LINES[op];
  // The kernels write consecutive elements; lines of a contiguous output along an inner dim are not,
  // so those go through a scratch line.
  const scratch = outStride === 1 ? null : new Float64Array(length);
  for (let i = 0; i < from.length; i++) {
    const q = to[i] as number;
    if (scratch === null) kernel(a.data, from[i] as number, stride, out.data, q, length);
    else {
      kernel(a.data, from[i] as number, stride, scratch, 0, length);
      for (let j = 0; j < length; j++) out.data[q + j * outStride] = scratch[j] as number;
    }
  }
  // an int64 cumsum's outputs are its partial sums: each must be exact
  return settleInt64(op, out);
}

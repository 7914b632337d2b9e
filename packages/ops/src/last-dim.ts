import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { alongDim, LINES, type LineOp } from "./along-dim.js";
import { type ArgReduceOp, argReduce } from "./arg-reduce.js";
import { gather, indexSelect, scatter } from "./indexing.js";
import { reducedShape } from "./reduce.js";
import { type DimReduceOp, logsumexpRun, type ReduceOptions, reduceDims } from "./reduce-dims.js";
import { type SoftmaxGradOp, softmaxBackward } from "./softmax-backward.js";
import { simdLogSoftmaxBackwardRows, simdLogsumexpRows, simdSoftmaxRows } from "./softmax-simd.js";

/**
 * Fast paths of the line ops over the last dim of contiguous arrays, the layout of a classifier's
 * logits `[batch, classes]`: softmax, logSoftmax and their backward, logsumexp, argmax/argmin, and
 * gather/scatterAdd along the last dim (a cross-entropy's pick of each row's target and its
 * gradient), plus indexSelect of contiguous blocks (rows of an embedding table). The reference
 * kernels walk any strides through offset tables and closures; these index rows directly. Each
 * performs the reference's double-precision operations in the same order (running the reference's
 * line kernels on whole rows where it can), so results are bit-identical, except the float32 exps,
 * which run on the Wasm SIMD kernel (softmax-simd.ts) within its stated bound; anything else (other
 * dims, strided or integer inputs, out-of-range indices, whose error the reference raises) goes to
 * the reference kernel.
 */

/** Calls so far that took each row loop (tests check a path ran, and that the others fell back). */
const counts = {
  softmax: 0,
  softmaxBackward: 0,
  logsumexp: 0,
  argReduce: 0,
  gather: 0,
  scatterAdd: 0,
  indexSelect: 0,
};

/** A copy of the counts of calls that took each fast path. */
export function lastDimPaths(): { [P in keyof typeof counts]: number } {
  return { ...counts };
}

/** The rows of `a` along its last dim when it is a contiguous float32/float64 array, else null. */
function rowsOf(a: StridedArray, dim: number): { rows: number; n: number } | null {
  if (a.ndim === 0 || dim !== a.ndim - 1 || !a.isContiguous()) return null;
  if (a.dtype !== "float32" && a.dtype !== "float64") return null;
  const n = a.shape[dim] as number;
  return { rows: n === 0 ? 0 : a.numel / n, n };
}

/** The same leading dims: one row of `b` per row of `a`. */
function sameRows(a: StridedArray, b: StridedArray): boolean {
  if (a.ndim !== b.ndim) return false;
  for (let d = 0; d < a.ndim - 1; d++) if (a.shape[d] !== b.shape[d]) return false;
  return true;
}

/**
 * `alongDim`, with softmax and logSoftmax over the last dim of contiguous floats on row loops, the
 * exps of float32 rows on the Wasm SIMD kernel (softmax-simd.ts) where it runs.
 */
export function fastAlongDim(
  op: LineOp,
  a: StridedArray,
  dim: number,
  outDtype: DType = a.dtype,
): StridedArray {
  const shape = op === "cumsum" || outDtype !== a.dtype ? null : rowsOf(a, dim);
  if (shape === null) return alongDim(op, a, dim, outDtype);
  counts.softmax++;
  const out = StridedArray.zeros(a.shape, outDtype);
  const { rows, n } = shape;
  const left =
    a.dtype === "float32" ? simdSoftmaxRows(op === "logSoftmax", a.data, a.offset, out.data, rows, n) : null;
  const line = LINES[op];
  for (let r = 0, p = a.offset, q = 0; r < rows; r++, p += n, q += n) {
    if (left === null || Number.isNaN(left[r])) line(a.data, p, 1, out.data, q, n);
  }
  return out;
}

/**
 * `softmaxBackward` with both operands contiguous floats of one shape, over the last dim (logSoftmax's
 * float32 exps on Wasm SIMD).
 */
export function fastSoftmaxBackward(
  op: SoftmaxGradOp,
  grad: StridedArray,
  result: StridedArray,
  dim: number,
): StridedArray {
  const shape = grad.dtype === result.dtype && sameRows(grad, result) ? rowsOf(result, dim) : null;
  if (shape === null || grad.shape[dim] !== shape.n || !grad.isContiguous()) {
    return softmaxBackward(op, grad, result, dim);
  }
  counts.softmaxBackward++;
  const { rows, n } = shape;
  const out = StridedArray.zeros(result.shape, result.dtype);
  const g = grad.data;
  const y = result.data;
  const dst = out.data;
  const simd =
    op === "logSoftmax" &&
    result.dtype === "float32" &&
    simdLogSoftmaxBackwardRows(g, grad.offset, y, result.offset, dst, rows, n);
  if (simd) return out;
  for (let r = 0, p = grad.offset, s = result.offset, q = 0; r < rows; r++, p += n, s += n, q += n) {
    let acc = 0;
    if (op === "softmax") {
      for (let j = 0; j < n; j++) acc += (g[p + j] as number) * (y[s + j] as number);
      for (let j = 0; j < n; j++) dst[q + j] = (y[s + j] as number) * ((g[p + j] as number) - acc);
    } else {
      for (let j = 0; j < n; j++) acc += g[p + j] as number;
      for (let j = 0; j < n; j++) dst[q + j] = (g[p + j] as number) - Math.exp(y[s + j] as number) * acc;
    }
  }
  return out;
}

/**
 * `reduceDims`, with logsumexp over the last dim of contiguous float32 arrays on the Wasm SIMD exps
 * (a JS row loop with Math.exp is no faster than the reference's fold, so float64 stays there).
 */
export function fastReduceDims(
  op: DimReduceOp,
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
  outDtype: DType = a.dtype,
  options: ReduceOptions = {},
): StridedArray {
  const eligible = op === "logsumexp" && a.dtype === "float32" && outDtype === a.dtype && dims.length === 1;
  const shape = eligible ? rowsOf(a, dims[0] as number) : null;
  if (shape === null || shape.n === 0) return reduceDims(op, a, dims, keepdim, outDtype, options);
  const { rows, n } = shape;
  const out = StridedArray.zeros(reducedShape(a.shape, dims, keepdim), outDtype);
  const left = simdLogsumexpRows(a.data, a.offset, out.data, rows, n);
  if (left === null) return reduceDims(op, a, dims, keepdim, outDtype, options);
  counts.logsumexp++;
  for (let r = 0, p = a.offset; r < rows; r++, p += n) {
    if (Number.isNaN(left[r])) out.data[r] = logsumexpRun(a.data, p, n);
  }
  return out;
}

/** `argReduce`, with argmax/argmin over the last dim of contiguous floats on a row loop. */
export function fastArgReduce(
  op: ArgReduceOp,
  a: StridedArray,
  dim: number | null,
  keepdim: boolean,
): StridedArray {
  const d = dim !== null && dim < 0 ? dim + a.ndim : dim;
  const shape = d === null ? null : rowsOf(a, d);
  if (shape === null || shape.n === 0 || shape.rows === 0) return argReduce(op, a, dim, keepdim);
  counts.argReduce++;
  const { rows, n } = shape;
  const out = StridedArray.zeros(reducedShape(a.shape, [d as number], keepdim), "int64");
  const src = a.data;
  const larger = op === "argmax";
  for (let r = 0, p = a.offset; r < rows; r++, p += n) {
    let best = src[p] as number;
    let at = 0;
    // as the reference: the first NaN wins, strict comparisons keep the first of equal elements
    if (!Number.isNaN(best)) {
      for (let j = 1; j < n; j++) {
        const v = src[p + j] as number;
        if (Number.isNaN(v)) {
          at = j;
          break;
        }
        if (larger ? v > best : v < best) {
          best = v;
          at = j;
        }
      }
    }
    out.data[r] = at;
  }
  return out;
}

/**
 * The index values of a contiguous index array with one row per row of `a`, or null when it is
 * not one (its elements are then read by the reference kernel).
 */
function indexRows(a: StridedArray, index: StridedArray): TypedArray | null {
  if (!index.isContiguous() || !sameRows(a, index)) return null;
  return index.data.subarray(index.offset, index.offset + index.numel) as TypedArray;
}

/** `gather`, with the last dim of contiguous floats and a contiguous index on a row loop. */
export function fastGather(a: StridedArray, dim: number, index: StridedArray): StridedArray {
  const shape = rowsOf(a, dim);
  const idx = shape === null ? null : indexRows(a, index);
  if (shape === null || idx === null) return gather(a, dim, index);
  counts.gather++;
  const { n } = shape;
  const k = index.shape[dim] as number;
  const out = StridedArray.zeros(index.shape, a.dtype);
  const src = a.data;
  const dst = out.data;
  for (let i = 0, p = a.offset; i < idx.length; p += n) {
    for (let j = 0; j < k; j++, i++) {
      const v = idx[i] as number;
      // the reference raises the error naming the index and the size
      if (!(v >= 0 && v < n)) return gather(a, dim, index);
      dst[i] = src[p + v] as number;
    }
  }
  return out;
}

/** `scatter`, with scatterAdd (gather's gradient) over the last dim of contiguous floats on a row loop. */
export function fastScatter(
  a: StridedArray,
  dim: number,
  index: StridedArray,
  src: StridedArray | number,
  add = false,
): StridedArray {
  const shape = add && typeof src !== "number" ? rowsOf(a, dim) : null;
  const idx = shape === null ? null : indexRows(a, index);
  const from = src as StridedArray;
  if (
    shape === null ||
    idx === null ||
    from.dtype !== a.dtype ||
    !from.isContiguous() ||
    from.ndim !== index.ndim ||
    from.shape.some((s, d) => s !== index.shape[d])
  ) {
    return scatter(a, dim, index, src, add);
  }
  const { n } = shape;
  const k = index.shape[dim] as number;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i] as number;
    if (!(v >= 0 && v < n)) return scatter(a, dim, index, src, add);
  }
  const out = a.copy();
  const dst = out.data;
  counts.scatterAdd++;
  const values = from.data;
  for (let i = 0, q = 0, f = from.offset; i < idx.length; q += n) {
    for (let j = 0; j < k; j++, i++, f++) {
      const at = q + (idx[i] as number);
      dst[at] = (dst[at] as number) + (values[f] as number);
    }
  }
  return out;
}

/** `indexSelect`, with contiguous inputs on block copies (rows of a matrix when `dim` is 0). */
export function fastIndexSelect(a: StridedArray, dim: number, index: StridedArray): StridedArray {
  if (a.ndim === 0 || index.ndim > 1 || !a.isContiguous() || !index.isContiguous()) {
    return indexSelect(a, dim, index);
  }
  const size = a.shape[dim] as number;
  const count = index.numel;
  const idx = index.data;
  for (let k = 0; k < count; k++) {
    const v = idx[index.offset + k] as number;
    if (!(v >= 0 && v < size)) return indexSelect(a, dim, index);
  }
  const out = StridedArray.zeros(
    a.shape.map((s, d) => (d === dim ? count : s)),
    a.dtype,
  );
  if (out.numel === 0) return out;
  counts.indexSelect++;
  const inner = a.shape.slice(dim + 1).reduce((n, s) => n * s, 1);
  const outer = a.shape.slice(0, dim).reduce((n, s) => n * s, 1);
  const src = a.data;
  const dst = out.data;
  let q = 0;
  for (let o = 0; o < outer; o++) {
    const base = a.offset + o * size * inner;
    for (let k = 0; k < count; k++) {
      const v = idx[index.offset + k] as number;
      const p = base + v * inner;
      for (let j = 0; j < inner; j++) dst[q++] = src[p + j] as number;
    }
  }
  return out;
}

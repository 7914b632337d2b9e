import {
  broadcastShapes,
  type DType,
  fmtShape,
  INT64_EXACT_MAX,
  StridedArray,
  TorchletError,
} from "@torchlet/storage";
import { int64RangeError } from "@torchlet/storage/internal";

// Reference kernels of the ops that read or write elements at positions held by an index tensor or a
// bool mask. Callers check dtypes; these check shapes and index values, before writing anything.

/** The storage offset of each element of `shape` (row-major) in `a`, with `dim` held at 0. */
function offsetsAlong(a: StridedArray, shape: readonly number[], dim: number): Float64Array {
  const strides = a.strides.map((s, d) => (d === dim ? 0 : s));
  const view = new StridedArray(a.data, a.dtype, shape, strides, a.offset);
  const out = new Float64Array(view.numel);
  view.forEachIndex((p, i) => {
    out[i] = p;
  });
  return out;
}

/** The index values in row-major order, each checked to lie in [0, size) (negatives too where allowed). */
function indexValues(
  op: string,
  index: StridedArray,
  size: number,
  dim: number,
  negative = false,
): Float64Array {
  const values = Float64Array.from(index.flat() as ArrayLike<number>);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v >= size || v < (negative ? -size : 0)) {
      throw new TorchletError(`${op}: index ${v} is out of bounds for dimension ${dim} with size ${size}`);
    }
    if (v < 0) values[i] = v + size;
  }
  return values;
}

function sameRank(op: string, index: StridedArray, a: StridedArray, what: string): void {
  if (index.ndim !== a.ndim && !(index.ndim <= 1 && a.ndim <= 1)) {
    throw new TorchletError(
      `${op}: Index tensor must have the same number of dimensions as ${what} tensor (index ${fmtShape(index.shape)}, ${what} ${fmtShape(a.shape)})`,
    );
  }
}

/** PyTorch's rule: index sizes no larger than `a`'s, along every dim but `skip` (-1: every dim). */
function fits(op: string, index: StridedArray, a: StridedArray, skip: number, what: string): void {
  for (let d = 0; d < index.ndim; d++) {
    if (d !== skip && (index.shape[d] as number) > ((a.shape[d] ?? 1) as number)) {
      throw new TorchletError(
        `${op}: Size does not match at dimension ${d} expected index ${fmtShape(index.shape)} to be smaller than ${what} ${fmtShape(a.shape)}${skip >= 0 ? ` apart from dimension ${skip}` : ""}`,
      );
    }
  }
}

// The checks of the operands that do not depend on the index values: a device that computes later
// (webgpu) raises these at once and the value-dependent ones (an index out of range) at its next read.

/** gather's rank and size rules (PyTorch's messages). */
export function checkGather(a: StridedArray, dim: number, index: StridedArray): void {
  sameRank("gather", index, a, "input");
  fits("gather", index, a, dim, "self");
}

/** scatter's and scatterAdd's rank and size rules (PyTorch's messages). */
export function checkScatter(
  op: string,
  a: StridedArray,
  dim: number,
  index: StridedArray,
  src: StridedArray | number,
): void {
  sameRank(op, index, a, "self");
  fits(op, index, a, dim, "self");
  if (typeof src !== "number") {
    sameRank(op, index, src, "src");
    fits(op, index, src, -1, "src");
  }
}

/** indexSelect's rule: the index is a vector (or a 0-d tensor). */
export function checkIndexSelect(index: StridedArray): void {
  if (index.ndim > 1) {
    throw new TorchletError(
      `indexSelect: Index is supposed to be a vector, got shape ${fmtShape(index.shape)}`,
    );
  }
}

/**
 * PyTorch's `gather`: `out[i][j] = a[index[i][j]][j]` for dim 0 (and likewise for any dim); the
 * result has `index`'s shape.
 */
export function gather(a: StridedArray, dim: number, index: StridedArray): StridedArray {
  checkGather(a, dim, index);
  const size = a.ndim === 0 ? 1 : (a.shape[dim] as number);
  const idx = indexValues("gather", index, size, dim);
  const base = offsetsAlong(a, index.shape, dim);
  const stride = a.ndim === 0 ? 0 : (a.strides[dim] as number);
  const out = StridedArray.zeros(index.shape, a.dtype);
  for (let i = 0; i < idx.length; i++)
    out.data[i] = a.data[(base[i] as number) + (idx[i] as number) * stride] as number;
  return out;
}

/**
 * PyTorch's `scatter` (`add`: `scatter_add`): a copy of `a` where, for dim 0, `out[index[i][j]][j]`
 * is set to (or increased by) `src[i][j]`, or to the number `src`.
 */
export function scatter(
  a: StridedArray,
  dim: number,
  index: StridedArray,
  src: StridedArray | number,
  add = false,
): StridedArray {
  const op = add ? "scatterAdd" : "scatter";
  checkScatter(op, a, dim, index, src);
  const size = a.ndim === 0 ? 1 : (a.shape[dim] as number);
  const idx = indexValues(op, index, size, dim);
  const out = a.copy();
  const base = offsetsAlong(out, index.shape, dim);
  const stride = out.ndim === 0 ? 0 : (out.strides[dim] as number);
  const from = typeof src === "number" ? null : offsetsAlong(src, index.shape, -1);
  for (let i = 0; i < idx.length; i++) {
    const q = (base[i] as number) + (idx[i] as number) * stride;
    const v = from === null ? (src as number) : ((src as StridedArray).data[from[i] as number] as number);
    const value = add ? (out.data[q] as number) + v : v;
    if (add && out.dtype === "int64" && !(Math.abs(value) <= INT64_EXACT_MAX)) {
      throw int64RangeError(op, value, "an int64 running sum");
    }
    out.data[q] = value;
  }
  return out;
}

/** PyTorch's `index_select`: the slices of `a` along `dim` at the positions in the 1-D `index`. */
export function indexSelect(a: StridedArray, dim: number, index: StridedArray): StridedArray {
  checkIndexSelect(index);
  const size = a.ndim === 0 ? 1 : (a.shape[dim] as number);
  const idx = indexValues("indexSelect", index, size, dim);
  const shape = a.ndim === 0 ? [] : a.shape.map((s, d) => (d === dim ? idx.length : s));
  const out = StridedArray.zeros(shape, a.dtype);
  if (out.numel === 0) return out;
  if (a.ndim === 0) {
    out.data[0] = a.data[a.offset] as number;
    return out;
  }
  // Row-major order: for each outer position, each selected index, each inner element.
  const slice = a.select(dim, 0);
  const inner = a.shape.slice(dim + 1).reduce((n, s) => n * s, 1);
  const outer = a.shape.slice(0, dim).reduce((n, s) => n * s, 1);
  const base = new Float64Array(slice.numel);
  slice.forEachIndex((p, i) => {
    base[i] = p;
  });
  const stride = a.strides[dim] as number;
  let q = 0;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < idx.length; k++) {
      const shift = (idx[k] as number) * stride;
      for (let j = 0; j < inner; j++)
        out.data[q++] = a.data[(base[o * inner + j] as number) + shift] as number;
    }
  }
  return out;
}

/** The elements of `a` where `mask` (broadcast together) is true, in row-major order, as a 1-D array. */
export function maskedSelect(a: StridedArray, mask: StridedArray): StridedArray {
  const shape = broadcastShapes("maskedSelect", a.shape, mask.shape);
  const values = a.expand(shape).flat();
  const keep = mask.expand(shape).flat();
  let count = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) count++;
  const out = StridedArray.zeros([count], a.dtype);
  let q = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out.data[q++] = values[i] as number;
  return out;
}

/**
 * PyTorch's `masked_scatter`: a copy of `a` (broadcast with `mask`) whose masked positions take the
 * elements of `source` in row-major order.
 */
export function maskedScatter(
  a: StridedArray,
  mask: StridedArray,
  source: StridedArray,
  dtype: DType = a.dtype,
): StridedArray {
  const shape = broadcastShapes("maskedScatter", a.shape, mask.shape);
  const out = a.expand(shape).copy(dtype);
  const keep = mask.expand(shape).flat();
  const values = source.flat();
  let count = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) count++;
  if (count > values.length) {
    throw new TorchletError(
      `maskedScatter: expected source to have at least ${count} elements (the mask's true count), got ${values.length}`,
    );
  }
  let k = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) out.data[i] = values[k++] as number;
  return out;
}

import { StridedArray } from "@torchlet/storage";

/**
 * The storage offset of every line of `a` along `dim` (the elements that differ only in their index
 * along `dim`), in row-major order of the other dims: the walk of every kernel that works one line at
 * a time (softmax, cumsum, max with indices, gather). A 0-d array counts as one line of one element.
 */
export function lineOffsets(a: StridedArray, dim: number): Float64Array {
  if (a.ndim === 0) return Float64Array.of(a.offset);
  const shape = a.shape.filter((_, d) => d !== dim);
  const strides = a.strides.filter((_, d) => d !== dim);
  const rest = new StridedArray(a.data, a.dtype, shape, strides, a.offset);
  const out = new Float64Array(rest.numel);
  rest.forEachIndex((p, i) => {
    out[i] = p;
  });
  return out;
}

/** The length of `a`'s lines along `dim` and the storage distance between their elements. */
export function lineStep(a: StridedArray, dim: number): { length: number; stride: number } {
  return a.ndim === 0
    ? { length: 1, stride: 1 }
    : { length: a.shape[dim] as number, stride: a.strides[dim] as number };
}

/**
 * `a` with the `dims` moved last and laid out contiguously: each group of elements a reduction over
 * `dims` combines is then one run of `groupSize` consecutive elements, run `g` starting at `g * groupSize`.
 */
export function groupsLast(
  a: StridedArray,
  dims: readonly number[],
): { data: StridedArray["data"]; groups: number; groupSize: number } {
  const kept = a.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const moved = a.permute([...kept, ...dims]).contiguous();
  const groupSize = dims.reduce((n, d) => n * (a.shape[d] as number), 1);
  const groups = kept.reduce((n, d) => n * (a.shape[d] as number), 1);
  return {
    data: moved.data.subarray(moved.offset, moved.offset + moved.numel) as StridedArray["data"],
    groups,
    groupSize,
  };
}

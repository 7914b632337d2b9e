import {
  type DType,
  fmtShape,
  INT64_EXACT_MAX,
  normalizeDim,
  StridedArray,
  TorchletError,
  type TypedArray,
} from "@torchlet/storage";
import { argumentError, checkFlag } from "@torchlet/storage/internal";
import { coalesce, forEachRow } from "./elementwise-walk.js";
import { sumRowInt64 } from "./int64.js";

/**
 * The reductions of the `reduce` kernel.
 *
 * @example
 * const op: ReduceOp = "mean";
 * const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * referenceBackend.reduce(op, a, [0], false).toNested(); // [2, 3]
 */
export type ReduceOp = "sum" | "mean" | "max" | "min";

/**
 * Normalised, de-duplicated, sorted reduction dims; `null` means every dim. The reduction's `keepdim`,
 * when given, is checked here too (a boolean), so every reduction checks its arguments in one place.
 *
 * @example
 * reductionDims("sum", -1, 3); // [2]
 * reductionDims("sum", null, 3); // [0, 1, 2]
 * reductionDims("sum", [2, 0], 3); // [0, 2]
 */
export function reductionDims(
  op: string,
  dims: number | readonly number[] | null | undefined,
  ndim: number,
  keepdim = false,
): number[] {
  checkFlag(op, "keepdim", keepdim);
  if (dims === null || dims === undefined) return allDims(ndim);
  const list = typeof dims === "number" ? [dims] : dims;
  if (!Array.isArray(list)) throw argumentError(op, "dim", "an integer, an array of integers or null", dims);
  const norm = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(norm).size !== norm.length)
    throw new TorchletError(`${op}: dim ${fmtShape(list)} appears multiple times in the list of dims`);
  // A 0-d tensor accepts dim 0 / -1 but has no dim to reduce; an empty list means every dim (PyTorch 1.13).
  if (ndim === 0) return [];
  if (norm.length === 0) return allDims(ndim);
  return norm.sort((x, y) => x - y);
}

/** `[0, 1, ..., ndim - 1]`, with a plain loop: `Array.from({ length })` walks a generic iterable on every reduction. */
function allDims(ndim: number): number[] {
  const dims = new Array<number>(ndim);
  for (let d = 0; d < ndim; d++) dims[d] = d;
  return dims;
}

/**
 * The shape after reducing `dims` of `shape`, keeping them as size 1 when `keepdim`.
 *
 * @example
 * reducedShape([2, 3, 4], [1], false); // [2, 4]
 * reducedShape([2, 3, 4], [1], true); // [2, 1, 4]
 */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/**
 * Reduces `a` over `dims` (already normalised) with sum, mean, max or min. Sums accumulate in double
 * precision. max/min of an empty reduction is an error, as in PyTorch; NaN wins in max/min. An int64
 * sum whose running total leaves ±(2^53 - 1) is an error too.
 */
export function reduce(
  op: ReduceOp,
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
  outDtype: DType = a.dtype,
): StridedArray {
  const outShape = reducedShape(a.shape, dims, keepdim);
  const out = StridedArray.zeros(outShape, outDtype);
  const groups = out.numel;
  const groupSize = groups === 0 ? 0 : a.numel / groups;
  if ((op === "max" || op === "min") && groupSize === 0 && groups > 0) {
    throw new TorchletError(
      `${op}: cannot reduce over an empty dimension (input shape ${fmtShape(a.shape)})`,
    );
  }
  if (groups === 0) return out;
  // An int64 sum checks its partial sums unless its elements are too small to leave the range.
  const checked = op === "sum" && outDtype === "int64" && MAGNITUDE[a.dtype] * groupSize > INT64_EXACT_MAX;
  const acc = new Float64Array(groups);
  if (op === "max") acc.fill(Number.NEGATIVE_INFINITY);
  if (op === "min") acc.fill(Number.POSITIVE_INFINITY);
  const src = a.data;
  if (dims.length === a.ndim && a.isContiguous() && !checked) {
    acc[0] = foldRange(op, src, a.offset, a.numel, acc[0] as number);
  } else {
    // Output position of each input element: strides of the kept dims, 0 for the reduced ones.
    const keptStrides = new Array<number>(a.ndim).fill(0);
    let stride = 1;
    for (let d = a.ndim - 1; d >= 0; d--) {
      if (dims.includes(d)) continue;
      keptStrides[d] = stride;
      stride *= a.shape[d] as number;
    }
    // One walk over the input with the accumulator as a second operand; the innermost coalesced
    // dim runs in a loop specialised per op and per accumulator stride.
    const walk = coalesce(a.shape, [a.strides, keptStrides]);
    const inner = walk.sizes[0] as number;
    const sp = walk.strides[0]?.[0] as number;
    const sq = walk.strides[1]?.[0] as number;
    const fold = op === "max" ? maxRow : op === "min" ? minRow : checked ? sumRowInt64 : sumRow;
    if (walk.sizes.length === 2) {
      // The common 2-d case (a matrix reduced over one of its dims) without the n-d counter.
      const rows = walk.sizes[1] as number;
      const rp = walk.strides[0]?.[1] as number;
      const rq = walk.strides[1]?.[1] as number;
      for (let r = 0; r < rows; r++) fold(acc, r * rq, sq, src, a.offset + r * rp, sp, inner);
    } else {
      forEachRow(walk, [a.offset, 0], (_, o) =>
        fold(acc, o[1] as number, sq, src, o[0] as number, sp, inner),
      );
    }
  }
  const dst = out.data;
  if (op === "mean") for (let i = 0; i < groups; i++) dst[i] = (acc[i] as number) / groupSize;
  else dst.set(acc);
  return out;
}

/** The largest magnitude an element of each dtype can have: int64 sums of few or small ones skip the check. */
const MAGNITUDE: Record<DType, number> = {
  bool: 1,
  int32: 2 ** 31,
  int64: INT64_EXACT_MAX,
  float32: Number.POSITIVE_INFINITY,
  float64: Number.POSITIVE_INFINITY,
};

/** acc[q + j*sq] += src[p + j*sp] for j < n (sq = 0: one group takes the whole row). */
function sumRow(
  acc: Float64Array,
  q: number,
  sq: number,
  src: TypedArray,
  p: number,
  sp: number,
  n: number,
): void {
  if (sq === 0) {
    acc[q] = sumRange(src, p, sp, n, acc[q] as number);
  } else if (sq === 1 && sp === 1) {
    for (let j = 0; j < n; j++) acc[q + j] = (acc[q + j] as number) + (src[p + j] as number);
  } else {
    for (let j = 0; j < n; j++) acc[q + j * sq] = (acc[q + j * sq] as number) + (src[p + j * sp] as number);
  }
}

// Math.max/min propagate NaN, as torch.max does.
function maxRow(
  acc: Float64Array,
  q: number,
  sq: number,
  src: TypedArray,
  p: number,
  sp: number,
  n: number,
): void {
  for (let j = 0; j < n; j++)
    acc[q + j * sq] = Math.max(acc[q + j * sq] as number, src[p + j * sp] as number);
}

function minRow(
  acc: Float64Array,
  q: number,
  sq: number,
  src: TypedArray,
  p: number,
  sp: number,
  n: number,
): void {
  for (let j = 0; j < n; j++)
    acc[q + j * sq] = Math.min(acc[q + j * sq] as number, src[p + j * sp] as number);
}

/** init + src[p] + src[p + s] + ... (n terms), left to right in double precision. */
function sumRange(src: TypedArray, p: number, s: number, n: number, init: number): number {
  let acc = init;
  if (s === 1) for (let j = 0; j < n; j++) acc += src[p + j] as number;
  else for (let j = 0; j < n; j++) acc += src[p + j * s] as number;
  return acc;
}

function foldRange(op: ReduceOp, src: TypedArray, start: number, n: number, init: number): number {
  if (op === "sum" || op === "mean") return sumRange(src, start, 1, n, init);
  let acc = init;
  if (op === "max") for (let i = 0; i < n; i++) acc = Math.max(acc, src[start + i] as number);
  else for (let i = 0; i < n; i++) acc = Math.min(acc, src[start + i] as number);
  return acc;
}

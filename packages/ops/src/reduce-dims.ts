import { type DType, StridedArray, TorchletError, type TypedArray } from "@torchlet/storage";
import { settleInt64 } from "./int64.js";
import { groupsLast } from "./lines.js";
import { reducedShape } from "./reduce.js";

/**
 * The reductions of the `reduceDims` kernel (beyond sum and mean, which `reduce` has).
 *
 * @example
 * const op: DimReduceOp = "logsumexp";
 * const a = StridedArray.fromFlat(new Float64Array([1e4, 1e4]), [2]);
 * referenceBackend.reduceDims(op, a, [0], false).toNested(); // 10000.6931
 */
export type DimReduceOp = "amax" | "amin" | "prod" | "logsumexp" | "var" | "norm" | "all" | "any";

/**
 * Parameters of some reductions: `correction` of var (1: Bessel's), `p` of norm.
 *
 * @example
 * const options: ReduceOptions = { correction: 0 };
 * const a = StridedArray.fromFlat(new Float64Array([1, 3]), [2]);
 * referenceBackend.reduceDims("var", a, [0], false, "float64", options).toNested(); // 1
 */
export interface ReduceOptions {
  correction?: number;
  p?: number;
}

type Fold = (src: TypedArray, start: number, n: number, options: ReduceOptions) => number;

function extreme(pick: (a: number, b: number) => number): Fold {
  // Math.max/min spread NaN, as PyTorch's amax/amin do.
  return (src, start, n) => {
    let acc = src[start] as number;
    for (let j = 1; j < n; j++) acc = pick(acc, src[start + j] as number);
    return acc;
  };
}

/**
 * logsumexp of the `n` consecutive elements from `src[start]`. The maximum is subtracted before exp so
 * large inputs do not overflow; an infinite one is not (PyTorch's rule: a line of -inf gives -inf, one
 * holding +inf gives +inf).
 */
export function logsumexpRun(src: TypedArray, start: number, n: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) max = Math.max(max, src[start + j] as number);
  const shift = Number.isFinite(max) ? max : 0;
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp((src[start + j] as number) - shift);
  return Math.log(sum) + shift;
}

const FOLDS: Record<DimReduceOp, Fold> = {
  amax: extreme(Math.max),
  amin: extreme(Math.min),
  prod: (src, start, n) => {
    let acc = 1;
    for (let j = 0; j < n; j++) acc *= src[start + j] as number;
    return acc;
  },
  logsumexp: (src, start, n) => logsumexpRun(src, start, n),
  // Two passes in double precision; n <= correction divides by 0 (inf or NaN), as PyTorch does.
  var: (src, start, n, { correction = 1 }) => {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += src[start + j] as number;
    mean /= n;
    let squares = 0;
    for (let j = 0; j < n; j++) squares += ((src[start + j] as number) - mean) ** 2;
    return squares / Math.max(0, n - correction);
  },
  norm: (src, start, n, { p = 2 }) => {
    let acc = p === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : 0;
    for (let j = 0; j < n; j++) {
      const v = Math.abs(src[start + j] as number);
      if (p === Number.POSITIVE_INFINITY) acc = Math.max(acc, v);
      else if (p === Number.NEGATIVE_INFINITY) acc = Math.min(acc, v);
      else if (p === 0) acc += v === 0 ? 0 : 1;
      else if (p === 1) acc += v;
      else if (p === 2) acc += v * v;
      else acc += v ** p;
    }
    if (p === 2) return Math.sqrt(acc);
    return Number.isFinite(p) && p !== 0 && p !== 1 ? acc ** (1 / p) : acc;
  },
  all: (src, start, n) => {
    for (let j = 0; j < n; j++) if (src[start + j] === 0) return 0;
    return 1;
  },
  any: (src, start, n) => {
    for (let j = 0; j < n; j++) if (src[start + j] !== 0) return 1;
    return 0;
  },
};

function requireNonEmpty(
  op: string,
  a: StridedArray,
  dims: readonly number[],
  groupSize: number,
  groups: number,
) {
  if (groupSize === 0 && groups > 0) {
    const dim = dims.find((d) => a.shape[d] === 0) ?? 0;
    throw new TorchletError(`${op}: Expected reduction dim ${dim} to have non-zero size`);
  }
}

/**
 * Reduces `a` over `dims` (normalised, sorted) with one of `DimReduceOp`, accumulating in double
 * precision, into a new contiguous array of `outDtype`. amax/amin of an empty reduction is an error,
 * as in PyTorch.
 */
export function reduceDims(
  op: DimReduceOp,
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
  outDtype: DType = a.dtype,
  options: ReduceOptions = {},
): StridedArray {
  const out = StridedArray.zeros(reducedShape(a.shape, dims, keepdim), outDtype);
  const { data, groups, groupSize } = groupsLast(a, dims);
  if (op === "amax" || op === "amin") requireNonEmpty(op, a, dims, groupSize, groups);
  const fold = FOLDS[op];
  for (let g = 0; g < groups; g++) out.data[g] = fold(data, g * groupSize, groupSize, options);
  // an int64 product only grows in magnitude (or becomes 0, exactly), so its result tells if it left the exact range
  return settleInt64(op, out);
}

/**
 * The largest (`max`) or smallest (`min`) element along `dim` and its index (an int64 array): the
 * first one among ties, and the first NaN where the line holds one, as PyTorch's CPU kernels.
 */
export function extremumDim(
  op: "max" | "min",
  a: StridedArray,
  dim: number,
  keepdim: boolean,
): { values: StridedArray; indices: StridedArray } {
  const dims = a.ndim === 0 ? [] : [dim];
  const shape = reducedShape(a.shape, dims, keepdim);
  const values = StridedArray.zeros(shape, a.dtype);
  const indices = StridedArray.zeros(shape, "int64");
  const { data, groups, groupSize } = groupsLast(a, dims);
  requireNonEmpty(op, a, dims, groupSize, groups);
  const better = op === "max" ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  for (let g = 0; g < groups; g++) {
    const start = g * groupSize;
    let best = data[start] as number;
    let at = 0;
    for (let j = 1; j < groupSize && !Number.isNaN(best); j++) {
      const v = data[start + j] as number;
      if (better(v, best) || Number.isNaN(v)) {
        best = v;
        at = j;
      }
    }
    values.data[g] = best;
    indices.data[g] = at;
  }
  return { values, indices };
}

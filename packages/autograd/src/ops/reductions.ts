import { backendFor, type DimReduceOp, reductionDims } from "@torchlet/ops";
import { type DType, fmtShape, isFloating, normalizeDim, TorchletError } from "@torchlet/storage";
import { argumentError, checkFlag } from "@torchlet/storage/internal";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";

/**
 * What `max(dim)` and `min(dim)` return: the extreme values along the dim and where they are
 * (int64 indices, as PyTorch's).
 *
 * @example
 * const { values, indices }: ValuesIndices = torch.tensor([[1, 5, 2], [7, 0, 7]]).max(1);
 * values.tolist(); // [5, 7]
 * indices.tolist(); // [1, 0]
 */
export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/**
 * Options of `var` and `std`: `correction` is subtracted from the element count in the divisor (1:
 * Bessel's correction, the default; 0: the population variance).
 *
 * @example
 * const options: VarOptions = { correction: 0, keepdim: true };
 * torch.tensor([[1, 3]]).var(1, options).tolist(); // [[1]]
 */
export interface VarOptions {
  correction?: number;
  keepdim?: boolean;
}

/**
 * A dim argument of a reduction: one dim, a list of them, or null/undefined for every dim.
 *
 * @example
 * const dims: Dims = [0, -1];
 * torch.ones(2, 3, 4).amax(dims).shape; // [3]
 */
export type Dims = number | readonly number[] | null | undefined;

function requireFloating(op: string, a: Tensor, why: string): void {
  if (!isFloating(a.dtype)) {
    throw new TorchletError(`${op}: ${why}, got ${a.dtype} (shape ${fmtShape(a.shape)})`);
  }
}

/** `max(dim)` / `min(dim)`: values and int64 indices along one dim (first among ties, NaN wins). */
export function extremumDim(
  kit: OpKit,
  op: "max" | "min",
  a: Tensor,
  dim: number,
  keepdim: boolean,
): ValuesIndices {
  checkFlag(op, "keepdim", keepdim);
  const d = normalizeDim(op, dim, a.ndim);
  const { values, indices } = backendFor(op, a._array).extremumDim(op, a._array, d, keepdim);
  const index = kit.wrap(indices);
  const attrs = { dim: d, keepdim, indices: index };
  return { values: kit.record(op === "max" ? "maxDim" : "minDim", [a], values, attrs), indices: index };
}

/** `amax`/`amin`: the extreme values over some dims (every dim when none is given). */
export function amaxAmin(kit: OpKit, op: "amax" | "amin", a: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const dims = reductionDims(op, dim, a.ndim, keepdim);
  return kit.record(op, [a], backendFor(op, a._array).reduceDims(op, a._array, dims, keepdim), {
    dims,
    keepdim,
  });
}

/** The product over one dim, or of every element; integers and bool give int64, as in PyTorch. */
export function prod(kit: OpKit, a: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  const all = dim === null || dim === undefined;
  if (Array.isArray(dim)) throw argumentError("prod", "dim", "an integer or null", dim);
  const dims = reductionDims("prod", dim, a.ndim, keepdim);
  const dtype: DType = isFloating(a.dtype) ? a.dtype : "int64";
  const out = backendFor("prod", a._array).reduceDims("prod", a._array, dims, all ? false : keepdim, dtype);
  return kit.record("prod", [a], out, { dims: all ? null : dims, keepdim: all ? false : keepdim });
}

/** `var` (or its square root, `std`) with `correction` subtracted from the count. */
export function variance(kit: OpKit, op: "var" | "std", a: Tensor, dim: Dims, options: VarOptions): Tensor {
  requireFloating(op, a, "std and var only support floating point dtypes");
  if (typeof options !== "object" || options === null)
    throw argumentError(op, "options", "an object such as { correction, keepdim }", options);
  const { correction = 1, keepdim = false } = options;
  if (typeof correction !== "number") throw argumentError(op, "correction", "a number", correction);
  const dims = reductionDims(op, dim, a.ndim, keepdim);
  const out = backendFor("var", a._array).reduceDims("var", a._array, dims, keepdim, a.dtype, { correction });
  const attrs = { dims, keepdim, correction };
  if (op === "var") return kit.record("var", [a], out, attrs);
  return kit.record("std", [a], backendFor("std", out).unary("sqrt", out, a.dtype), attrs);
}

/** The p-norm over some dims (every dim when none is given). */
export function norm(kit: OpKit, a: Tensor, p: number, dim: Dims, keepdim: boolean): Tensor {
  if (typeof p !== "number") throw argumentError("norm", "p", "a number", p);
  requireFloating("norm", a, "input dtype should be floating point");
  const dims = reductionDims("norm", dim, a.ndim, keepdim);
  const out = backendFor("norm", a._array).reduceDims("norm", a._array, dims, keepdim, a.dtype, { p });
  return kit.record("norm", [a], out, { dims, keepdim, p });
}

/** Running sums along `dim`; integers and bool give int64, as in PyTorch. */
export function cumsum(kit: OpKit, a: Tensor, dim: number): Tensor {
  const d = normalizeDim("cumsum", dim, a.ndim);
  const dtype: DType = isFloating(a.dtype) ? a.dtype : "int64";
  return kit.record("cumsum", [a], backendFor("cumsum", a._array).alongDim("cumsum", a._array, d, dtype), {
    dim: d,
  });
}

/** `all`/`any`: whether every (some) element over the dims is non-zero, as a bool tensor. */
export function allAny(kit: OpKit, op: "all" | "any", a: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const all = dim === null || dim === undefined;
  const dims = reductionDims(op, dim, a.ndim, keepdim);
  return kit.wrap(
    backendFor(op, a._array).reduceDims(op as DimReduceOp, a._array, dims, all ? false : keepdim, "bool"),
  );
}

import { backendFor, isIndexDType } from "@torchlet/ops";
import { type DType, fmtShape, normalizeDim, TorchletError } from "@torchlet/storage";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";

// Ops that read or write elements at positions given by an index tensor or a bool mask, and the two
// basic views that pick positions along one dim (select, narrow).

function requireInt64(op: string, index: Tensor): void {
  if (index.dtype !== "int64") {
    throw new TorchletError(
      `${op}: Expected dtype int64 for index, got ${index.dtype} (shape ${fmtShape(index.shape)})`,
    );
  }
}

function requireMask(op: string, mask: Tensor): Tensor {
  if (mask.dtype !== "bool") {
    throw new TorchletError(
      `${op}: expected a bool tensor for mask, got ${mask.dtype} (shape ${fmtShape(mask.shape)})`,
    );
  }
  return mask;
}

/** A dim of `a` (negative counts from the end); a 0-d tensor takes 0 and -1, as in PyTorch. */
function dimOf(op: string, a: Tensor, dim: number): number {
  return normalizeDim(op, dim, a.ndim);
}

/** select and narrow pick along a dim, which a 0-d tensor does not have. */
function viewDimOf(op: string, a: Tensor, dim: number): number {
  if (a.ndim === 0) throw new TorchletError(`${op}: cannot be applied to a 0-dim tensor`);
  return normalizeDim(op, dim, a.ndim);
}

/** `out[i][j] = a[index[i][j]][j]` (dim 0; likewise for any dim). */
export function gather(kit: OpKit, a: Tensor, dim: number, index: Tensor): Tensor {
  const d = dimOf("gather", a, dim);
  requireInt64("gather", index);
  return kit.record(
    "gather",
    [a],
    backendFor("gather", a._array, index._array).gather(a._array, d, index._array),
    { dim: d, index },
  );
}

/** The slices of `a` along `dim` at the positions in the 1-D `index`. */
export function indexSelect(kit: OpKit, a: Tensor, dim: number, index: Tensor): Tensor {
  const d = dimOf("indexSelect", a, dim);
  if (!isIndexDType(index.dtype)) {
    throw new TorchletError(`indexSelect: Expected dtype int32 or int64 for index, got ${index.dtype}`);
  }
  return kit.record(
    "indexSelect",
    [a],
    backendFor("indexSelect", a._array, index._array).indexSelect(a._array, d, index._array),
    { dim: d, index },
  );
}

/** A copy of `a` with `src`'s elements (or the number `src`) written at `index` along `dim`. */
export function scatter(
  kit: OpKit,
  a: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | number,
  add: boolean,
): Tensor {
  const op = add ? "scatterAdd" : "scatter";
  const d = dimOf(op, a, dim);
  requireInt64(op, index);
  if (typeof src === "number") {
    if (add) throw new TorchletError("scatterAdd: src must be a tensor, got a number");
    return kit.record(
      "scatterValue",
      [a],
      backendFor("scatter", a._array, index._array).scatter(a._array, d, index._array, src),
      {
        dim: d,
        index,
      },
    );
  }
  if (src.dtype !== a.dtype) {
    throw new TorchletError(
      `${op}: Expected self.dtype to be equal to src.dtype, got ${a.dtype} and ${src.dtype}`,
    );
  }
  const out = backendFor("scatter", a._array, index._array, src._array).scatter(
    a._array,
    d,
    index._array,
    src._array,
    add,
  );
  return kit.record(add ? "scatterAdd" : "scatter", [a, src], out, { dim: d, index });
}

/** `a` (broadcast with `mask`) with `value` where `mask` is true. */
export function maskedFill(kit: OpKit, a: Tensor, mask: Tensor, value: Tensor | number): Tensor {
  requireMask("maskedFill", mask);
  const dtype: DType = a.dtype;
  if (typeof value === "number") {
    const out = backendFor("maskedFill", mask._array, a._array).where(
      mask._array,
      kit.scalar("maskedFill", value, dtype)._array,
      a._array,
      dtype,
    );
    return kit.record("maskedFill", [a], out, { mask });
  }
  if (value.ndim !== 0) {
    throw new TorchletError(
      `maskedFill: only supports a 0-dimension value tensor, but got tensor with ${value.ndim} dimension(s) (shape ${fmtShape(value.shape)})`,
    );
  }
  const out = backendFor("maskedFill", mask._array, value._array, a._array).where(
    mask._array,
    value._array,
    a._array,
    dtype,
  );
  return kit.record("maskedFillTensor", [a, value], out, { mask });
}

/** The elements of `a` where `mask` (broadcast together) is true, as a 1-D tensor. */
export function maskedSelect(kit: OpKit, a: Tensor, mask: Tensor): Tensor {
  requireMask("maskedSelect", mask);
  return kit.record(
    "maskedSelect",
    [a],
    backendFor("maskedSelect", a._array, mask._array).maskedSelect(a._array, mask._array),
    { mask },
  );
}

/** A copy of `a` (broadcast with `mask`) whose masked positions take `source`'s elements in order. */
export function maskedScatter(kit: OpKit, a: Tensor, mask: Tensor, source: Tensor): Tensor {
  requireMask("maskedScatter", mask);
  if (source.dtype !== a.dtype) {
    throw new TorchletError(
      `maskedScatter: expected self and source to have the same dtype, got ${a.dtype} and ${source.dtype}`,
    );
  }
  const out = backendFor("maskedScatter", a._array, mask._array, source._array).maskedScatter(
    a._array,
    mask._array,
    source._array,
  );
  return kit.record("maskedScatter", [a, source], out, { mask });
}

/** The view at `index` along `dim`, which it drops. */
export function select(kit: OpKit, a: Tensor, dim: number, index: number): Tensor {
  const d = viewDimOf("select", a, dim);
  const out = a._array.select(d, index);
  const size = a.shape[d] as number;
  return kit.record("select", [a], out, { dim: d, index: index < 0 ? index + size : index }, true);
}

/** The view of `length` elements from `start` along `dim`. */
export function narrow(kit: OpKit, a: Tensor, dim: number, start: number, length: number): Tensor {
  const d = viewDimOf("narrow", a, dim);
  const out = a._array.narrow(d, start, length);
  const size = a.shape[d] as number;
  return kit.record("narrow", [a], out, { dim: d, start: start < 0 ? start + size : start, step: 1 }, true);
}

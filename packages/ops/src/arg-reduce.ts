import { fmtShape, normalizeDim, StridedArray, TorchletError } from "@torchlet/storage";

/**
 * The index reductions: the position of the largest (`argmax`) or smallest (`argmin`) element.
 *
 * @example
 * const op: ArgReduceOp = "argmax";
 */
export type ArgReduceOp = "argmax" | "argmin";

/**
 * PyTorch's `argmax`/`argmin`: int64 indices of the largest/smallest element along `dim`, or into the
 * flattened array when `dim` is null (then `keepdim` keeps every dim as size 1). The first of equal
 * elements wins, and a NaN beats every number (the first NaN), as in PyTorch. Errors as PyTorch's:
 * bool input, an empty reduction, a dim out of range.
 *
 * @example
 * const a = StridedArray.fromFlat(new Float32Array([1, 3, 3, 0]), [2, 2]);
 * argReduce("argmax", a, null, false).toNested(); // 1
 * argReduce("argmin", a, 1, false).toNested(); // [0, 1]
 */
export function argReduce(
  op: ArgReduceOp,
  a: StridedArray,
  dim: number | null,
  keepdim: boolean,
): StridedArray {
  if (a.dtype === "bool")
    throw new TorchletError(`${op}: not implemented for bool tensors (shape ${fmtShape(a.shape)})`);
  if (dim === null) {
    if (a.numel === 0) {
      throw new TorchletError(
        `${op}: expected a dim to reduce for an empty tensor (shape ${fmtShape(a.shape)})`,
      );
    }
    const flat = argReduce(op, a.reshape([a.numel]), 0, false);
    return keepdim ? flat.reshape(a.shape.map(() => 1)) : flat;
  }
  const d = normalizeDim(op, dim, a.ndim); // a 0-d tensor takes dim 0 or -1, as one of size 1
  const x = a.ndim === 0 ? a.reshape([1]) : a;
  const size = x.shape[d] as number;
  const kept = x.shape.filter((_, i) => i !== d);
  const outShape = a.ndim === 0 ? [] : keepdim ? x.shape.map((s, i) => (i === d ? 1 : s)) : kept;
  const out = StridedArray.zeros(outShape, "int64");
  if (out.numel === 0) return out;
  if (size === 0) {
    throw new TorchletError(
      `${op}: dim ${dim} of shape ${fmtShape(a.shape)} has size 0, so there is nothing to reduce`,
    );
  }
  // One row per output element: the reduced dim moved last, each row's start visited in row-major order.
  const order = [...x.shape.keys()].filter((i) => i !== d);
  const starts = x.permute([...order, d]).narrow(order.length, 0, 1);
  const stride = x.strides[d] as number;
  const data = x.data;
  const dst = out.data;
  const larger = op === "argmax";
  starts.forEachIndex((p, i) => {
    let best = data[p] as number;
    let at = 0;
    // A NaN beats every number (the first NaN ends the scan); strict comparisons keep the first of
    // equal elements.
    for (let j = 1; j < size && !Number.isNaN(best); j++) {
      const v = data[p + j * stride] as number;
      if (Number.isNaN(v) || (larger ? v > best : v < best)) {
        best = v;
        at = j;
      }
    }
    dst[i] = at;
  });
  return out;
}

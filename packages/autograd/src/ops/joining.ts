import { backendFor, transfer } from "@torchlet/ops";
import {
  type DType,
  fmtShape,
  normalizeDim,
  promoteTypes,
  StridedArray,
  shapesEqual,
  TorchletError,
} from "@torchlet/storage";
import { argumentError } from "@torchlet/storage/internal";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";

/** PyTorch's legacy rule: a 1-D tensor of size 0 is skipped by cat, whatever the other shapes. */
const skipped = (t: Tensor) => t.ndim === 1 && t.shape[0] === 0;

/**
 * The array a join writes into, on the tensors' device (a TorchletError naming `op` when they are on
 * several), and the kernels that copy into it there.
 */
function joinTarget(op: string, tensors: readonly Tensor[], shape: number[], dtype: DType) {
  const kernels = backendFor(op, ...tensors.map((t) => t._array));
  const device = tensors.find((t) => t.device !== "cpu")?.device ?? "cpu";
  return { out: transfer(op, StridedArray.zeros(shape, dtype), device), kernels };
}

/** The tensors joined along an existing dim; dtypes promote as in PyTorch. */
export function cat(kit: OpKit, tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new TorchletError("cat: expected a non-empty list of Tensors");
  const joined = tensors.filter((t) => !skipped(t));
  const first = joined[0] ?? (tensors[0] as Tensor);
  const d = normalizeDim("cat", dim, Math.max(first.ndim, 1));
  if (first.ndim === 0) throw new TorchletError("cat: zero-dimensional tensor cannot be concatenated");
  let dtype: DType = (tensors[0] as Tensor).dtype;
  for (const t of tensors) dtype = promoteTypes(dtype, t.dtype);
  const shape = [...first.shape];
  shape[d] = 0;
  tensors.forEach((t, i) => {
    if (skipped(t)) return;
    if (t.ndim !== first.ndim) {
      throw new TorchletError(
        `cat: Tensors must have same number of dimensions: got ${first.ndim} and ${t.ndim} (shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)})`,
      );
    }
    t.shape.forEach((s, k) => {
      if (k !== d && s !== first.shape[k]) {
        throw new TorchletError(
          `cat: Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[k]} but got size ${s} for tensor number ${i} in the list (shapes ${fmtShape(first.shape)} and ${fmtShape(t.shape)})`,
        );
      }
    });
    shape[d] = (shape[d] as number) + (t.shape[d] as number);
  });
  const { out, kernels } = joinTarget("cat", tensors, shape, dtype);
  const sizes: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (skipped(t)) {
      sizes.push(-1);
      continue;
    }
    const size = t.shape[d] as number;
    kernels.copyInto(out.narrow(d, offset, size), t._array);
    sizes.push(size);
    offset += size;
  }
  return kit.record("cat", tensors, out, { dim: d, sizes });
}

/** The tensors (all of one shape) joined along a new dim. */
export function stack(kit: OpKit, tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new TorchletError("stack: expects a non-empty TensorList");
  const first = tensors[0] as Tensor;
  const d = normalizeDim("stack", dim, first.ndim + 1);
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, first.shape)) {
      throw new TorchletError(
        `stack: expects each tensor to be equal size, but got ${fmtShape(first.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`,
      );
    }
  });
  let dtype: DType = first.dtype;
  for (const t of tensors) dtype = promoteTypes(dtype, t.dtype);
  const shape = [...first.shape.slice(0, d), tensors.length, ...first.shape.slice(d)];
  const { out, kernels } = joinTarget("stack", tensors, shape, dtype);
  tensors.forEach((t, i) => {
    kernels.copyInto(out.select(d, i), t._array);
  });
  return kit.record("stack", tensors, out, { dim: d });
}

/** Views of consecutive pieces along `dim`: of `size` each (the last may be smaller), or of the given sizes. */
export function split(kit: OpKit, a: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  if (a.ndim === 0) throw new TorchletError("split: expects at least a 1-dimensional tensor");
  const d = normalizeDim("split", dim, a.ndim);
  const total = a.shape[d] as number;
  let sizes: number[];
  if (typeof sizeOrSizes === "number") {
    const size = sizeOrSizes;
    if (!Number.isInteger(size) || size < 0 || (size === 0 && total !== 0)) {
      throw new TorchletError(
        `split: split_size can only be 0 if dimension size is 0, and must be a non-negative integer; got ${size} for dimension ${d} of size ${total}`,
      );
    }
    const count = size === 0 ? 1 : Math.max(1, Math.ceil(total / size));
    sizes = Array.from({ length: count }, (_, i) => Math.min(size, total - i * size));
  } else if (Array.isArray(sizeOrSizes)) {
    sizes = [...sizeOrSizes];
    const sum = sizes.reduce((n, s) => n + s, 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sum !== total) {
      throw new TorchletError(
        `split: split_with_sizes expects split_sizes to sum exactly to ${total} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(sizes)}`,
      );
    }
  } else {
    throw argumentError("split", "split_size", "an integer or an array of integers", sizeOrSizes);
  }
  const withSizes = typeof sizeOrSizes !== "number";
  let start = 0;
  return sizes.map((length) => {
    const piece = kit.record(
      "split",
      [a],
      a._array.narrow(d, start, length),
      { dim: d, start, withSizes },
      true,
    );
    start += length;
    return piece;
  });
}

/** `n` views along `dim` of equal size (the last may be smaller, and there may be fewer than `n`). */
export function chunk(kit: OpKit, a: Tensor, n: number, dim = 0): Tensor[] {
  if (!Number.isInteger(n) || n <= 0)
    throw new TorchletError(`chunk: expects \`chunks\` to be greater than 0, got: ${n}`);
  if (a.ndim === 0) throw new TorchletError("chunk: expects at least a 1-dimensional tensor");
  const total = a.shape[normalizeDim("chunk", dim, a.ndim)] as number;
  return split(kit, a, Math.ceil(total / n), dim);
}

/** The views at each index along `dim`, which they drop. */
export function unbind(kit: OpKit, a: Tensor, dim = 0): Tensor[] {
  const d = normalizeDim("unbind", dim, a.ndim);
  if (a.ndim === 0) throw new TorchletError("unbind: dimension specified as 0 but tensor has no dimensions");
  return Array.from({ length: a.shape[d] as number }, (_, i) =>
    kit.record("unbind", [a], a._array.select(d, i), { dim: d, index: i }, true),
  );
}

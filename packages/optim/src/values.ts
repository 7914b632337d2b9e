import { type Tensor, zerosLike } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";

/**
 * Direct access to the elements that an optimizer step reads and writes on the CPU: the step runs
 * outside the graph, as PyTorch's does under `torch.no_grad()`, and bumps each written tensor's version
 * counter so that a graph still holding the old values refuses to use them. (A device's elements cannot
 * be read synchronously: there the optimizers update with in-place tensor ops instead.)
 */

export type FloatArray = Float32Array | Float64Array;

/** The elements of a contiguous float tensor, as a writable view of its storage. */
export function writable(op: string, t: Tensor): FloatArray {
  const a = t._array;
  if (!a.isContiguous())
    throw new TorchletError(
      `${op}: parameters must be contiguous (shape [${t.shape.join(", ")}]); clone() it first`,
    );
  return a.data.subarray(a.offset, a.offset + a.numel) as FloatArray;
}

/** The elements of `t` in row-major order (its storage when contiguous, else a copy), read-only. */
export function readable(t: Tensor): FloatArray {
  return t._array.flat() as FloatArray;
}

/** Marks `t` as changed in place. */
export function touched(t: Tensor): void {
  t._version.value++;
}

/** A state buffer shaped like parameter `p`, on its device, filled with `value`. */
export function buffer(p: Tensor, value = 0): Tensor {
  const t = zerosLike(p);
  return value === 0 ? t : t.fill_(value);
}

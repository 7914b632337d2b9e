import type { Tensor } from "./tensor.js";

/**
 * Sums `grad` down to `shape`, undoing a broadcast: the leading dims it added and every dim it
 * stretched from size 1. The engine applies this once per input, so no derivative formula has to.
 *
 * @example
 * torch.sumTo(torch.ones(2, 3), [1, 3]).tolist(); // [[2, 2, 2]]
 * torch.sumTo(torch.ones(2, 3), [3]).tolist(); // [2, 2, 2]
 */
export function sumTo(grad: Tensor, shape: readonly number[]): Tensor {
  const lead = grad.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < grad.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && grad.shape[d] !== 1)) dims.push(d);
  }
  if (dims.length === 0) return grad;
  const summed = grad.sum(dims, true);
  return lead > 0 || summed.ndim !== shape.length ? summed.reshape(shape) : summed;
}

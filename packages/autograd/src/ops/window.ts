import type { Window2d } from "@torchlet/ops";
import { fmtShape, isFloating, TorchletError } from "@torchlet/storage";
import type { Tensor } from "../tensor.js";

// What convolution and pooling share: reading an int-or-pair argument, checking the input's rank and
// dtype, and the output size of a sliding window.

/**
 * A size per spatial dim: one number for both, or `[height, width]`.
 *
 * @example
 * const stride: Pair = [2, 1];
 * torch.nn.functional.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(1, 1, 3, 3), null, { stride }).shape; // [1, 1, 2, 3]
 */
export type Pair = number | readonly [number, number];

/** A shape as PyTorch prints it in these messages, `[2, 1, 6, 6]`. */
export function pyShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** `value` as `[height, width]`, each an integer of at least `min` (PyTorch's messages otherwise). */
export function pair(op: string, what: string, value: Pair, min: number): [number, number] {
  const p: readonly number[] = typeof value === "number" ? [value, value] : value;
  if (p.length !== 2 || !p.every((v) => Number.isInteger(v))) {
    throw new TorchletError(
      `${op}: ${what} must be an integer or a pair of integers, got ${JSON.stringify(value)}`,
    );
  }
  if (p.some((v) => v < min)) {
    const rule = min === 0 ? `negative ${what} is not supported` : `non-positive ${what} is not supported`;
    throw new TorchletError(`${op}: ${rule}, got ${JSON.stringify(value)}`);
  }
  return [p[0] as number, p[1] as number];
}

/**
 * The input as `[batch, channels, height, width]`: a 3-D (unbatched) input gets a batch dim of 1, as
 * PyTorch 1.13 accepts; anything else is refused. Integer inputs are refused as PyTorch's CPU kernels do.
 */
export function batched(op: string, x: Tensor): Tensor {
  checkImage(op, x);
  return x.ndim === 3 ? x.unsqueeze(0) : x;
}

/** Refuses what is not a float `[batch, channels, h, w]` or `[channels, h, w]` input. */
export function checkImage(op: string, x: Tensor): void {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new TorchletError(
      `${op}: Expected 3D (unbatched) or 4D (batched) input to ${op}, but got input of size: ${pyShape(x.shape)}`,
    );
  }
  if (!isFloating(x.dtype)) {
    throw new TorchletError(`${op}: not implemented for ${x.dtype} input (shape ${fmtShape(x.shape)})`);
  }
}

/** The spatial dims of a batched input, for a Window2d. */
export function inputOf(x: Tensor): Window2d["input"] {
  return x.shape as unknown as Window2d["input"];
}

/**
 * The number of window positions along one dim (PyTorch's `pooling_output_shape` with ceil mode, and
 * the convolution's floor formula without): in ceil mode the last window must start inside the input
 * or its left padding.
 */
export function slidingSize(
  size: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
  ceilMode = false,
): number {
  const span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
  let out = Math[ceilMode ? "ceil" : "floor"](span / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + padBefore) out--;
  return out;
}

import { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { argumentError, checkScalar } from "@torchlet/storage/internal";

/** A functional's tensor argument (`input`, `weight`...) must be a Tensor; the message names the op. */
export function checkInput(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw argumentError(op, name, "a Tensor", x);
}

/** A functional's number argument (`negativeSlope`, `alpha`...): a number, else a TorchletError. */
export function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value === "boolean") throw argumentError(op, name, "a number", value);
  return checkScalar(op, name, value);
}

/** Layer sizes must be positive integers; the message names the layer and the bad size. */
export function checkFeatures(layer: string, sizes: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      throw new TorchletError(`${layer}: ${name} must be a non-negative integer, got ${String(value)}`);
  }
}

/** The input of a layer must be a tensor whose last dim is `size`: `Linear(3, 16): input [4, 5]`. */
export function checkLastDim(layer: string, x: unknown, size: number): void {
  if (!(x instanceof Tensor)) throw new TorchletError(`${layer}: expected a Tensor input, got ${typeof x}`);
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== size) {
    throw new TorchletError(
      `${layer}: input [${x.shape.join(", ")}] must have ${size} features in its last dim`,
    );
  }
}

/** A dropout probability in [0, 1] (PyTorch's message). */
export function checkProbability(op: string, p: unknown): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new TorchletError(`${op}: dropout probability has to be between 0 and 1, but got ${String(p)}`);
}

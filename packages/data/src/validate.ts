import type { TensorOptions } from "@torchlet/autograd";
import { type DType, isDType, TorchletError } from "@torchlet/storage";
import { Generator } from "./random/index.js";

/**
 * Argument checks shared by the samplers, data sets and batching. Every public function runs all of
 * its checks before it draws a single number, so a rejected call leaves the generator untouched.
 */

/**
 * Options of the random factories: the tensor options plus the generator to draw from.
 *
 * @example
 * const options: RandomOptions = { generator: new torch.Generator().manualSeed(1), dtype: "float64" };
 * torch.rand([2], options).dtype; // "float64"
 */
export interface RandomOptions extends TensorOptions {
  /** An independent stream (`new torch.Generator().manualSeed(1)`); the global one when omitted. */
  generator?: Generator;
}

/**
 * The global generator (PyTorch's `torch.default_generator`), seeded like PyTorch's at start-up.
 *
 * @example
 * torch.manualSeed(7);
 * torch.defaultGenerator.initialSeed(); // 7n
 */
export const defaultGenerator = new Generator();

/** The generator a call draws from: `options.generator`, else the global one. */
export function generatorOf(op: string, options: { generator?: unknown }): Generator {
  const g = options.generator;
  if (g === undefined) return defaultGenerator;
  if (g instanceof Generator) return g;
  throw new TorchletError(`${op}: generator must be a torch.Generator, got ${describe(g)}`);
}

/** An integer >= `min` (a size, a count), as a number. */
export function checkInteger(op: string, name: string, value: unknown, min = 0): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new TorchletError(`${op}: ${name} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

/** A finite number >= `min`. */
export function checkFinite(op: string, name: string, value: unknown, min = -Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    const bound = min === -Infinity ? "" : ` >= ${min}`;
    throw new TorchletError(`${op}: ${name} must be a finite number${bound}, got ${describe(value)}`);
  }
  return value;
}

/** The dtype of a float sampler (float32 unless told otherwise). */
export function floatDtype(op: string, dtype: unknown): "float32" | "float64" {
  const target = dtype ?? "float32";
  if (target === "float32" || target === "float64") return target;
  throw new TorchletError(
    `${op}: expected a floating point dtype (float32 or float64), got ${describe(target)}`,
  );
}

/** A dtype an integer sampler can write (`bool` cannot hold its values). */
export function numericDtype(op: string, dtype: unknown, fallback: DType): Exclude<DType, "bool"> {
  const target = dtype ?? fallback;
  if (isDType(target) && target !== "bool") return target;
  throw new TorchletError(`${op}: expected dtype int32, int64, float32 or float64, got ${describe(target)}`);
}

/** PyTorch's "only tensors of floating point dtype can require gradients", checked before drawing. */
export function checkRequiresGrad(op: string, dtype: DType, options: TensorOptions): void {
  if (options.requiresGrad && dtype !== "float32" && dtype !== "float64") {
    throw new TorchletError(`${op}: only floating point tensors can require gradients, got dtype ${dtype}`);
  }
}

/** A value as an error message shows it: strings quoted, arrays bracketed. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(",")}]`;
  if (value !== null && typeof value === "object") return value.constructor?.name ?? "object";
  return String(value);
}

import { typeName } from "./dtype.js";
import type { StridedArray } from "./strided.js";

/** What the footer of a printed tensor says besides dtype and shape. */
export interface FormatOptions {
  /** The grad_fn's name, e.g. "AddBackward0": printed as `[ grad_fn = <AddBackward0> ]`. */
  gradFn?: string | null;
  /** A leaf that requires grad: printed as `[ requires_grad = TRUE ]`. */
  requiresGrad?: boolean;
}

// Placeholder until the libtorch-faithful formatter lands: footer only.
export function formatTensor(array: StridedArray, options: FormatOptions = {}): string {
  let footer = `[ ${typeName(array.dtype)}{${array.shape.join(",")}} ]`;
  if (options.gradFn) footer += `[ grad_fn = <${options.gradFn}> ]`;
  else if (options.requiresGrad) footer += "[ requires_grad = TRUE ]";
  return `torch_tensor\n${array.toNested()}\n${footer}`;
}

/**
 * The one error class of torchlet. Every misuse throws it, with a message that names the operation
 * and the offending shapes, dtypes or values, e.g. `add: shapes [2,3] and [4] cannot be broadcast`.
 *
 * @example
 * try { torch.zeros(2, 3).add(torch.zeros(4)); } catch (e) { e instanceof torch.TorchletError; }
 */
export class TorchletError extends Error {
  /** Always `"TorchletError"`, so the class survives minification and `instanceof` across copies. */
  override name = "TorchletError";
}

/**
 * Formats a shape the way error messages print it: `[2,3]`.
 *
 * @example
 * fmtShape([2, 3]); // "[2,3]"
 */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

import { castScalar, type DType } from "./dtype.js";
import { TorchletError } from "./errors.js";

// int64 is stored as exact integers in a Float64Array (measured against BigInt64Array and int32
// pairs: see the README's "int64" section). A double holds every integer up to 2^53 exactly, and the
// sum, difference or product of two such integers exactly whenever the true result is within that
// range too; a true result beyond it comes out at 2^53 or more in magnitude. So checking every result
// against ±(2^53 - 1) catches every value that may be rounded, and nothing wrong is ever stored.

/**
 * The largest magnitude an int64 element holds: 2^53 - 1 (`Number.MAX_SAFE_INTEGER`). Every integer
 * up to it is exact; anything that would go beyond it is a `TorchletError`, never a rounded number.
 *
 * @example
 * INT64_EXACT_MAX; // 9007199254740991
 */
export const INT64_EXACT_MAX = Number.MAX_SAFE_INTEGER;

/**
 * `value` as an int64 element (truncated toward zero, as PyTorch's cast does; -0 becomes 0), or a
 * `TorchletError` naming `op` when it is NaN, infinite or beyond ±(2^53 - 1).
 *
 * @example
 * toInt64("tensor", -2.7); // -2
 * toInt64("tensor", 2 ** 60); // throws: tensor: 1152921504606846976 does not fit in int64 exactly ...
 */
export function toInt64(op: string, value: number): number {
  const v = Math.trunc(value);
  if (!(Math.abs(v) <= INT64_EXACT_MAX)) throw int64RangeError(op, value);
  return v + 0;
}

/**
 * `castScalar` with int64's range check: the value a number becomes when `op` stores it in `dtype`.
 *
 * @example
 * castChecked("fill_", "int64", 2.5); // 2
 * castChecked("fill_", "bool", 2); // 1
 */
export function castChecked(op: string, dtype: DType, value: number): number {
  return dtype === "int64" ? toInt64(op, value) : castScalar(dtype, value);
}

/**
 * Checks freshly computed int64 elements `data[start..end)`: each must lie within ±(2^53 - 1), else a
 * `TorchletError` naming `op` and the value (so an overflowing result is never handed out). Also
 * stores -0 (from `neg(0)` or `0 * -3` in double arithmetic) as 0: an integer has no negative zero.
 *
 * @example
 * const data = new Float64Array([1, -0, 3]);
 * checkInt64Results("mul", data, 0, 3); // data is now [1, 0, 3]
 * checkInt64Results("add", new Float64Array([2 ** 53]), 0, 1); // throws: add: an int64 result ...
 */
export function checkInt64Results(op: string, data: Float64Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const v = data[i] as number;
    if (!(Math.abs(v) <= INT64_EXACT_MAX)) throw int64RangeError(op, v, "an int64 result");
    if (v === 0) data[i] = 0;
  }
}

/**
 * The error for `value` (or, with `what`, a computed value that may already be rounded) outside
 * int64's exact range, naming `op`.
 *
 * @example
 * int64RangeError("sum", 2 ** 53, "a running int64 sum").message;
 * // "sum: a running int64 sum (about 9007199254740992) does not fit in int64 exactly: ..."
 */
export function int64RangeError(op: string, value: number, what?: string): TorchletError {
  const shown = Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : String(value);
  // A result this large may already be rounded: say so.
  const subject = what ? `${what} (about ${shown})` : shown;
  return new TorchletError(
    `${op}: ${subject} does not fit in int64 exactly: torchlet's int64 holds the integers within ±(2^53 - 1) = ±${INT64_EXACT_MAX}`,
  );
}

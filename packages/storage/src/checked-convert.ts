import { castScalar, type DType } from "./dtype.js";
import { TorchletError } from "./errors.js";
import { toInt64 } from "./int64.js";

// PyTorch's `checked_convert`: where a number is stored as a value (tensor(), full, fill_, masked_fill,
// scatter's and index_put_'s numbers, clamp's bounds), one the dtype cannot hold is refused. Arithmetic
// is different: `int32.add(3e9)` wraps in PyTorch too, and goes through `castChecked`.

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * `value` stored in `dtype` when the dtype can hold it (an integer dtype truncates toward zero), else a
 * `TorchletError` naming `op`, as PyTorch's "value cannot be converted to type int32 without overflow":
 * int32 refuses NaN, ±Inf and anything outside [-2^31, 2^31 - 1] before truncation, int64 NaN, ±Inf and anything
 * beyond its exact range (see int64.ts). With `float32Overflow`, float32 also refuses a finite value
 * beyond its largest finite one (PyTorch's fill_ and full do; tensor() rounds it to Inf).
 *
 * @example
 * castInRange("full", "int32", -2.7); // -2
 * castInRange("full", "int32", 3e9); // throws: full: value 3000000000 cannot be converted to type int32 without overflow
 * castInRange("full", "float32", 1e39); // throws
 * castInRange("tensor", "float32", 1e39, false); // Infinity
 */
export function castInRange(op: string, dtype: DType, value: number, float32Overflow = true): number {
  switch (dtype) {
    case "int32":
      if (!(value >= INT32_MIN && value <= INT32_MAX)) throw overflowError(op, value, dtype);
      return castScalar(dtype, value);
    case "int64":
      if (!Number.isFinite(value)) throw overflowError(op, value, dtype);
      return toInt64(op, value);
    case "float32":
      if (float32Overflow && Number.isFinite(value) && Math.abs(value) > FLOAT32_MAX)
        throw overflowError(op, value, dtype);
      return castScalar(dtype, value);
    default:
      return castScalar(dtype, value);
  }
}

function overflowError(op: string, value: number, dtype: DType): TorchletError {
  return new TorchletError(`${op}: value ${value} cannot be converted to type ${dtype} without overflow`);
}

import { DTYPES, type DType, isDType } from "./dtype.js";
import { TorchletError } from "./errors.js";

// The checks of arguments at the public boundary (tensor methods, torch.* functions, factories): a value
// of the wrong kind is a TorchletError naming the op, the argument and what it got, never a NaN, a
// silent coercion (`"1"` read as 1, `null` as 0) or a TypeError from deep inside. Each check is a typeof
// test or two, so the hot path does not feel it.

/**
 * A value as an error message shows what was given: strings quoted, arrays and bigints spelled out.
 *
 * @example
 * describeValue("1"); // 'the string "1"'
 * describeValue([1, 2]); // "an array [1,2]"
 * describeValue(1n); // "the bigint 1n"
 * describeValue(undefined); // "undefined"
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case "bigint":
      return `the bigint ${value}n`;
    case "function":
      return "a function";
    case "symbol":
      return `the symbol ${String(value)}`;
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value))
        return value.length <= 8 ? `an array [${value.map(String)}]` : `an array of length ${value.length}`;
      const name = (value as { constructor?: { name?: string } }).constructor?.name;
      return name && name !== "Object" ? `a ${name}` : "an object";
    }
    default:
      return String(value);
  }
}

/**
 * The error for argument `name` of `op` that is not what the op takes (`expected`), as PyTorch's
 * argument parser words it.
 *
 * @example
 * argumentError("add", "other", "a Tensor, a number or a boolean", "1").message;
 * // 'add: argument \'other\' must be a Tensor, a number or a boolean, got the string "1"'
 */
export function argumentError(op: string, name: string, expected: string, value: unknown): TorchletError {
  return new TorchletError(`${op}: argument '${name}' must be ${expected}, got ${describeValue(value)}`);
}

/**
 * A number or a boolean (PyTorch's Scalar) as the number it stands for (true is 1); anything else is
 * a TorchletError naming `op` and argument `name`.
 *
 * @example
 * checkScalar("full", "fill_value", 2.5); // 2.5
 * checkScalar("full", "fill_value", true); // 1
 * checkScalar("full", "fill_value", "a"); // throws: full: argument 'fill_value' must be a number or a boolean, ...
 */
export function checkScalar(op: string, name: string, value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw argumentError(op, name, "a number or a boolean", value);
}

/**
 * A boolean flag (`keepdim`, `accumulate`, `requiresGrad`): `1`, `"yes"` or `null` are refused rather
 * than read as true or false.
 *
 * @example
 * checkFlag("sum", "keepdim", true); // true
 * checkFlag("sum", "keepdim", 1); // throws: sum: argument 'keepdim' must be a boolean, got 1
 */
export function checkFlag(op: string, name: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  throw argumentError(op, name, "a boolean", value);
}

/**
 * `value` when it names a torchlet dtype, else a TorchletError naming `op` and listing the dtypes.
 *
 * @example
 * checkDType("zeros", "float64"); // "float64"
 * checkDType("zeros", "float16"); // throws: zeros: unknown dtype "float16" (torchlet's dtypes: ...)
 */
export function checkDType(op: string, value: unknown): DType {
  if (isDType(value)) return value;
  const shown = typeof value === "string" ? JSON.stringify(value) : describeValue(value);
  throw new TorchletError(`${op}: unknown dtype ${shown} (torchlet's dtypes: ${DTYPES.join(", ")})`);
}

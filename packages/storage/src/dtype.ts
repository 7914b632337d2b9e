/**
 * The element types a tensor can hold.
 *
 * @example
 * const dtype: DType = "float64";
 * torch.zeros([2], { dtype }).dtype; // "float64"
 */
export type DType = "float32" | "float64" | "int32" | "int64" | "bool";

/**
 * The typed array that backs each dtype (bool is stored as 0/1 bytes; int64 as exact integers in a
 * Float64Array, see int64.ts).
 *
 * @example
 * const data: TypedArray = new Int32Array(3);
 * data instanceof Int32Array; // true
 */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * Every dtype torchlet supports.
 *
 * @example
 * DTYPES; // ["float32", "float64", "int32", "int64", "bool"]
 */
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "bool"];

/**
 * Whether `value` names a torchlet dtype (a type guard).
 *
 * @example
 * isDType("int64"); // true
 * isDType("int16"); // false
 */
export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

/**
 * The dtype a typed array stands for (Uint8Array is read as bool, BigInt64Array as int64).
 *
 * @example
 * dtypeOfArray(new Int32Array(2)); // "int32"
 * dtypeOfArray(new BigInt64Array(2)); // "int64"
 * dtypeOfArray([1, 2]); // null
 */
export function dtypeOfArray(array: ArrayLike<number> | BigInt64Array): DType | null {
  if (array instanceof Float32Array) return "float32";
  if (array instanceof Float64Array) return "float64";
  if (array instanceof Int32Array) return "int32";
  if (array instanceof BigInt64Array) return "int64";
  if (array instanceof Uint8Array) return "bool";
  return null;
}

/**
 * Whether `dtype` is a floating point type (float32 or float64).
 *
 * @example
 * isFloating("float64"); // true
 * isFloating("int32"); // false
 */
export const isFloating = (dtype: DType): boolean => dtype === "float32" || dtype === "float64";

// Category order of PyTorch's promotion: bool < integer < floating; within a category, wider wins.
const RANK: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };

/**
 * PyTorch's `torch.promote_types` restricted to torchlet's dtypes.
 *
 * @example
 * promoteTypes("int32", "float32"); // "float32"
 * promoteTypes("int32", "int64"); // "int64"
 * promoteTypes("int64", "float32"); // "float32"
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * PyTorch's `can_cast`: whether an in-place op may write a result of `from` into a tensor of `to`,
 * which it may unless that lowers the category (a float result into an integer or bool tensor, an
 * integer one into bool); within a category the value is cast down (float64 into float32).
 *
 * @example
 * canCast("float64", "float32"); // true
 * canCast("float32", "int32"); // false
 * canCast("int32", "bool"); // false
 */
export function canCast(from: DType, to: DType): boolean {
  return CATEGORY[from] <= CATEGORY[to];
}

const CATEGORY: Record<DType, number> = { bool: 0, int32: 1, int64: 1, float32: 2, float64: 2 };

/**
 * libtorch's name of the CPU tensor type, as printed in R torch's footer: `CPUFloatType`.
 *
 * @example
 * typeName("float64"); // "CPUDoubleType"
 */
export function typeName(dtype: DType): string {
  switch (dtype) {
    case "float32":
      return "CPUFloatType";
    case "float64":
      return "CPUDoubleType";
    case "int32":
      return "CPUIntType";
    case "int64":
      return "CPULongType";
    case "bool":
      return "CPUBoolType";
  }
}

/**
 * Rounds or converts a JS number to what storing it in `dtype` gives (as PyTorch's casts do). An int64
 * value is truncated toward zero but not range-checked here: see `checkInt64`.
 *
 * @example
 * castScalar("int32", -2.7); // -2
 * castScalar("int64", -2.7); // -2
 * castScalar("bool", 0.5); // 1
 * castScalar("float32", 0.1); // 0.10000000149011612
 */
export function castScalar(dtype: DType, value: number): number {
  switch (dtype) {
    case "float32":
      return Math.fround(value);
    case "float64":
      return value;
    case "int32":
      return Math.trunc(value) | 0;
    case "int64":
      return Math.trunc(value);
    case "bool":
      return value !== 0 ? 1 : 0;
  }
}

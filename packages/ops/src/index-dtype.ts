import type { DType } from "@torchlet/storage";

/**
 * True for the dtypes an index tensor may have where PyTorch takes int32 as well as int64
 * (`indexSelect`); `gather` and `scatter` take only int64, as in PyTorch.
 *
 * @example
 * isIndexDType("int32"); // true
 * isIndexDType("int64"); // true
 * isIndexDType("float32"); // false
 */
export function isIndexDType(dtype: DType): boolean {
  return dtype === "int32" || dtype === "int64";
}

import type { DType } from "@torchlet/storage";

/**
 * PyTorch's `torch.long`, the dtype of index results (`max(dim).indices`, integer `cumsum`) and of the
 * index arguments `gather`/`scatter` require. The one place to switch: int32 until the int64 dtype
 * lands, then "int64".
 *
 * @example
 * LONG; // "int32"
 */
export const LONG: DType = "int32";

/**
 * True for the dtypes an index tensor may have where PyTorch takes int32 as well as int64
 * (`indexSelect`, `index`); `gather`/`scatter` take only `LONG`.
 *
 * @example
 * isIndexDType("int32"); // true
 * isIndexDType("float32"); // false
 */
export function isIndexDType(dtype: DType): boolean {
  return dtype === "int32" || dtype === LONG;
}

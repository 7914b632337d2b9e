import * as torch from "torchlet";

// PyTorch's result_type rule, written out for the tests (promotion.test.ts checks it against
// PyTorch's own table), so that the fuzz replayer can tell a promotion mismatch from any other.

/** bool < int32 < int64 < float32 < float64: for torchlet's dtypes, promotion is the larger of the two. */
const RANK: Record<torch.DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };
const promote = (a: torch.DType, b: torch.DType): torch.DType => (RANK[a] >= RANK[b] ? a : b);
const isFloat = (d: torch.DType): boolean => d === "float32" || d === "float64";

/** The dtype a JS number or boolean stands for as an operand (an integer counts as Python's int: int64). */
export function numberDType(v: number | boolean): torch.DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) && !Object.is(v, -0) ? "int64" : "float32";
}

/** PyTorch's combine_categories: the higher-priority group wins unless the lower one is of a higher category. */
function combine(higher: torch.DType | null, lower: torch.DType | null): torch.DType | null {
  if (higher === null) return lower;
  if (lower === null || isFloat(higher)) return higher;
  if (higher === "bool" || isFloat(lower)) return promote(higher, lower);
  return higher;
}

const fold = (dtypes: torch.DType[]): torch.DType | null =>
  dtypes.length === 0 ? null : dtypes.reduce(promote);

/**
 * torch.result_type over operands: dimensioned tensors first, then 0-d tensors, then numbers (a float
 * number counts as the default dtype, float32), each group only raising the category of the one above.
 * With `flat`, 0-d tensors count as dimensioned ones (the rule without its second tier).
 */
export function resultType(
  operands: readonly (torch.Tensor | number | boolean)[],
  flat = false,
): torch.DType {
  const tensors = operands.filter((o): o is torch.Tensor => o instanceof torch.Tensor);
  const numbers = operands.filter((o): o is number | boolean => !(o instanceof torch.Tensor));
  const dims = fold(tensors.filter((t) => flat || t.ndim > 0).map((t) => t.dtype));
  const zeroDims = fold(tensors.filter((t) => !flat && t.ndim === 0).map((t) => t.dtype));
  const wrapped = fold(numbers.map(numberDType));
  return combine(dims, combine(zeroDims, wrapped)) ?? "float32";
}

/** PyTorch's can_cast: a result may be written into a tensor of the same or a higher category. */
export function canCast(from: torch.DType, to: torch.DType): boolean {
  const category = (d: torch.DType) => (isFloat(d) ? 2 : d === "int32" ? 1 : 0);
  return category(from) <= category(to);
}

import {
  type DType,
  fmtShape,
  isFloating,
  promoteTypes,
  promoteWithScalar,
  TorchletError,
} from "@torchlet/storage";

/**
 * How an op's result dtype follows from its operands', in two steps as in PyTorch: the operands'
 * common dtype (`resultType`, the one promotion rule), then the op's own rule:
 * - `"common"`: the common dtype (add, mul, neg, abs, relu, ...);
 * - `"float"`: the common dtype, integers and bool lifted to the default float32 (div, exp, log, ...);
 * - `"bool"`: bool, the operands compared in their common dtype (eq, lt, ...).
 * `rejectsBool` says why the op refuses bool operands (sub, neg), as PyTorch does, and `check` names
 * any other operands it refuses (pow: integers to negative powers), given the common dtype.
 *
 * @example
 * const rule: DTypeRule = { result: "float" };
 * resultDType("exp", rule, [{ dtype: "int32", shape: [2] }]); // "float32"
 */
export interface DTypeRule {
  readonly result: "common" | "float" | "bool";
  readonly rejectsBool?: { readonly reason: string; readonly hint?: string };
  readonly check?: (common: DType, operands: readonly DTypeOperand[]) => string | undefined;
}

/**
 * An operand as promotion sees it: a tensor's dtype and shape, or a JS number (PyTorch's wrapped
 * number, which lifts only the category: an int32 tensor plus 2.5 is float32, never float64).
 *
 * @example
 * const operands: DTypeOperand[] = [{ dtype: "int32", shape: [3] }, 2.5];
 * resultType(operands); // "float32"
 */
export type DTypeOperand = { readonly dtype: DType; readonly shape: readonly number[] } | number;

/**
 * The common dtype of an op's operands: tensors promote pairwise (`promoteTypes`), then each JS number
 * lifts the category (`promoteWithScalar`). The single place where operands meet; PyTorch's full
 * `result_type` (0-d tensors rank below dimensioned ones within a category) belongs here too, since
 * every operand arrives with its shape.
 *
 * @example
 * resultType([{ dtype: "int32", shape: [2] }, { dtype: "float32", shape: [2] }]); // "float32"
 * resultType([{ dtype: "bool", shape: [2] }, 2]); // "int64"
 */
export function resultType(operands: readonly DTypeOperand[]): DType {
  let tensors: DType | null = null;
  for (const o of operands)
    if (typeof o !== "number") tensors = tensors ? promoteTypes(tensors, o.dtype) : o.dtype;
  let dtype = tensors ?? "float32";
  for (const o of operands) if (typeof o === "number") dtype = promoteWithScalar(dtype, o);
  return dtype;
}

/** `fmtShape` of a tensor operand, the value of a number: how messages name an operand. */
export function describeOperand(o: DTypeOperand): string {
  return typeof o === "number" ? String(o) : `${o.dtype} ${fmtShape(o.shape)}`;
}

/**
 * The dtype of `op`'s result by its rule, and the dtype its operands are computed in; a TorchletError
 * naming the op and the operands when the rule rejects them.
 *
 * @example
 * resultDType("div", { result: "float" }, [{ dtype: "int32", shape: [2] }, 2]); // "float32"
 * resultDType("lt", { result: "bool" }, [{ dtype: "int32", shape: [2] }, 2.5]); // "bool"
 */
export function resultDType(op: string, rule: DTypeRule, operands: readonly DTypeOperand[]): DType {
  return dtypesOf(op, rule, operands).result;
}

/**
 * `resultDType`, and the dtype a number operand becomes a tensor of (the result's, or for a
 * comparison the common dtype, in which the operands are compared).
 *
 * @example
 * dtypesOf("lt", { result: "bool" }, [{ dtype: "int32", shape: [2] }, 2.5]); // { result: "bool", common: "float32" }
 */
export function dtypesOf(
  op: string,
  rule: DTypeRule,
  operands: readonly DTypeOperand[],
): { result: DType; common: DType } {
  const bool = rule.rejectsBool;
  if (bool !== undefined && operands.some((o) => typeof o !== "number" && o.dtype === "bool")) {
    const hint = bool.hint === undefined ? "" : `; ${bool.hint}`;
    throw new TorchletError(`${op}: ${bool.reason} (${operands.map(describeOperand).join(" and ")})${hint}`);
  }
  const common = resultType(operands);
  const problem = rule.check?.(common, operands);
  if (problem !== undefined) throw new TorchletError(`${op}: ${problem}`);
  if (rule.result === "bool") return { result: "bool", common };
  const result = rule.result === "float" && !isFloating(common) ? "float32" : common;
  // A number operand is a tensor of the result's dtype (int32 / 2 divides by a float32 2).
  return { result, common: result };
}

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
 * resultDType("exp", rule, { dtype: "int32", shape: [2] }); // "float32"
 */
export interface DTypeRule {
  readonly result: "common" | "float" | "bool";
  readonly rejectsBool?: { readonly reason: string; readonly hint?: string };
  readonly check?: (common: DType, a: DTypeOperand, b?: DTypeOperand) => string | undefined;
}

/**
 * An operand as promotion sees it: a tensor's dtype and shape, or a JS number (PyTorch's wrapped
 * number, which lifts only the category: an int32 tensor plus 2.5 is float32, never float64).
 *
 * @example
 * const operand: DTypeOperand = { dtype: "int32", shape: [3] };
 * resultType(operand, 2.5); // "float32"
 */
export type DTypeOperand = { readonly dtype: DType; readonly shape: readonly number[] } | number;

/**
 * The common dtype of an op's operands (one or two): tensors promote (`promoteTypes`), then each JS
 * number lifts the category (`promoteWithScalar`). The single place where operands meet; PyTorch's
 * full `result_type` (0-d tensors rank below dimensioned ones within a category) belongs here too,
 * since every operand arrives with its shape. Operands are parameters, not an array: this runs on
 * every op, and the chapter's ops are small enough for an allocation to show.
 *
 * @example
 * resultType({ dtype: "int32", shape: [2] }, { dtype: "float32", shape: [2] }); // "float32"
 * resultType({ dtype: "bool", shape: [2] }, 2); // "int64"
 */
export function resultType(a: DTypeOperand, b?: DTypeOperand): DType {
  const ta = typeof a === "number" ? null : a.dtype;
  const tb = b === undefined || typeof b === "number" ? null : b.dtype;
  let dtype = ta !== null && tb !== null ? promoteTypes(ta, tb) : (ta ?? tb ?? "float32");
  if (typeof a === "number") dtype = promoteWithScalar(dtype, a);
  if (typeof b === "number") dtype = promoteWithScalar(dtype, b);
  return dtype;
}

/** A tensor operand's dtype and shape, a number's value: how messages name an operand. */
export function describeOperand(o: DTypeOperand): string {
  return typeof o === "number" ? String(o) : `${o.dtype} ${fmtShape(o.shape)}`;
}

/**
 * The dtype of `op`'s result by its rule (a TorchletError naming the op and the operands when the
 * rule rejects them). A number operand becomes a tensor of this dtype, except for a comparison's
 * (bool result), which is compared in `resultType` of the operands.
 *
 * @example
 * resultDType("div", { result: "float" }, { dtype: "int32", shape: [2] }, 2); // "float32"
 * resultDType("lt", { result: "bool" }, { dtype: "int32", shape: [2] }, 2.5); // "bool"
 */
export function resultDType(op: string, rule: DTypeRule, a: DTypeOperand, b?: DTypeOperand): DType {
  const bool = rule.rejectsBool;
  if (bool !== undefined && (isBool(a) || isBool(b))) {
    const named = b === undefined ? describeOperand(a) : `${describeOperand(a)} and ${describeOperand(b)}`;
    throw new TorchletError(
      `${op}: ${bool.reason} (${named})${bool.hint === undefined ? "" : `; ${bool.hint}`}`,
    );
  }
  if (rule.result === "bool") return "bool";
  const common = resultType(a, b);
  const problem = rule.check?.(common, a, b);
  if (problem !== undefined) throw new TorchletError(`${op}: ${problem}`);
  return rule.result === "float" && !isFloating(common) ? "float32" : common;
}

const isBool = (o: DTypeOperand | undefined) =>
  o !== undefined && typeof o !== "number" && o.dtype === "bool";

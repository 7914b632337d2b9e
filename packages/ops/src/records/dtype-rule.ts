import { type DType, fmtShape, isFloating, promoteTypes, TorchletError } from "@torchlet/storage";

/**
 * How an op's result dtype follows from its operands', in two steps as in PyTorch: the operands'
 * common dtype (`resultType`, the one promotion rule), then the op's own rule:
 * - `"common"`: the common dtype (add, mul, neg, abs, relu, ...);
 * - `"float"`: the common dtype, integers and bool lifted to the default float32 (div, exp, log, ...);
 * - `"bool"`: bool, the operands compared in their common dtype (eq, lt, ...).
 * `rejectsBool` says why the op refuses bool operands (sub, neg), as PyTorch does, and `check` names
 * any other operands it refuses (pow: integers to negative powers), given the common dtype.
 * `implicitOperand` is a number a unary op computes with, which promotes as a wrapped number
 * (square is x ** 2: a bool tensor squares into int64).
 *
 * @example
 * const rule: DTypeRule = { result: "float" };
 * resultDType("exp", rule, { dtype: "int32", shape: [2] }); // "float32"
 */
export interface DTypeRule {
  readonly result: "common" | "float" | "bool";
  readonly rejectsBool?: { readonly reason: string; readonly hint?: string };
  readonly check?: (common: DType, a: DTypeOperand, b?: DTypeOperand) => string | undefined;
  readonly implicitOperand?: number;
}

/**
 * An operand as promotion sees it: a tensor's dtype and shape (a 0-d tensor ranks below dimensioned
 * ones), or a JS number or boolean (PyTorch's wrapped number, which lifts only the category: an int32
 * tensor plus 2.5 is float32, never float64, and a boolean, of the lowest category, lifts nothing).
 *
 * @example
 * const operand: DTypeOperand = { dtype: "int32", shape: [3] };
 * resultType(operand, 2.5); // "float32"
 */
export type DTypeOperand = { readonly dtype: DType; readonly shape: readonly number[] } | number | boolean;

/**
 * PyTorch's `result_type` over an op's operands (one or two): dimensioned tensors, 0-d tensors and
 * wrapped numbers form three tiers, each promoted within itself (`promoteTypes`; a JS number counts as
 * int64 when an integer, as the default float32 otherwise, a boolean as bool), and a lower tier only
 * raises the category of the one above (a float32 tensor plus a 0-d float64 tensor is float32, an
 * int32 tensor plus 2.5 or a 0-d float64 tensor is float32 or float64). The single place where
 * operands meet. Operands are parameters, not an array: this runs on every op, and the chapter's ops
 * are small enough for an allocation to show.
 *
 * @example
 * resultType({ dtype: "int32", shape: [2] }, { dtype: "float32", shape: [2] }); // "float32"
 * resultType({ dtype: "float32", shape: [2] }, { dtype: "float64", shape: [] }); // "float32"
 * resultType({ dtype: "bool", shape: [2] }, 2); // "int64"
 */
export function resultType(a: DTypeOperand, b?: DTypeOperand): DType {
  // What the tiers below give in the common cases, without walking them: one tensor, two tensors of
  // one dtype (in whatever tiers), or a floating tensor with a number (which lifts no category).
  if (
    typeof a === "object" &&
    (b === undefined || (typeof b === "object" ? b.dtype === a.dtype : isFloating(a.dtype)))
  ) {
    return a.dtype;
  }
  const dims = promoteTier(promoteTier(null, a, DIMENSIONED), b, DIMENSIONED);
  const zeroDims = promoteTier(promoteTier(null, a, ZERO_DIM), b, ZERO_DIM);
  const wrapped = promoteTier(promoteTier(null, a, WRAPPED), b, WRAPPED);
  return combineCategories(dims, combineCategories(zeroDims, wrapped)) ?? "float32";
}

const DIMENSIONED = 0;
const ZERO_DIM = 1;
const WRAPPED = 2;

/** `acc` promoted with `o`'s dtype when `o` belongs to `tier`. */
function promoteTier(acc: DType | null, o: DTypeOperand | undefined, tier: number): DType | null {
  if (o === undefined) return acc;
  let dtype: DType;
  if (typeof o === "object") {
    if ((o.shape.length === 0 ? ZERO_DIM : DIMENSIONED) !== tier) return acc;
    dtype = o.dtype;
  } else {
    if (tier !== WRAPPED) return acc;
    dtype = typeof o === "boolean" ? "bool" : Number.isInteger(o) && !Object.is(o, -0) ? "int64" : "float32";
  }
  return acc === null ? dtype : promoteTypes(acc, dtype);
}

/**
 * PyTorch's `combine_categories`: the higher tier's dtype, unless the lower tier's is of a higher
 * category (bool < integer < floating), which then promotes with it.
 */
function combineCategories(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null || isFloating(higher)) return higher;
  return higher === "bool" || isFloating(lower) ? promoteTypes(higher, lower) : higher;
}

/** A tensor operand's dtype and shape, a number's value: how messages name an operand. */
export function describeOperand(o: DTypeOperand): string {
  return typeof o === "object" ? `${o.dtype} ${fmtShape(o.shape)}` : String(o);
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
  const common = resultType(a, b ?? rule.implicitOperand);
  const problem = rule.check?.(common, a, b);
  if (problem !== undefined) throw new TorchletError(`${op}: ${problem}`);
  return rule.result === "float" && !isFloating(common) ? "float32" : common;
}

const isBool = (o: DTypeOperand | undefined) =>
  typeof o === "boolean" || (typeof o === "object" && o.dtype === "bool");

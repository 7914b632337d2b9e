import { isFloating } from "@torchlet/storage";
import { type DTypeOperand, type DTypeRule, describeOperand } from "./dtype-rule.js";
import {
  abs,
  add,
  ceil,
  constant,
  cos,
  div,
  type Expr,
  eq,
  erf,
  exp,
  expm1,
  floor,
  ge,
  gt,
  le,
  log,
  log1p,
  lt,
  mul,
  ne,
  neg,
  pow,
  select,
  sin,
  sqrt,
  sub,
  tanh,
  trunc,
  X,
  Y,
} from "./expr.js";

/**
 * The record of one elementwise op: the single source every layer reads. The kernels of every
 * backend are derived from `formula` (ops/src/generated/elementwise-loops.ts is rendered from it, the
 * Wasm SIMD lanes compile from it); `dtype` is its dtype rule; the autograd layer's derivative table
 * must have a row for every differentiable record (a missing row is a compile error); and the tests
 * iterate the registry: the float64 gradcheck, the property tests and the PyTorch fixtures sample
 * inputs from `domain`.
 *
 * @example
 * const record: ElementwiseRecord = ELEMENTWISE.log;
 * record.arity; // 1
 * record.domain; // [0.1, 3]
 */
export interface ElementwiseRecord {
  /** How many tensor operands: 1 (`x`) or 2 (`x`, `y`, broadcast together). */
  readonly arity: 1 | 2;
  /** The scalar formula over `X` (and `Y`), in doubles; the output dtype's store rounds it. */
  readonly formula: Expr;
  /** How the result dtype follows from the operands'. */
  readonly dtype: DTypeRule;
  /** Whether gradients flow through it (comparisons: no). */
  readonly differentiable: boolean;
  /** Where tests sample inputs (away from poles and kinks); the fixtures add special values. */
  readonly domain: readonly [number, number];
}

const COMMON: DTypeRule = { result: "common" };
const FLOAT: DTypeRule = { result: "float" };
const BOOL: DTypeRule = { result: "bool" };
/**
 * The common dtype, refused when it is bool (PyTorch's kernels for it have no bool version; a bool
 * operand with another dtype is promoted first, so remainder(int32, true) is int32).
 */
const NOT_BOOL = (op: string): DTypeRule => ({
  result: "common",
  check: (common, a, b) =>
    common === "bool"
      ? `${op} is not implemented for bool tensors (${b === undefined ? describeOperand(a) : `${describeOperand(a)} and ${describeOperand(b)}`})`
      : undefined,
});

const unary = (formula: Expr, dtype: DTypeRule, domain: readonly [number, number] = [-2, 2]) =>
  ({ arity: 1, formula, dtype, differentiable: true, domain }) as const satisfies ElementwiseRecord;
const binary = (formula: Expr, dtype: DTypeRule, domain: readonly [number, number] = [-2, 2]) =>
  ({ arity: 2, formula, dtype, differentiable: true, domain }) as const satisfies ElementwiseRecord;
/** Two tensors only: PyTorch's maximum/minimum take no number (`torch.maximum(x, 2)` is a TypeError). */
const TENSORS_ONLY: DTypeRule = {
  result: "common",
  check: (_common, _a, b) =>
    typeof b === "object" ? undefined : `expected a tensor as the other operand, got the number ${b}`,
};
/**
 * Round half to even (torch.round): floor(x) plus one above a half, plus its parity at exactly a half.
 * The fraction is NaN for NaN and infinities, which then pass through; a negative x keeps its sign, so
 * -0.3 gives -0 as in PyTorch.
 */
const roundHalfEven = (() => {
  const r = floor(X);
  const d = sub(X, r);
  const odd = sub(r, mul(constant(2), floor(div(r, constant(2)))));
  const half = constant(0.5);
  const rounded = select(
    gt(d, half),
    add(r, constant(1)),
    select(lt(d, half), r, select(eq(d, half), add(r, odd), X)),
  );
  return select(lt(X, constant(0)), neg(abs(rounded)), rounded);
})();
const comparison = (formula: Expr) =>
  ({
    arity: 2,
    formula,
    dtype: BOOL,
    differentiable: false,
    domain: [-2, 2],
  }) as const satisfies ElementwiseRecord;

/**
 * Every elementwise op, by name. Adding one here (with its derivative row, a method and a functional
 * form) is all an op needs: kernels, dtype checks, gradcheck, property tests and fixtures follow.
 *
 * @example
 * ELEMENTWISE.exp.dtype.result; // "float"
 * ELEMENTWISE.lt.differentiable; // false
 */
export const ELEMENTWISE = {
  add: binary(add(X, Y), COMMON),
  sub: binary(sub(X, Y), {
    result: "common",
    rejectsBool: {
      reason: "subtraction with a bool tensor is not supported",
      hint: "compare with eq/ne instead",
    },
  }),
  mul: binary(mul(X, Y), COMMON),
  div: binary(div(X, Y), FLOAT, [0.5, 2]),
  pow: binary(
    pow(X, Y),
    {
      result: "common",
      check: (common, base, exponent) => {
        if (common === "bool")
          return `pow is not implemented for bool tensors (${describeOperand(base)} to the power ${describeOperand(exponent as DTypeOperand)})`;
        return typeof exponent === "number" && exponent < 0 && !isFloating(common)
          ? `integers to negative integer powers are not allowed (${describeOperand(base)} to the power ${exponent})`
          : undefined;
      },
    },
    [0.5, 2],
  ),
  // Where a NaN makes both comparisons false, x + y is NaN: NaN propagates, as torch.maximum/minimum.
  // Python's modulo, the sign of the divisor: x - floor(x / y) * y (x % 0 is NaN for floats).
  remainder: binary(sub(X, mul(floor(div(X, Y)), Y)), NOT_BOOL("remainder"), [0.5, 2]),
  maximum: binary(select(gt(X, Y), X, select(le(X, Y), Y, add(X, Y))), TENSORS_ONLY),
  minimum: binary(select(lt(X, Y), X, select(ge(X, Y), Y, add(X, Y))), TENSORS_ONLY),
  eq: comparison(eq(X, Y)),
  ne: comparison(ne(X, Y)),
  gt: comparison(gt(X, Y)),
  ge: comparison(ge(X, Y)),
  lt: comparison(lt(X, Y)),
  le: comparison(le(X, Y)),
  neg: unary(neg(X), {
    result: "common",
    rejectsBool: { reason: "negation of a bool tensor is not supported" },
  }),
  exp: unary(exp(X), FLOAT),
  log: unary(log(X), FLOAT, [0.1, 3]),
  sqrt: unary(sqrt(X), FLOAT, [0.1, 3]),
  abs: unary(abs(X), {
    result: "common",
    rejectsBool: { reason: `"abs_cpu" not implemented for 'Bool'` },
  }),
  // NaN gives 0, as torch.sign does in 1.13
  sign: unary(
    select(gt(X, constant(0)), constant(1), select(lt(X, constant(0)), constant(-1), constant(0))),
    COMMON,
  ),
  // x < 0 ? 0 : x, as torch.relu: NaN and -0 pass through
  relu: unary(select(lt(X, constant(0)), constant(0), X), {
    result: "common",
    rejectsBool: { reason: "Boolean inputs not supported for relu" },
  }),
  sigmoid: unary(div(constant(1), add(constant(1), exp(neg(X)))), FLOAT, [-3, 3]),
  tanh: unary(tanh(X), FLOAT),
  sin: unary(sin(X), FLOAT, [-3, 3]),
  cos: unary(cos(X), FLOAT, [-3, 3]),
  log1p: unary(log1p(X), FLOAT, [-0.5, 2]),
  expm1: unary(expm1(X), FLOAT),
  erf: unary(erf(X), FLOAT),
  reciprocal: unary(div(constant(1), X), FLOAT, [0.2, 2]),
  rsqrt: unary(div(constant(1), sqrt(X)), FLOAT, [0.1, 3]),
  // x ** 2 as PyTorch computes it: the 2 promotes as a wrapped number, so bool squares into int64.
  square: unary(mul(X, X), { result: "common", implicitOperand: 2 }),
  floor: unary(floor(X), NOT_BOOL("floor"), [-3, 3]),
  ceil: unary(ceil(X), NOT_BOOL("ceil"), [-3, 3]),
  trunc: unary(trunc(X), NOT_BOOL("trunc"), [-3, 3]),
  round: unary(roundHalfEven, NOT_BOOL("round"), [-3, 3]),
} as const satisfies Record<string, ElementwiseRecord>;

/**
 * The name of an elementwise op: a key of `ELEMENTWISE`.
 *
 * @example
 * const op: ElementwiseOp = "sin";
 * ELEMENTWISE[op].arity; // 1
 */
export type ElementwiseOp = keyof typeof ELEMENTWISE;

/**
 * The name of a unary elementwise op (a record of arity 1).
 *
 * @example
 * const op: UnaryOp = "exp";
 * UNARY[op](0); // 1
 */
export type UnaryOp = {
  [K in ElementwiseOp]: (typeof ELEMENTWISE)[K]["arity"] extends 1 ? K : never;
}[ElementwiseOp];

/**
 * The name of a binary elementwise op (a record of arity 2).
 *
 * @example
 * const op: BinaryOp = "mul";
 * BINARY[op](3, 4); // 12
 */
export type BinaryOp = Exclude<ElementwiseOp, UnaryOp>;

/** The names of the ops of one arity, in registry order. */
const opsOfArity = <K extends ElementwiseOp>(arity: 1 | 2) =>
  (Object.keys(ELEMENTWISE) as ElementwiseOp[]).filter((k) => ELEMENTWISE[k].arity === arity) as K[];

/**
 * Every unary op's name, in registry order.
 *
 * @example
 * UNARY_OPS.includes("relu"); // true
 */
export const UNARY_OPS: readonly UnaryOp[] = opsOfArity<UnaryOp>(1);

/**
 * Every binary op's name, in registry order.
 *
 * @example
 * BINARY_OPS.includes("pow"); // true
 */
export const BINARY_OPS: readonly BinaryOp[] = opsOfArity<BinaryOp>(2);

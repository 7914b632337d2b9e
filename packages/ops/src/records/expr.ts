import { erf as erfFunction } from "./special-functions.js";
/**
 * The scalar formula of an elementwise op, as a small expression tree over its operands `x` (and `y`):
 * one form from which every backend's kernel is derived (the JS loops, the Wasm SIMD lane code, and
 * WGSL in a GPU backend), and which evaluates directly for the reference scalar functions. Values are
 * doubles; comparisons give 1 or 0, and `select` and `or` read them as truth values.
 *
 * @example
 * const formula: Expr = ELEMENTWISE.exp.formula;
 * formula.kind; // "unary"
 */
export type Expr =
  | { readonly kind: "x" }
  | { readonly kind: "y" }
  | { readonly kind: "const"; readonly value: number }
  | { readonly kind: "unary"; readonly fn: MathFn | "neg"; readonly arg: Expr }
  | { readonly kind: "binary"; readonly fn: ArithFn | CompareFn | "or"; readonly args: readonly [Expr, Expr] }
  | { readonly kind: "select"; readonly args: readonly [Expr, Expr, Expr] };

/** The functions of `Math` a formula may call (each backend maps them to its own). */
export type MathFn =
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "tanh"
  | "sin"
  | "cos"
  | "log1p"
  | "expm1"
  | "erf"
  | "floor"
  | "ceil"
  | "trunc";
/** Arithmetic: `+ - * /` and C's pow (`cPow`). */
export type ArithFn = "add" | "sub" | "mul" | "div" | "pow";
/** Comparisons, 1 or 0. */
export type CompareFn = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

export const X: Expr = { kind: "x" };
export const Y: Expr = { kind: "y" };
export const constant = (value: number): Expr => ({ kind: "const", value });
const call = (fn: MathFn | "neg") => (arg: Expr) => ({ kind: "unary", fn, arg }) as const;
const op =
  (fn: ArithFn | CompareFn | "or") =>
  (a: Expr, b: Expr): Expr => ({ kind: "binary", fn, args: [a, b] });
export const neg = call("neg");
export const exp = call("exp");
export const log = call("log");
export const sqrt = call("sqrt");
export const abs = call("abs");
export const tanh = call("tanh");
export const sin = call("sin");
export const cos = call("cos");
export const log1p = call("log1p");
export const expm1 = call("expm1");
export const erf = call("erf");
export const floor = call("floor");
export const ceil = call("ceil");
export const trunc = call("trunc");
export const add = op("add");
export const sub = op("sub");
export const mul = op("mul");
export const div = op("div");
export const pow = op("pow");
export const eq = op("eq");
export const ne = op("ne");
export const gt = op("gt");
export const ge = op("ge");
export const lt = op("lt");
export const le = op("le");
export const or = op("or");
/** `cond ? a : b`. */
export const select = (cond: Expr, a: Expr, b: Expr): Expr => ({ kind: "select", args: [cond, a, b] });

const MATH: Record<MathFn, (v: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sin: Math.sin,
  cos: Math.cos,
  log1p: Math.log1p,
  expm1: Math.expm1,
  erf: erfFunction,
  floor: Math.floor,
  ceil: Math.ceil,
  trunc: Math.trunc,
};

/**
 * C's pow (PyTorch's std::pow), which parts from JS's ** only where ** gives NaN: 1 to any power, and
 * -1 to ±Inf, are 1.
 *
 * @example
 * cPow(1, Number.NaN); // 1
 * cPow(-1, Number.POSITIVE_INFINITY); // 1
 * cPow(-8, 1 / 3); // NaN
 */
export function cPow(x: number, y: number): number {
  const r = x ** y;
  if (!Number.isNaN(r)) return r;
  return x === 1 || (x === -1 && (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY)) ? 1 : r;
}

const BINARY: Record<ArithFn | CompareFn | "or", (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: cPow,
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  or: (a, b) => +(a !== 0 || b !== 0),
};

/** The formula's value at `x`, `y` (the reference semantics every generated kernel reproduces). */
export function evaluate(e: Expr, x: number, y: number): number {
  switch (e.kind) {
    case "x":
      return x;
    case "y":
      return y;
    case "const":
      return e.value;
    case "unary":
      return e.fn === "neg" ? -evaluate(e.arg, x, y) : MATH[e.fn](evaluate(e.arg, x, y));
    case "binary":
      return BINARY[e.fn](evaluate(e.args[0], x, y), evaluate(e.args[1], x, y));
    case "select":
      return evaluate(e.args[0], x, y) !== 0 ? evaluate(e.args[1], x, y) : evaluate(e.args[2], x, y);
  }
}

const JS_OPERATOR: Record<ArithFn | CompareFn, string> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  pow: "**",
  eq: "===",
  ne: "!==",
  gt: ">",
  ge: ">=",
  lt: "<",
  le: "<=",
};

const isCompare = (fn: string): fn is CompareFn | "or" => fn === "or" || !(fn in ARITH_SET);
const ARITH_SET: Record<ArithFn, true> = { add: true, sub: true, mul: true, div: true, pow: true };

/**
 * The formula as JS source over the variables `x` and `y`. A comparison in a condition stays a
 * boolean (`x > 0 ? ...`); as a value it is `+(x < y)`, which compiles without a data-dependent branch.
 */
export function toJs(e: Expr, asCondition = false): string {
  switch (e.kind) {
    case "x":
      return "x";
    case "y":
      return "y";
    case "const":
      return e.value < 0 ? `(${e.value})` : String(e.value);
    case "unary":
      if (e.fn === "neg") return `-${toJs(e.arg)}`;
      // Math has no erf: the generated loops import it (special-functions.ts).
      return e.fn === "erf" ? `erf(${toJs(e.arg)})` : `Math.${e.fn}(${toJs(e.arg)})`;
    case "binary": {
      const [a, b] = e.args;
      if (!isCompare(e.fn)) return `(${toJs(a)} ${JS_OPERATOR[e.fn]} ${toJs(b)})`;
      const text =
        e.fn === "or" ? `${toJs(a, true)} || ${toJs(b, true)}` : `${toJs(a)} ${JS_OPERATOR[e.fn]} ${toJs(b)}`;
      return asCondition ? text : `+(${text})`;
    }
    case "select":
      return `(${toJs(e.args[0], true)} ? ${toJs(e.args[1])} : ${toJs(e.args[2])})`;
  }
}

import type { ArithFn, CompareFn, Expr } from "./expr.js";

// Renders an op record's formula as WGSL over float32 values `x` and `y`: the WebGPU backend's view of
// the same records the JS loops and the Wasm SIMD lanes are generated from. WGSL has no log1p, expm1 or
// erf, and its pow is undefined for negative bases, so those call the helpers of WGSL_HELPERS, which
// every generated shader includes.

const WGSL_OPERATOR: Record<Exclude<ArithFn, "pow"> | CompareFn, string> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  eq: "==",
  ne: "!=",
  gt: ">",
  ge: ">=",
  lt: "<",
  le: "<=",
};

const HELPER_CALLS: Partial<Record<string, string>> = { log1p: "t_log1p", expm1: "t_expm1", erf: "t_erf" };

/**
 * The formula as a WGSL f32 expression over `x` and `y`. A comparison in a condition stays a `bool`;
 * as a value it is `select(0.0, 1.0, ...)`.
 *
 * @example
 * toWgsl(ELEMENTWISE.mul.formula); // "(x * y)"
 * toWgsl(ELEMENTWISE.exp.formula); // "exp(x)"
 */
export function toWgsl(e: Expr, asCondition = false): string {
  switch (e.kind) {
    case "x":
    case "y":
      return truth(e.kind, asCondition);
    case "const":
      return truth(literal(e.value), asCondition);
    case "unary": {
      const arg = toWgsl(e.arg);
      if (e.fn === "neg") return truth(`(-${arg})`, asCondition);
      return truth(`${HELPER_CALLS[e.fn] ?? e.fn}(${arg})`, asCondition);
    }
    case "binary": {
      const [a, b] = e.args;
      if (e.fn === "pow") return truth(`t_pow(${toWgsl(a)}, ${toWgsl(b)})`, asCondition);
      if (e.fn === "or") return condition(`(${toWgsl(a, true)} || ${toWgsl(b, true)})`, asCondition);
      const text = `(${toWgsl(a)} ${WGSL_OPERATOR[e.fn]} ${toWgsl(b)})`;
      return e.fn in COMPARE ? condition(text, asCondition) : truth(text, asCondition);
    }
    case "select":
      return truth(
        `select(${toWgsl(e.args[2])}, ${toWgsl(e.args[1])}, ${toWgsl(e.args[0], true)})`,
        asCondition,
      );
  }
}

const COMPARE: Record<CompareFn, true> = { eq: true, ne: true, gt: true, ge: true, lt: true, le: true };

/** A value used as a condition is true when non-zero (the formulas' convention). */
const truth = (value: string, asCondition: boolean): string => (asCondition ? `(${value} != 0.0)` : value);
const condition = (text: string, asCondition: boolean): string =>
  asCondition ? text : `select(0.0, 1.0, ${text})`;

function literal(value: number): string {
  if (Number.isNaN(value)) return "t_nan()";
  if (!Number.isFinite(value)) return value > 0 ? "t_inf()" : "(-t_inf())";
  return `f32(${value})`;
}

/**
 * The WGSL helpers generated formulas call: NaN and infinity (WGSL has no literals for them), pow with
 * PyTorch's results for negative bases and integer exponents (`x ** 2` exactly `x * x`), and log1p,
 * expm1 and erf, which WGSL lacks (erf: Abramowitz and Stegun 7.1.26, within 1.5e-7).
 *
 * @example
 * WGSL_HELPERS.includes("fn t_pow("); // true
 */
export const WGSL_HELPERS = /* wgsl */ `
// Constant expressions may not be NaN or infinite in WGSL: adding a private zero makes them run-time values.
var<private> t_zero: u32;
fn t_nan() -> f32 { return bitcast<f32>(0x7fc00000u + t_zero); }
fn t_inf() -> f32 { return bitcast<f32>(0x7f800000u + t_zero); }
fn t_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (y == 1.0) { return x; }
  if (y == 2.0) { return x * x; }
  if (x == 0.0) { return select(t_inf(), 0.0, y > 0.0); }
  let m = exp2(y * log2(abs(x)));
  if (x > 0.0) { return m; }
  if (y != floor(y)) { return t_nan(); }
  return select(m, -m, fract(y * 0.5) != 0.0);
}
fn t_log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn t_expm1(x: f32) -> f32 {
  if (abs(x) < 1e-5) { return x + 0.5 * x * x; }
  return exp(x) - 1.0;
}
fn t_erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  let r = 1.0 - p * exp(-x * x);
  return select(r, -r, x < 0.0);
}
`;

import type { FunctionBody } from "../wasm/emit.js";
import type { Expr } from "./expr.js";

// Compiles an op record's formula to Wasm SIMD lane code over four float32 lanes: the Wasm backend's
// view of the same records the JS loops are rendered from. Only formulas of instructions that round
// exactly as the reference's double arithmetic rounded to float32 compile (+ - * / are correctly
// rounded in both; comparisons are exact); the rest (pow, exp, ...) run on the JS loops.

/**
 * Whether `e` compiles to f32x4 lane code.
 *
 * @example
 * simdCompiles(ELEMENTWISE.mul.formula); // true
 * simdCompiles(ELEMENTWISE.pow.formula); // false
 */
export function simdCompiles(e: Expr): boolean {
  switch (e.kind) {
    case "x":
    case "y":
      return true;
    case "binary":
      return e.fn !== "pow" && e.fn !== "or" && e.args.every(simdCompiles);
    default:
      return false;
  }
}

/**
 * Emits `e` on four float32 lanes: `operand(v)` pushes the v128 of `x` or `y`, arithmetic leaves
 * floats, a comparison a lane mask (all ones where true). Call only where `simdCompiles(e)`.
 */
export function emitSimd(f: FunctionBody, e: Expr, operand: (v: "x" | "y") => void): void {
  if (e.kind === "x" || e.kind === "y") {
    operand(e.kind);
    return;
  }
  if (e.kind !== "binary" || e.fn === "pow" || e.fn === "or")
    throw new Error(`no SIMD lane code for ${e.kind}`);
  emitSimd(f, e.args[0], operand);
  emitSimd(f, e.args[1], operand);
  const fn = e.fn;
  if (fn === "add" || fn === "sub" || fn === "mul" || fn === "div") F32X4_ARITHMETIC[fn](f);
  else f.f32x4Cmp(fn);
}

const F32X4_ARITHMETIC = {
  add: (f: FunctionBody) => f.vAdd(4),
  sub: (f: FunctionBody) => f.vSub(4),
  mul: (f: FunctionBody) => f.vMul(4),
  div: (f: FunctionBody) => f.vDiv(4),
};

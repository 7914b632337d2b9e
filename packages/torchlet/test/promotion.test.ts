import { readFileSync } from "node:fs";
import fc from "fast-check";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { resultType } from "./result-type.js";

// Type promotion against fixtures/promotion/promotion.json, PyTorch 1.13's torch.result_type and the
// dtypes of add, mul and where over every pair of operand kinds (dimensioned tensor, 0-d tensor,
// number) and dtypes, written by fixtures/promotion/gen_promotion.py.

interface Operand {
  kind: "tensor" | "0-d" | "number";
  dtype: torch.DType | "int" | "float";
}
type Op = "add" | "mul" | "where";
type Row = { a: Operand; b: Operand; resultType: torch.DType } & Record<Op, torch.DType | { error: string }>;

const rows = JSON.parse(
  readFileSync(new URL("../fixtures/promotion/promotion.json", import.meta.url), "utf8"),
) as Row[];

const OPS: Record<Op, (a: torch.Tensor, b: torch.Tensor | number | boolean) => torch.Tensor> = {
  add: (a, b) => torch.add(a, b as torch.Tensor | number),
  mul: (a, b) => torch.mul(a, b as torch.Tensor | number),
  where: (a, b) => torch.where(torch.tensor(true), a, b as torch.Tensor | number),
};

const NUMBERS = { int: 2, float: 2.5, bool: true } as const;

/**
 * Pairs that torchlet promotes differently today, each with the issue item that fixes it: when the
 * fix lands, these tests start passing and `it.fails` reports them; then delete the line.
 */
const ZERO_DIM = "issue 18 item 5: a 0-d tensor promotes like a dimensioned one";
const WHERE_NUMBER = "issue 18 item 6: where casts a number to the other operand's dtype";
const EXPECTED_FAILURES: Record<string, string> = {
  "add(tensor float32, 0-d float64)": ZERO_DIM,
  "add(0-d float64, tensor float32)": ZERO_DIM,
  "mul(tensor float32, 0-d float64)": ZERO_DIM,
  "mul(0-d float64, tensor float32)": ZERO_DIM,
  "where(tensor float32, 0-d float64)": ZERO_DIM,
  "where(0-d float64, tensor float32)": ZERO_DIM,
  "add(tensor int32, 0-d int64)": ZERO_DIM,
  "add(0-d int64, tensor int32)": ZERO_DIM,
  "mul(tensor int32, 0-d int64)": ZERO_DIM,
  "mul(0-d int64, tensor int32)": ZERO_DIM,
  "where(tensor int32, 0-d int64)": ZERO_DIM,
  "where(0-d int64, tensor int32)": ZERO_DIM,
  "where(tensor int32, number float)": WHERE_NUMBER,
  "where(tensor bool, number int)": WHERE_NUMBER,
  "where(tensor bool, number float)": WHERE_NUMBER,
  "where(0-d int32, number float)": WHERE_NUMBER,
  "where(0-d bool, number int)": WHERE_NUMBER,
  "where(0-d bool, number float)": WHERE_NUMBER,
  "where(tensor int64, number float)": WHERE_NUMBER,
  "where(0-d int64, number float)": WHERE_NUMBER,
};

function operand(o: Operand, shape: number[]): torch.Tensor | number | boolean {
  if (o.kind === "number") return NUMBERS[o.dtype as keyof typeof NUMBERS];
  return torch.ones(o.kind === "0-d" ? [] : shape, { dtype: o.dtype as torch.DType });
}

const name = (o: Operand) => `${o.kind} ${o.dtype}`;
/** A dimensioned tensor's shape: one to three dims, empty ones included (promotion ignores shapes). */
const shapes = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 });

describe("resultType (the tests' own statement of PyTorch's rule) agrees with torch.result_type", () => {
  it.each(rows.map((r) => [`${name(r.a)}, ${name(r.b)}`, r] as const))("%s", (_, r) => {
    expect(resultType([operand(r.a, [2]), operand(r.b, [2])])).toBe(r.resultType);
  });
});

describe.each(["add", "mul", "where"] as const)("%s promotes as PyTorch", (op) => {
  for (const r of rows) {
    const key = `${op}(${name(r.a)}, ${name(r.b)})`;
    const want = r[op];
    const check = () =>
      fc.assert(
        fc.property(shapes, (shape) => {
          const a = operand(r.a, shape) as torch.Tensor;
          const b = operand(r.b, r.b.kind === "tensor" && r.a.kind === "tensor" ? shape : [2]);
          if (typeof want !== "string") {
            expect(() => OPS[op](a, b)).toThrow(torch.TorchletError);
            return;
          }
          expect(OPS[op](a, b).dtype).toBe(want);
        }),
        { numRuns: 5 },
      );
    const explained = EXPECTED_FAILURES[key];
    if (explained) it.fails(`${key} -> ${want} (fails today: ${explained})`, check);
    else it(`${key} -> ${typeof want === "string" ? want : "error"}`, check);
  }
});

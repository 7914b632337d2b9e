import fc from "fast-check";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { name, OPS, type Op, operand, rows } from "./promotion-replay.js";

// Type promotion against fixtures/promotion/promotion.json, PyTorch 1.13's torch.result_type and the
// dtypes of add, mul, where, sub, div, pow, remainder, maximum, lt and add_ over every pair of operand kinds (dimensioned tensor, 0-d tensor,
// number) and dtypes, written by fixtures/promotion/gen_promotion.py.

/** A dimensioned tensor's shape: one to three dims, empty ones included (promotion ignores shapes). */
const shapes = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 });

describe.each(Object.keys(OPS) as Op[])("%s promotes as PyTorch", (op) => {
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
    it(`${key} -> ${typeof want === "string" ? want : "error"}`, check);
  }
});

// PyTorch casts every operand to the common dtype before computing (TensorIterator), so a 0-d float64
// operand of a float32 op counts as its float32 value; in place, a result is cast down within its
// category (PyTorch 1.13's outputs in the comments).
describe("operands are computed in the common dtype", () => {
  it("a 0-d float64 compared with a float32 tensor is rounded to float32 first", () => {
    // torch.tensor([0.1]) == torch.tensor(0.1, dtype=torch.float64) -> tensor([True])
    expect(
      torch
        .tensor([0.1])
        .eq(torch.tensor(0.1, { dtype: "float64" }))
        .tolist(),
    ).toEqual([true]);
    // torch.tensor([0.1], dtype=torch.float64) < torch.tensor(0.1) -> tensor([True])
    expect(torch.tensor([0.1], { dtype: "float64" }).lt(torch.tensor(0.1)).tolist()).toEqual([true]);
  });

  it("a float64 result is cast into a float32 tensor in place", () => {
    // torch.tensor([1.]).add_(torch.tensor([1e300], dtype=torch.float64)) -> tensor([inf])
    const x = torch.tensor([1]);
    expect(x.add_(torch.tensor([1e300], { dtype: "float64" })).tolist()).toEqual([Number.POSITIVE_INFINITY]);
    expect(x.dtype).toBe("float32");
  });

  it("the gradient of a 0-d float64 operand of a float32 op is float64", () => {
    const w = torch.tensor(2, { dtype: "float64", requiresGrad: true });
    const y = torch.tensor([1.5, 2.5]).mul(w);
    expect(y.dtype).toBe("float32");
    y.sum().backward();
    expect(w.grad?.dtype).toBe("float64");
    expect(w.grad?.item()).toBe(4);
  });
});

import { isNonOverlappingAndDense, numel, StridedArray } from "@torchlet/storage";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BINARY, backend, reducedShape, reductionDims } from "../src/index.js";

// Property tests: kernels on random shapes, broadcasts and layouts against a plain reference that
// reads every element through its multi-index.

function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    index[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  return index;
}

/** The element of `a` that broadcasting maps output index `index` to. */
function readBroadcast(a: StridedArray, index: readonly number[]): number {
  const lead = index.length - a.ndim;
  return a.at(a.shape.map((s, d) => (s === 1 ? 0 : (index[d + lead] as number))));
}

/**
 * An array of `shape` with distinct values, laid out in one of three ways: contiguous, as a permuted
 * view of a contiguous block (transposed-like), or expanded from size-1 dims.
 */
const operandArb = (shape: readonly number[]) =>
  fc
    .record({
      layout: fc.constantFrom("contiguous", "permuted", "expanded"),
      order: fc.shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: shape.length, maxLength: shape.length },
      ),
      seed: fc.integer({ min: 1, max: 1000 }),
    })
    .map(({ layout, order, seed }) => {
      const values = (n: number) => Float64Array.from({ length: n }, (_, i) => ((i * 37 + seed) % 101) - 50);
      if (layout === "permuted") {
        const stored = order.map((d) => shape[d] as number);
        const inverse = new Array<number>(order.length);
        order.forEach((d, i) => {
          inverse[d] = i;
        });
        return StridedArray.fromFlat(values(numel(stored)), stored).permute(inverse);
      }
      if (layout === "expanded") {
        const small = shape.map((s, i) => (i % 2 === seed % 2 ? 1 : s));
        return StridedArray.fromFlat(values(numel(small)), small).expand(shape);
      }
      return StridedArray.fromFlat(values(numel(shape)), shape);
    });

const outShapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** Two operand shapes that broadcast to `out`: dropped leading dims and sizes set to 1. */
const operandShapesArb = (out: readonly number[]) =>
  fc
    .tuple(
      ...[0, 1].map(() =>
        fc.record({
          drop: fc.integer({ min: 0, max: out.length }),
          ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        }),
      ),
    )
    .map((specs) => specs.map(({ drop, ones }) => out.slice(drop).map((s, i) => (ones[i + drop] ? 1 : s))));

const caseArb = outShapeArb.chain((out) =>
  operandShapesArb(out).chain(([sa, sb]) =>
    fc.record({
      a: operandArb(sa as number[]),
      b: operandArb(sb as number[]),
      op: fc.constantFrom(...(Object.keys(BINARY) as (keyof typeof BINARY)[])),
    }),
  ),
);

describe("binary kernel", () => {
  it("computes every element as the reference does, for any broadcast and layout, into a dense output", () => {
    fc.assert(
      fc.property(caseArb, ({ a, b, op }) => {
        const out = backend().binary(op, a, b, "float64");
        expect(isNonOverlappingAndDense(out)).toBe(true);
        const n = out.numel;
        for (let i = 0; i < n; i++) {
          const index = unravel(i, out.shape);
          const want = BINARY[op](readBroadcast(a, index), readBroadcast(b, index));
          expect(out.at(index)).toBe(want);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("unary kernel", () => {
  it("maps every element of any layout and keeps a dense input's strides", () => {
    fc.assert(
      fc.property(outShapeArb.chain(operandArb), (a) => {
        const out = backend().unary("neg", a);
        for (let i = 0; i < a.numel; i++) {
          const index = unravel(i, a.shape);
          expect(out.at(index)).toBe(-a.at(index));
        }
        if (isNonOverlappingAndDense(a) && !a.shape.includes(1)) expect(out.strides).toEqual(a.strides);
      }),
    );
  });
});

describe("reduce kernel", () => {
  it("sums over any dims of any layout as the reference does", () => {
    const arb = outShapeArb.chain((shape) =>
      fc.record({
        a: operandArb(shape),
        dims: fc.subarray(shape.map((_, i) => i)),
        keepdim: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ a, dims, keepdim }) => {
        const norm = reductionDims("sum", dims.length === 0 ? null : dims, a.ndim);
        const out = backend().reduce("sum", a, norm, keepdim);
        expect(out.shape).toEqual(reducedShape(a.shape, norm, keepdim));
        const want = new Float64Array(out.numel);
        const kept = a.shape.map((_, d) => d).filter((d) => !norm.includes(d));
        for (let i = 0; i < a.numel; i++) {
          const index = unravel(i, a.shape);
          const slot = kept.reduce((acc, d) => acc * (a.shape[d] as number) + (index[d] as number), 0);
          want[slot] = (want[slot] as number) + a.at(index);
        }
        expect(Array.from(out.flat())).toEqual(Array.from(want));
      }),
    );
  });
});

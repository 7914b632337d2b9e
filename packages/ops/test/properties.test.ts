import { type DType, isNonOverlappingAndDense, numel, StridedArray, unravelIndex } from "@torchlet/storage";
import { allocate } from "@torchlet/storage/internal";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BINARY,
  type BinaryOp,
  backend,
  ELEMENTWISE,
  reducedShape,
  reductionDims,
  resultDType,
  UNARY,
  type UnaryOp,
} from "../src/index.js";

// Property tests: kernels on random shapes, broadcasts and layouts against a plain reference that
// reads every element through its multi-index.

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
          const index = unravelIndex(i, out.shape);
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
          const index = unravelIndex(i, a.shape);
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
          const index = unravelIndex(i, a.shape);
          const slot = kept.reduce((acc, d) => acc * (a.shape[d] as number) + (index[d] as number), 0);
          want[slot] = (want[slot] as number) + a.at(index);
        }
        expect(Array.from(out.flat())).toEqual(Array.from(want));
      }),
    );
  });
});

// ---- the specialised loops against the per-element formulas, on every dtype, odd sizes and values ----

/** Sizes 0 to 5, so that empty, single-element and odd shapes all come up. */
const anyShapeArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 });

/**
 * What the reference kernels store for `v` in an array of `dtype`: float32 rounding, int32
 * wrap-around, and for bool the byte store (NaN and multiples of 256 give 0) read back as 0/1.
 */
function stored(dtype: DType, v: number): number {
  const cell = allocate(dtype, 1);
  cell[0] = v;
  const r = cell[0] as number;
  return dtype === "bool" ? (r !== 0 ? 1 : 0) : r;
}

/** A NaN with its sign bit set, as x86 arithmetic produces (0 * -Infinity). */
const NEGATIVE_NAN = new Float64Array(new BigUint64Array([0xfff8000000000000n]).buffer)[0] as number;

const SPECIAL = [
  Number.NaN,
  NEGATIVE_NAN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  1,
  -1,
  2.5,
  2 ** 31 - 1,
  -(2 ** 31),
  3e9,
];

/** An operand of `shape` whose values include NaN, +-Inf, -0 and int32 extremes, in any layout. */
const valuesArb = (shape: readonly number[], dtype: DType) =>
  fc
    .record({
      layout: operandArb(shape),
      values: fc.array(fc.constantFrom(...SPECIAL), { minLength: 1, maxLength: 8 }),
    })
    .map(({ layout, values }) => {
      const data = allocate(dtype, layout.data.length);
      for (let i = 0; i < data.length; i++) data[i] = stored(dtype, values[i % values.length] as number);
      return new StridedArray(data, dtype, layout.shape, layout.strides, layout.offset);
    });

const dtypeArb = fc.constantFrom<DType>("float32", "float64", "int32", "bool");

/**
 * pow into int32 from integer operands: exact products wrapping as C's (BigInt), PyTorch's powi for
 * negative exponents. Null where the formula is the reference (int64: exact within its range).
 */
function integerPower(op: BinaryOp, dtype: DType, x: number, y: number): number | null {
  if (op !== "pow" || dtype !== "int32" || !Number.isInteger(x) || !Number.isInteger(y)) return null;
  if (y < 0) return x === 1 ? 1 : x === -1 ? (y % 2 === 0 ? 1 : -1) : 0;
  let result = 1n;
  let base = BigInt.asIntN(32, BigInt(x));
  for (let e = BigInt(y); e > 0n; e >>= 1n) {
    if (e & 1n) result = BigInt.asIntN(32, result * base);
    base = BigInt.asIntN(32, base * base);
  }
  return Number(result);
}

describe("specialised binary loops", () => {
  it("match BINARY's formula on every dtype, layout and broadcast, with NaN, Inf and int32 wrap-around", () => {
    const arb = outShapeArb.chain((out) =>
      operandShapesArb(out).chain(([sa, sb]) =>
        fc
          .record({
            da: dtypeArb,
            db: dtypeArb,
            dout: dtypeArb,
            op: fc.constantFrom(...(Object.keys(BINARY) as BinaryOp[])),
          })
          .chain((k) =>
            fc.record({
              a: valuesArb(sa as number[], k.da),
              b: valuesArb(sb as number[], k.db),
              k: fc.constant(k),
            }),
          ),
      ),
    );
    fc.assert(
      fc.property(arb, ({ a, b, k }) => {
        const out = backend().binary(k.op, a, b, k.dout);
        expect(out.dtype).toBe(k.dout);
        expect(isNonOverlappingAndDense(out)).toBe(true);
        for (let i = 0; i < out.numel; i++) {
          const index = unravelIndex(i, out.shape);
          const [x, y] = [readBroadcast(a, index), readBroadcast(b, index)];
          const want = stored(k.dout, integerPower(k.op, k.dout, x, y) ?? BINARY[k.op](x, y));
          expect(Object.is(out.at(index), want) || (Number.isNaN(want) && Number.isNaN(out.at(index)))).toBe(
            true,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("handle empty operands and keep the reference's output layout", () => {
    fc.assert(
      fc.property(
        anyShapeArb.chain((shape) => fc.tuple(operandArb(shape), operandArb(shape))),
        ([a, b]) => {
          const out = backend().binary("sub", a, b, "float64");
          expect(out.shape).toEqual(a.shape);
          for (let i = 0; i < out.numel; i++) {
            const index = unravelIndex(i, out.shape);
            expect(out.at(index)).toBe(a.at(index) - b.at(index));
          }
        },
      ),
    );
  });
});

describe("specialised unary loops", () => {
  it("match UNARY's formula for every op, dtype and layout, with NaN, Inf and -0", () => {
    const arb = anyShapeArb.chain((shape) =>
      fc
        .record({
          dtype: fc.constantFrom<DType>("float32", "float64", "int32"),
          op: fc.constantFrom(...(Object.keys(UNARY) as UnaryOp[])),
        })
        .chain((k) => fc.record({ a: valuesArb(shape, k.dtype), k: fc.constant(k) })),
    );
    fc.assert(
      fc.property(arb, ({ a, k }) => {
        // the op's dtype rule: int32 stays int32 unless the op computes in floats
        const outDtype = resultDType(k.op, ELEMENTWISE[k.op].dtype, a);
        const out = backend().unary(k.op, a, outDtype);
        for (let i = 0; i < a.numel; i++) {
          const index = unravelIndex(i, a.shape);
          const want = stored(outDtype, UNARY[k.op](a.at(index)));
          expect(Object.is(out.at(index), want) || (Number.isNaN(want) && Number.isNaN(out.at(index)))).toBe(
            true,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("where kernel", () => {
  it("picks from x or y for any broadcast and layout of the three operands", () => {
    const arb = outShapeArb.chain((out) =>
      fc.tuple(operandShapesArb(out), operandShapesArb(out)).chain(([[sc, sx], [, sy]]) =>
        fc.record({
          c: operandArb(sc as number[]).map((c) => {
            const bits = Uint8Array.from(c.data, (v) => (v > 0 ? 1 : 0));
            return new StridedArray(bits, "bool", c.shape, c.strides, c.offset);
          }),
          x: operandArb(sx as number[]),
          y: operandArb(sy as number[]),
        }),
      ),
    );
    fc.assert(
      fc.property(arb, ({ c, x, y }) => {
        const out = backend().where(c, x, y, "float64");
        expect(isNonOverlappingAndDense(out)).toBe(true);
        for (let i = 0; i < out.numel; i++) {
          const index = unravelIndex(i, out.shape);
          const want = readBroadcast(c, index) !== 0 ? readBroadcast(x, index) : readBroadcast(y, index);
          expect(out.at(index)).toBe(want);
        }
      }),
    );
  });
});

describe("reduce kernel, every op", () => {
  it("sum, mean, max and min over any dims of any layout (empty and NaN included) as a per-element fold does", () => {
    const arb = anyShapeArb.chain((shape) =>
      fc.record({
        a: fc.oneof(operandArb(shape), valuesArb(shape, "float64")),
        dims: fc.subarray(shape.map((_, i) => i)),
        keepdim: fc.boolean(),
        op: fc.constantFrom<"sum" | "mean" | "max" | "min">("sum", "mean", "max", "min"),
      }),
    );
    fc.assert(
      fc.property(arb, ({ a, dims, keepdim, op }) => {
        const norm = reductionDims(op, dims.length === 0 ? null : dims, a.ndim);
        const shape = reducedShape(a.shape, norm, keepdim);
        const groups = numel(shape);
        if ((op === "max" || op === "min") && groups > 0 && a.numel === 0) {
          expect(() => backend().reduce(op, a, norm, keepdim)).toThrow();
          return;
        }
        const out = backend().reduce(op, a, norm, keepdim);
        const init = op === "max" ? Number.NEGATIVE_INFINITY : op === "min" ? Number.POSITIVE_INFINITY : 0;
        const want = new Float64Array(groups).fill(init);
        const kept = a.shape.map((_, d) => d).filter((d) => !norm.includes(d));
        for (let i = 0; i < a.numel; i++) {
          const index = unravelIndex(i, a.shape);
          const slot = kept.reduce((acc, d) => acc * (a.shape[d] as number) + (index[d] as number), 0);
          const v = a.at(index);
          const w = want[slot] as number;
          want[slot] = op === "max" ? Math.max(w, v) : op === "min" ? Math.min(w, v) : w + v;
        }
        const size = groups === 0 ? 0 : a.numel / groups;
        const expected = Array.from(want, (v) => (op === "mean" ? v / size : v));
        expect(Array.from(out.flat())).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe("binary into an existing array", () => {
  it("writes what a fresh result holds, into `a` itself, for any op, broadcast operand and dtype", () => {
    const arb = anyShapeArb.chain((shape) =>
      fc
        .record({
          dtype: dtypeArb,
          op: fc.constantFrom(...(Object.keys(BINARY) as BinaryOp[])),
          drop: fc.integer({ min: 0, max: shape.length }),
        })
        .chain((k) =>
          fc.record({
            a: valuesArb(shape, k.dtype),
            b: valuesArb(shape.slice(k.drop), k.dtype),
            k: fc.constant(k),
          }),
        ),
    );
    fc.assert(
      fc.property(arb, ({ a, b, k }) => {
        const want = backend().binary(k.op, a, b, k.dtype);
        const target = a.copy();
        const out = backend().binary(k.op, target, b, k.dtype, k.op, target);
        expect(out.dtype).toBe(k.dtype);
        expect(Array.from(out.flat())).toEqual(Array.from(want.flat()));
        if (out === target && b.numel > 0) expect(Array.from(target.flat())).toEqual(Array.from(want.flat()));
      }),
      { numRuns: 200 },
    );
  });
});

describe("bit-level loops (relu, where on float32/int32 with more than 16 elements)", () => {
  const bigShapeArb = fc
    .array(fc.integer({ min: 1, max: 7 }), { minLength: 2, maxLength: 3 })
    .filter((s) => numel(s) > 16);

  it("relu matches UNARY.relu on NaN, +-Inf, -0 and int32 extremes, for any layout", () => {
    const arb = bigShapeArb.chain((shape) =>
      fc.constantFrom<DType>("float32", "int32").chain((dtype) => valuesArb(shape, dtype)),
    );
    fc.assert(
      fc.property(arb, (a) => {
        const out = backend().unary("relu", a);
        for (let i = 0; i < a.numel; i++) {
          const index = unravelIndex(i, a.shape);
          const want = stored(a.dtype, UNARY.relu(a.at(index)));
          expect(Object.is(out.at(index), want) || (Number.isNaN(want) && Number.isNaN(out.at(index)))).toBe(
            true,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it("where selects the same values as the branchy loop for any broadcast (scalar branches too) and layout", () => {
    const arb = bigShapeArb.chain((out) =>
      fc
        .tuple(operandShapesArb(out), operandShapesArb(out), fc.constantFrom<DType>("float32", "int32"))
        .chain(([[sc, sx], [, sy], dtype]) =>
          fc.record({
            c: operandArb(sc as number[]).map((c) => {
              // bool storage may hold other nonzero bytes (fill_(2)): any nonzero byte selects x.
              const bits = Uint8Array.from(c.data, (v) => [0, 1, 2, 255][Math.abs(v) % 4] as number);
              return new StridedArray(bits, "bool", c.shape, c.strides, c.offset);
            }),
            x: fc.oneof(valuesArb(sx as number[], dtype), valuesArb([], dtype)),
            y: fc.oneof(valuesArb(sy as number[], dtype), valuesArb([], dtype)),
            shape: fc.constant(out),
          }),
        ),
    );
    fc.assert(
      fc.property(arb, ({ c, x, y }) => {
        const out = backend().where(c, x, y, x.dtype);
        for (let i = 0; i < out.numel; i++) {
          const index = unravelIndex(i, out.shape);
          const want = readBroadcast(c, index) !== 0 ? readBroadcast(x, index) : readBroadcast(y, index);
          expect(Object.is(out.at(index), want) || (Number.isNaN(want) && Number.isNaN(out.at(index)))).toBe(
            true,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});

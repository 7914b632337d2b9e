import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  broadcastShapes,
  copyPreservingLayout,
  inversePermutation,
  isNonOverlappingAndDense,
  numel,
  StridedArray,
  TorchletError,
  unravelIndex,
} from "../src/index.js";

// Property tests: strided views against a plain reference that works on row-major lists of values.

function ravel(index: readonly number[], shape: readonly number[]): number {
  return index.reduce((acc, x, d) => acc * (shape[d] as number) + x, 0);
}

/** Reference permute: element at index j of the result is element j∘order⁻¹ of the input. */
function refPermute(values: readonly number[], shape: readonly number[], order: readonly number[]): number[] {
  const outShape = order.map((d) => shape[d] as number);
  return Array.from({ length: values.length }, (_, i) => {
    const j = unravelIndex(i, outShape);
    const src = new Array<number>(shape.length);
    order.forEach((d, k) => {
      src[d] = j[k] as number;
    });
    return values[ravel(src, shape)] as number;
  });
}

/** Reference broadcast: align right, equal sizes or a 1. */
function refBroadcast(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = i < n - a.length ? 1 : (a[i - (n - a.length)] as number);
    const y = i < n - b.length ? 1 : (b[i - (n - b.length)] as number);
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });
const arrayArb = shapeArb.map((shape) => {
  const data = Float64Array.from({ length: numel(shape) }, (_, i) => i + 1);
  return StridedArray.fromFlat(data, shape);
});
const withOrderArb = arrayArb.chain((a) =>
  fc
    .shuffledSubarray(
      a.shape.map((_, i) => i),
      { minLength: a.ndim, maxLength: a.ndim },
    )
    .map((order) => ({ a, order })),
);

const values = (a: StridedArray): number[] => Array.from(a.flat());

describe("broadcastShapes", () => {
  it("agrees with the reference and throws TorchletError exactly when the reference fails", () => {
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        const want = refBroadcast(a, b);
        if (want === null) expect(() => broadcastShapes("add", a, b)).toThrow(TorchletError);
        else expect(broadcastShapes("add", a, b)).toEqual(want);
      }),
    );
  });

  it("is symmetric and broadcasting a shape with itself is the identity", () => {
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        expect(broadcastShapes("add", a, a)).toEqual(a);
        if (refBroadcast(a, b)) expect(broadcastShapes("add", a, b)).toEqual(broadcastShapes("add", b, a));
      }),
    );
  });
});

describe("permute", () => {
  it("reads the reference's values, shares storage, and permuting back restores the original", () => {
    fc.assert(
      fc.property(withOrderArb, ({ a, order }) => {
        const p = a.permute(order);
        expect(p.data).toBe(a.data);
        expect(values(p)).toEqual(refPermute(values(a), a.shape, order));
        const back = p.permute(inversePermutation(order));
        expect(back.shape).toEqual(a.shape);
        expect(back.strides).toEqual(a.strides);
      }),
    );
  });

  it("a permuted dense array stays dense and a layout-preserving copy keeps its strides", () => {
    fc.assert(
      fc.property(withOrderArb, ({ a, order }) => {
        const p = a.permute(order);
        expect(isNonOverlappingAndDense(p)).toBe(true);
        const copy = copyPreservingLayout(p);
        expect(copy.data).not.toBe(a.data);
        expect(values(copy)).toEqual(values(p));
        if (!a.shape.includes(1)) expect(copy.strides).toEqual(p.strides);
      }),
    );
  });
});

describe("reshape and view", () => {
  it("reshape of a contiguous array is a view; reshape back round-trips", () => {
    fc.assert(
      fc.property(arrayArb, (a) => {
        const flat = a.reshape([-1]);
        expect(flat.data).toBe(a.data);
        expect(values(flat)).toEqual(values(a));
        expect(flat.reshape(a.shape).shape).toEqual(a.shape);
      }),
    );
  });

  it("on any permutation, reshape keeps row-major values, and view either succeeds as a true view or throws", () => {
    fc.assert(
      fc.property(withOrderArb, ({ a, order }) => {
        const p = a.permute(order);
        const want = refPermute(values(a), a.shape, order);
        expect(values(p.reshape([-1]))).toEqual(want);
        const v = p.tryView([p.numel]);
        if (v) {
          expect(v.data).toBe(a.data);
          expect(values(v)).toEqual(want);
        } else {
          expect(p.isContiguous()).toBe(false);
          expect(() => p.view([p.numel])).toThrow(TorchletError);
        }
      }),
    );
  });
});

describe("expand, unsqueeze, squeeze", () => {
  it("expand repeats values along new and size-1 dims without copying", () => {
    fc.assert(
      fc.property(shapeArb, fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), (shape, lead) => {
        const small = shape.map((s, i) => (i % 2 === 0 ? 1 : s));
        const a = StridedArray.fromFlat(
          Float64Array.from({ length: numel(small) }, (_, i) => i),
          small,
        );
        const target = [...lead, ...shape];
        const e = a.expand(target);
        expect(e.data).toBe(a.data);
        const got = values(e);
        got.forEach((v, i) => {
          const idx = unravelIndex(i, target).slice(lead.length);
          expect(v).toBe(
            ravel(
              idx.map((x, d) => (small[d] === 1 ? 0 : x)),
              small,
            ),
          );
        });
      }),
    );
  });

  it("unsqueeze then squeeze at the same dim is the identity view", () => {
    fc.assert(
      fc.property(
        arrayArb.chain((a) =>
          fc.record({ a: fc.constant(a), d: fc.integer({ min: -a.ndim - 1, max: a.ndim }) }),
        ),
        ({ a, d }) => {
          const u = a.unsqueeze(d);
          expect(u.ndim).toBe(a.ndim + 1);
          expect(u.data).toBe(a.data);
          const s = u.squeeze(d);
          expect(s.shape).toEqual(a.shape);
          expect(values(s)).toEqual(values(a));
        },
      ),
    );
  });
});

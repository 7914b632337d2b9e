import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copyInto, type DType, numel, StridedArray, unravelIndex } from "../src/index.js";
import { allocate } from "../src/internal.js";

// copyInto walks coalesced rows; these properties compare it with a per-element copy through
// multi-indices, for permuted, sliced, expanded and size-0/size-1 layouts and every dtype pair.

const dtypeArb = fc.constantFrom<DType>("float32", "float64", "int32", "bool");
const VALUES = [0, -0, 1, -1, 2.7, -2.7, 3e9, Number.NaN, Number.POSITIVE_INFINITY, 255, 256];

/** A view of `shape` over a bigger block: permuted, then narrowed or expanded on some dims. */
const layoutArb = (shape: readonly number[], dtype: DType) =>
  fc
    .record({
      order: fc.shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: shape.length, maxLength: shape.length },
      ),
      pad: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
      expand: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      seed: fc.integer({ min: 0, max: 100 }),
    })
    .map(({ order, pad, expand, seed }) => {
      // Storage dims in `order`, each padded by `pad` extra elements that the view skips.
      const stored = order.map((d) => (expand[d] ? 1 : (shape[d] as number)) + (pad[d] as number));
      const data = allocate(dtype, numel(stored));
      for (let i = 0; i < data.length; i++) {
        const v = VALUES[(i * 7 + seed) % VALUES.length] as number;
        data[i] = dtype === "bool" ? (v !== 0 ? 1 : 0) : v; // bool tensors hold 0/1
      }
      let view = StridedArray.fromFlat(data, stored, dtype);
      order.forEach((d, k) => {
        view = view.narrow(k, pad[d] as number, expand[d] ? 1 : (shape[d] as number));
      });
      const inverse = new Array<number>(order.length);
      order.forEach((d, k) => {
        inverse[d] = k;
      });
      return view.permute(inverse).expand(shape);
    });

describe("copyInto", () => {
  it("copies every element of any layout into any other, converting the dtype as a per-element store does", () => {
    const arb = fc
      .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
      .chain((shape) =>
        fc
          .tuple(dtypeArb, dtypeArb)
          .chain(([ds, dd]) => fc.record({ src: layoutArb(shape, ds), dst: layoutArb(shape, dd) })),
      );
    fc.assert(
      fc.property(arb, ({ src, dst }) => {
        // A destination must not alias itself through stride 0; write into a dense permuted target instead.
        const target = dst.strides.some((s, d) => s === 0 && (dst.shape[d] as number) > 1)
          ? StridedArray.zeros(dst.shape, dst.dtype)
          : dst;
        copyInto(target, src);
        const toBool = target.dtype === "bool";
        const truncate = target.dtype === "int32" && src.dtype !== "int32" && src.dtype !== "bool";
        for (let i = 0; i < src.numel; i++) {
          const index = unravelIndex(i, src.shape);
          const v = src.at(index);
          const cell = allocate(target.dtype, 1);
          cell[0] = toBool ? (v !== 0 ? 1 : 0) : truncate ? Math.trunc(v) : v;
          expect(
            Object.is(target.at(index), cell[0]) ||
              (Number.isNaN(cell[0] as number) && Number.isNaN(target.at(index))),
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("leaves the elements outside a sliced destination alone", () => {
    const block = StridedArray.fromFlat(new Float32Array(12), [3, 4]);
    copyInto(
      block.narrow(1, 1, 2).transpose(0, 1),
      StridedArray.fromFlat(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]),
    );
    expect(Array.from(block.data)).toEqual([0, 1, 4, 0, 0, 2, 5, 0, 0, 3, 6, 0]);
  });
});

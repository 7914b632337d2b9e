import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { HEAP_SCRATCH_BYTES } from "@torchlet/storage/internal";
import { beforeEach, describe, expect, it } from "vitest";
import { elementwiseInfo, fastBackend, referenceBackend } from "../src/index.js";
import { PAGES } from "../src/wasm/elementwise-kernels.js";
import { inHeap } from "./operands.js";

// The Wasm SIMD paths of the fast backend (elementwise-wasm.ts) against the reference kernels, at
// sizes around its threshold and chunk size, with offsets, specials and the cases it must hand back.

// A deterministic LCG, so failures reproduce; every 7th value is a special one.
const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-40, -1e38];
function filled(dtype: DType, count: number, seed: number, specials = true): TypedArray {
  const data =
    dtype === "float32"
      ? new Float32Array(count)
      : dtype === "float64"
        ? new Float64Array(count)
        : dtype === "int32"
          ? new Int32Array(count)
          : new Uint8Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 - 0.5;
    if (dtype === "bool") data[i] = u > 0 ? 1 : 0;
    else if (dtype === "int32") data[i] = Math.round(u * 200);
    else data[i] = specials && i % 7 === 3 ? (SPECIALS[(i >> 3) % SPECIALS.length] as number) : u * 8;
  }
  return data;
}

/** A contiguous array of `shape` that starts `offset` elements into its storage. */
function array(dtype: DType, shape: number[], seed: number, offset = 0, specials = true): StridedArray {
  const n = shape.reduce((x, y) => x * y, 1);
  const data = filled(dtype, n + offset + 5, seed, specials);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
  return new StridedArray(data, dtype, shape, strides, offset);
}

/** Same dtype, shape and values, bit for bit (so NaN equals NaN, and -0 differs from 0). */
function expectSame(fast: StridedArray, ref: StridedArray): void {
  expect(fast.dtype).toBe(ref.dtype);
  expect(fast.shape).toEqual(ref.shape);
  const f = fast.copy().data;
  const r = ref.copy().data;
  expect(f.length).toBe(r.length);
  for (let i = 0; i < r.length; i++) {
    if (!Object.is(f[i], r[i])) expect([i, f[i]]).toEqual([i, r[i]]);
  }
}

const SIZES = [1, 2047, 2048, 2049, 16384, 16384 * 2 + 17, 50_003];
const OPS = ["add", "sub", "mul", "div"] as const;

describe("fast backend: Wasm SIMD elementwise", () => {
  it("add/sub/mul/div of same-shape float32 arrays equal the reference bit for bit", () => {
    for (const n of SIZES) {
      for (const op of OPS) {
        const a = array("float32", [n], n, 3);
        const b = array("float32", [n], n + 1, 0);
        expectSame(fastBackend.binary(op, a, b, "float32"), referenceBackend.binary(op, a, b, "float32"));
      }
    }
  });

  it("a one-element operand on either side, with broadcast shapes", () => {
    for (const op of OPS) {
      const a = array("float32", [3, 1001], 5, 2);
      const s = array("float32", [1, 1], 6, 4, false);
      for (const [x, y] of [
        [a, s],
        [s, a],
      ] as const) {
        expectSame(fastBackend.binary(op, x, y, "float32"), referenceBackend.binary(op, x, y, "float32"));
      }
      // A scalar with more dims than the array broadcasts the output's shape up.
      const s3 = array("float32", [1, 1, 1], 7, 0, false);
      const v = array("float32", [4000], 8);
      expectSame(fastBackend.binary(op, v, s3, "float32"), referenceBackend.binary(op, v, s3, "float32"));
    }
  });

  it("a row broadcast down a matrix on either side, also with rows across chunks and into `into`", () => {
    for (const [rows, cols] of [
      [100, 32],
      [8192, 256],
      [7, 5000],
      [3, 16384],
    ] as const) {
      for (const op of OPS) {
        const m = array("float32", [rows, cols], rows + cols, 3);
        const r = array("float32", [1, cols], cols, 1);
        const v = array("float32", [cols], cols + 1);
        for (const [x, y] of [
          [m, r],
          [r, m],
          [m, v],
          [v, m],
        ] as const) {
          expectSame(fastBackend.binary(op, x, y, "float32"), referenceBackend.binary(op, x, y, "float32"));
        }
        const target = m.copy();
        expect(fastBackend.binary(op, target, r, "float32", op, target)).toBe(target);
        expectSame(target, referenceBackend.binary(op, m, r, "float32"));
      }
    }
  }, 60_000); // 8 MB arrays by the dozen: fresh pages, slow on a loaded machine

  it("writes into `into` (in-place ops), also when it is an operand", () => {
    for (const op of OPS) {
      const a = array("float32", [40_000], 9, 1);
      const b = array("float32", [40_000], 10);
      const expected = referenceBackend.binary(op, a, b, "float32");
      const target = a.copy();
      const out = fastBackend.binary(op, target, b, "float32", op, target);
      expect(out).toBe(target);
      expectSame(target, expected);
    }
  });

  it("hands strided, row-broadcast, mixed-dtype, int32, bool and float64 cases to the reference", () => {
    const a = array("float32", [100, 60], 11);
    const cases: [StridedArray, StridedArray, DType][] = [
      [a.transpose(0, 1), array("float32", [60, 100], 12), "float32"],
      [a, array("float32", [60], 13), "float32"],
      [array("int32", [5000], 14), array("int32", [5000], 15), "int32"],
      [array("bool", [5000], 16), array("bool", [5000], 17), "bool"],
      [array("float64", [5000], 18), array("float64", [5000], 19), "float64"],
      [array("float32", [5000], 20), array("float64", [5000], 21), "float64"],
    ];
    for (const [x, y, dtype] of cases) {
      for (const op of OPS) {
        if (dtype === "bool" && op === "sub") continue;
        expectSame(fastBackend.binary(op, x, y, dtype), referenceBackend.binary(op, x, y, dtype));
      }
      expectSame(fastBackend.binary("gt", x, y, "bool"), referenceBackend.binary("gt", x, y, "bool"));
    }
  });

  it("relu equals the reference bit for bit (NaN of either sign and -0 kept)", () => {
    for (const n of SIZES) {
      const a = array("float32", [n], 30 + n, 2);
      const bits = new Int32Array(a.data.buffer, a.data.byteOffset, a.data.length);
      bits[7] = -1; // a NaN with the sign bit set
      bits[9] = 0x80000000 | 0; // -0
      bits[11] = 0x80000001 | 0; // the negative subnormal nearest 0: set to +0
      bits[13] = 0xff800000 | 0; // -Infinity: +0
      expectSame(fastBackend.unary("relu", a), referenceBackend.unary("relu", a));
    }
    const t = array("float32", [100, 50], 40).transpose(0, 1);
    expectSame(fastBackend.unary("relu", t), referenceBackend.unary("relu", t));
    const i = array("int32", [5000], 41);
    expectSame(fastBackend.unary("relu", i), referenceBackend.unary("relu", i));
    const e = array("float32", [5000], 42);
    expectSame(fastBackend.unary("exp", e), referenceBackend.unary("exp", e));
  });

  it("sum and mean of every element agree with the reference to float32 precision", () => {
    for (const n of SIZES) {
      const a = array("float32", [n], 50 + n, 1, false);
      for (const op of ["sum", "mean"] as const) {
        const f = fastBackend.reduce(op, a, [0], false);
        const r = referenceBackend.reduce(op, a, [0], false);
        expect(f.shape).toEqual([]);
        expect(f.data[0] as number).toBeCloseTo(r.data[0] as number, 3);
        expect(Math.abs((f.data[0] as number) - (r.data[0] as number))).toBeLessThanOrEqual(
          Math.abs(r.data[0] as number) * 2 ** -22 + 1e-6,
        );
      }
    }
    // Integer-valued data sums exactly in any order.
    const ints = new StridedArray(Float32Array.from(filled("int32", 30_001, 60)), "float32", [30_001], [1]);
    expectSame(fastBackend.reduce("sum", ints, [0], false), referenceBackend.reduce("sum", ints, [0], false));
  });

  it("sum/mean: keepdim shapes, NaN and infinities, and the cases left to the reference", () => {
    const a = array("float32", [30, 200], 70, 3, false);
    expectSame(fastBackend.reduce("sum", a, [0, 1], true), referenceBackend.reduce("sum", a, [0, 1], true));
    expectSame(fastBackend.reduce("sum", a, [1], false), referenceBackend.reduce("sum", a, [1], false));
    expectSame(fastBackend.reduce("max", a, [0, 1], false), referenceBackend.reduce("max", a, [0, 1], false));
    const t = a.transpose(0, 1);
    expectSame(
      fastBackend.reduce("mean", t, [0, 1], false),
      referenceBackend.reduce("mean", t, [0, 1], false),
    );
    const i = array("int32", [5000], 71);
    expectSame(fastBackend.reduce("sum", i, [0], false), referenceBackend.reduce("sum", i, [0], false));
    for (const special of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const s = array("float32", [20_000], 72, 0, false);
      s.data[12_345] = special;
      expectSame(fastBackend.reduce("sum", s, [0], false), referenceBackend.reduce("sum", s, [0], false));
    }
    const both = array("float32", [20_000], 73, 0, false);
    both.data[5] = Number.POSITIVE_INFINITY;
    both.data[19_999] = Number.NEGATIVE_INFINITY;
    expect(Number.isNaN(fastBackend.reduce("sum", both, [0], false).data[0])).toBe(true);
    const zeros = StridedArray.zeros([4096], "float32");
    zeros.data.fill(-0);
    expectSame(
      fastBackend.reduce("sum", zeros, [0], false),
      referenceBackend.reduce("sum", zeros, [0], false),
    );
  });
});

describe("fast backend: Wasm SIMD comparisons, where and column sums", () => {
  const CMP = ["gt", "ge", "lt", "le", "eq", "ne"] as const;
  const SCALARS = [0, -0, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const scalar = (v: number, shape: number[] = []) => StridedArray.fromFlat(new Float32Array([v]), shape);

  it("float32 compared with a float32 scalar on either side equals the reference bit for bit", () => {
    for (const n of SIZES) {
      const a = array("float32", [n], n + 7, 2);
      for (const v of SCALARS) {
        for (const op of CMP) {
          const s = scalar(v);
          expectSame(fastBackend.binary(op, a, s, "bool"), referenceBackend.binary(op, a, s, "bool"));
          expectSame(fastBackend.binary(op, s, a, "bool"), referenceBackend.binary(op, s, a, "bool"));
        }
      }
    }
    const m = array("float32", [129, 130], 5);
    const s = scalar(0, [1, 1, 1]); // broadcasting adds a dim: the reference's shape
    expectSame(fastBackend.binary("gt", m, s, "bool"), referenceBackend.binary("gt", m, s, "bool"));
  });

  it("comparisons: strided, float64, int32 and non-scalar operands go to the reference", () => {
    const m = array("float32", [300, 40], 9).transpose(0, 1);
    const s = scalar(0.25);
    expectSame(fastBackend.binary("lt", m, s, "bool"), referenceBackend.binary("lt", m, s, "bool"));
    const d = array("float64", [5000], 3);
    const sd = StridedArray.fromFlat(new Float64Array([0]), []);
    expectSame(fastBackend.binary("ge", d, sd, "bool"), referenceBackend.binary("ge", d, sd, "bool"));
    const i = array("int32", [5000], 4);
    const si = StridedArray.fromFlat(new Int32Array([0]), []);
    expectSame(fastBackend.binary("ne", i, si, "bool"), referenceBackend.binary("ne", i, si, "bool"));
    const b = array("float32", [5000], 6);
    const a = array("float32", [5000], 7);
    expectSame(fastBackend.binary("le", a, b, "bool"), referenceBackend.binary("le", a, b, "bool"));
  });

  it("where(mask, x, scalar) and where(mask, scalar, y) equal the reference bit for bit", () => {
    for (const n of SIZES) {
      const x = array("float32", [n], n + 3, 1);
      const c = array("bool", [n], n + 11, 3);
      for (const v of SCALARS) {
        const s = scalar(v);
        expectSame(fastBackend.where(c, x, s, "float32"), referenceBackend.where(c, x, s, "float32"));
        expectSame(fastBackend.where(c, s, x, "float32"), referenceBackend.where(c, s, x, "float32"));
      }
    }
    // A condition holding other nonzero bytes still selects x.
    const c = new StridedArray(
      new Uint8Array(4099).map((_, i) => i % 3),
      "bool",
      [4099],
      [1],
    );
    const x = array("float32", [4099], 8);
    const s = scalar(-0);
    expectSame(fastBackend.where(c, x, s, "float32"), referenceBackend.where(c, x, s, "float32"));
  });

  it("where: strided, broadcast, float64 and three-array cases go to the reference", () => {
    const c = array("bool", [64, 70], 1);
    const x = array("float32", [70, 64], 2).transpose(0, 1);
    const s = scalar(1);
    expectSame(fastBackend.where(c, x, s, "float32"), referenceBackend.where(c, x, s, "float32"));
    const row = array("bool", [1, 70], 3);
    const full = array("float32", [64, 70], 4);
    expectSame(fastBackend.where(row, full, s, "float32"), referenceBackend.where(row, full, s, "float32"));
    const y = array("float32", [64, 70], 5);
    expectSame(fastBackend.where(c, full, y, "float32"), referenceBackend.where(c, full, y, "float32"));
    const d = array("float64", [64, 70], 6);
    const sd = StridedArray.fromFlat(new Float64Array([0]), []);
    expectSame(fastBackend.where(c, d, sd, "float64"), referenceBackend.where(c, d, sd, "float64"));
    const s3 = scalar(2, [1, 1, 1]);
    expectSame(fastBackend.where(c, full, s3, "float32"), referenceBackend.where(c, full, s3, "float32"));
  });

  it("sum/mean over dim 0 of a float32 matrix equal the reference bit for bit", () => {
    for (const cols of [1, 3, 4, 5, 255, 256, 257, 1000, 8188, 8189]) {
      for (const n of [2048, 16385, 50_003]) {
        const rows = Math.ceil(n / cols);
        const a = array("float32", [rows, cols], rows + cols, 1);
        for (const op of ["sum", "mean"] as const) {
          for (const keepdim of [false, true]) {
            expectSame(fastBackend.reduce(op, a, [0], keepdim), referenceBackend.reduce(op, a, [0], keepdim));
          }
        }
      }
    }
    const t = array("float32", [300, 40], 2).transpose(0, 1);
    expectSame(fastBackend.reduce("sum", t, [0], false), referenceBackend.reduce("sum", t, [0], false));
    const f = array("float32", [300, 40], 3);
    expectSame(fastBackend.reduce("sum", f, [1], false), referenceBackend.reduce("sum", f, [1], false));
    expectSame(fastBackend.reduce("max", f, [0], false), referenceBackend.reduce("max", f, [0], false));
  });
});

describe("fast backend: relu's backward (thresholdBackward), fused", () => {
  it("equals the reference bit for bit: float32 (Wasm from 2048 elements) and float64, offsets and specials", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const n of [...SIZES, 5, 100]) {
        const grad = array(dtype, [n], 2 * n, 1);
        const input = array(dtype, [n], 3 * n, 2);
        for (const threshold of [0, 0.5]) {
          expectSame(
            fastBackend.thresholdBackward(grad, input, threshold),
            referenceBackend.thresholdBackward(grad, input, threshold),
          );
        }
      }
    }
  });

  it("writes over the grad when handed it as `into` (a grad its caller owns), with the same values", () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const n of [100, 2048, 16384 * 2 + 17]) {
        const grad = array(dtype, [n], 5 * n);
        const input = array(dtype, [n], 7 * n, 3);
        const want = referenceBackend.thresholdBackward(grad, input, 0);
        const out = fastBackend.thresholdBackward(grad, input, 0, grad);
        expect(out).toBe(grad);
        expectSame(out, want);
      }
    }
    // a grad some way into its array is written over in place too
    const offset = array("float32", [4096], 9, 2);
    const input = array("float32", [4096], 10);
    const want = referenceBackend.thresholdBackward(offset, input, 0);
    expectSame(fastBackend.thresholdBackward(offset, input, 0, offset), want);
    expect(offset.data[0]).toBe(array("float32", [4096], 9, 2).data[0]); // before the offset: untouched
  });

  it("passes the gradient where the input is NaN and stops it at -0, 0 and below", () => {
    const grad = StridedArray.fromFlat(new Float32Array(4096).fill(2), [4096]);
    const values = new Float32Array(4096);
    values.set([Number.NaN, -0, 0, -1, 1e-40, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
    const out = fastBackend.thresholdBackward(grad, StridedArray.fromFlat(values, [4096]), 0).data;
    expect(Array.from(out.subarray(0, 8))).toEqual([2, 0, 0, 0, 2, 0, 2, 0]);
  });

  it("hands strided operands to the reference and rejects operands of another shape or dtype", () => {
    const grad = array("float32", [64, 48], 7).transpose(0, 1);
    const input = array("float32", [48, 64], 8);
    expectSame(
      fastBackend.thresholdBackward(grad, input, 0),
      referenceBackend.thresholdBackward(grad, input, 0),
    );
    expect(() =>
      fastBackend.thresholdBackward(array("float32", [3], 1), array("float32", [4], 2), 0),
    ).toThrow(/threshold_backward: grad float32 \[3\] and input float32 \[4\]/);
    expect(() =>
      fastBackend.thresholdBackward(array("float32", [3], 1), array("float64", [3], 2), 0),
    ).toThrow(/must have one shape and dtype/);
  });
});

describe("elementwiseInfo: which path ran", () => {
  it("counts one call on each Wasm path, and none for what goes to the reference", () => {
    const n = 4096;
    const x = array("float32", [n / 64, 64], 1);
    const y = array("float32", [n / 64, 64], 2);
    const row = array("float32", [64], 3);
    const one = array("float32", [], 4);
    const mask = array("bool", [n / 64, 64], 5);
    const calls: [keyof ReturnType<typeof elementwiseInfo>["paths"], () => unknown][] = [
      ["binary", () => fastBackend.binary("mul", x, y, "float32")],
      ["binary", () => fastBackend.binary("sub", x, one, "float32")],
      ["rowBroadcast", () => fastBackend.binary("add", x, row, "float32")],
      ["compare", () => fastBackend.binary("gt", one, x, "bool")],
      ["where", () => fastBackend.where(mask, x, one, "float32")],
      ["relu", () => fastBackend.unary("relu", x)],
      ["thresholdBackward", () => fastBackend.thresholdBackward(x, y, 0)],
      ["sum", () => fastBackend.reduce("sum", x, [0, 1], false)],
      ["columnSum", () => fastBackend.reduce("mean", x, [0], false)],
    ];
    expect(elementwiseInfo().simd).toBe(true);
    for (const [path, call] of calls) {
      const before = elementwiseInfo().paths;
      call();
      const after = elementwiseInfo().paths;
      expect(after[path] - before[path], path).toBe(1);
      expect(
        Object.values(after).reduce((s, v) => s + v, 0) - Object.values(before).reduce((s, v) => s + v, 0),
      ).toBe(1);
    }
    const before = elementwiseInfo().paths;
    fastBackend.binary("pow", x, y, "float32"); // no SIMD lane code for pow
    fastBackend.binary("add", x.transpose(0, 1), y, "float32"); // strided
    fastBackend.unary("relu", array("float32", [100], 6)); // small
    expect(elementwiseInfo().paths).toEqual(before);
  });
});

/** Each operand placement: both in the heap, or one of them in an ordinary array. */
const PLACES = [
  ["heap", "heap"],
  ["heap", "js"],
  ["js", "heap"],
] as const;
const place = (where: "heap" | "js", a: StridedArray) => (where === "heap" ? inHeap(a) : a);
const HEAP_SIZES = [16384, 16384 * 2 + 17, 50_003];

describe("fast backend: operands in the Wasm heap, computed in place", () => {
  // The tests above leave the heap full of dead arrays (synchronous code never runs their finalizers):
  // collect them and let the finalizers free their blocks (the ops project runs with --expose-gc).
  beforeEach(async () => {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it("runs inside the heap, whose reserved first pages hold the kernels' scratch", () => {
    expect(elementwiseInfo().simd).toBe(true);
    expect(PAGES * 65536).toBeLessThanOrEqual(HEAP_SCRATCH_BYTES);
  });

  it("add/sub/mul/div: same shape, a scalar and a row on either side, equal the reference bit for bit", () => {
    for (const n of HEAP_SIZES) {
      for (const op of OPS) {
        for (const [pa, pb] of PLACES) {
          const before = elementwiseInfo().paths.inPlace;
          const a = array("float32", [n], n, 3);
          const b = array("float32", [n], n + 1);
          const want = referenceBackend.binary(op, a, b, "float32");
          expectSame(fastBackend.binary(op, place(pa, a), place(pb, b), "float32"), want);
          const s = array("float32", [1], 9);
          expectSame(
            fastBackend.binary(op, place(pa, a), s, "float32"),
            referenceBackend.binary(op, a, s, "float32"),
          );
          expectSame(
            fastBackend.binary(op, s, place(pb, b), "float32"),
            referenceBackend.binary(op, s, b, "float32"),
          );
          const m = array("float32", [Math.ceil(n / 50), 50], n + 2, 1);
          const row = array("float32", [1, 50], n + 3);
          for (const [x, y] of [
            [m, row],
            [row, m],
          ] as const) {
            const got = fastBackend.binary(op, place(pa, x), place(pb, y), "float32");
            expectSame(got, referenceBackend.binary(op, x, y, "float32"));
          }
          expect(elementwiseInfo().paths.inPlace - before).toBe(5);
        }
      }
    }
  });

  it("writes into a heap `into`, also an operand itself, with an offset", () => {
    const n = 16384 * 2 + 17;
    const a = inHeap(array("float32", [n], 1, 3));
    const b = array("float32", [n], 2);
    const want = referenceBackend.binary("mul", a, b, "float32");
    const into = inHeap(array("float32", [n], 3, 5));
    const guard = into.data[4];
    expect(fastBackend.binary("mul", a, b, "float32", "mul", into)).toBe(into);
    expectSame(into, want);
    expect(into.data[4]).toBe(guard); // before the offset: untouched
    expect(into.data[5 + n]).toBe(array("float32", [n], 3, 5).data[5 + n]); // after the end: untouched
    expect(fastBackend.binary("mul", a, b, "float32", "mul", a)).toBe(a);
    expectSame(a, want);
  });

  it("an output overlapping an input at another address gets the values it gets outside the heap", () => {
    const n = 40_000;
    for (const shift of [1, 17, -3]) {
      const js = array("float32", [n + 40], 4, 0, false);
      const heap = inHeap(js.copy());
      const results = [js, heap].map((storage) => {
        const input = new StridedArray(storage.data, "float32", [n], [1], 20);
        const out = new StridedArray(storage.data, "float32", [n], [1], 20 + shift);
        fastBackend.unary("relu", input, "float32", out);
        fastBackend.binary("add", input, array("float32", [n], 5), "float32", "add", out);
        return storage;
      });
      expectSame(results[1] as StridedArray, results[0] as StridedArray);
    }
  });

  it("relu, relu's backward, where and comparisons with a scalar equal the reference bit for bit", () => {
    for (const n of HEAP_SIZES) {
      for (const [pa, pb] of PLACES) {
        const a = array("float32", [n], 2 * n, 1);
        const b = array("float32", [n], 3 * n, 2);
        expectSame(fastBackend.unary("relu", place(pa, a)), referenceBackend.unary("relu", a));
        expectSame(
          fastBackend.thresholdBackward(place(pa, a), place(pb, b), 0),
          referenceBackend.thresholdBackward(a, b, 0),
        );
        const c = array("bool", [n], 4 * n);
        const s = array("float32", [1], 5);
        expectSame(
          fastBackend.where(c, place(pa, a), s, "float32"),
          referenceBackend.where(c, a, s, "float32"),
        );
        expectSame(
          fastBackend.where(c, s, place(pb, b), "float32"),
          referenceBackend.where(c, s, b, "float32"),
        );
        expectSame(
          fastBackend.binary("gt", place(pa, a), s, "bool"),
          referenceBackend.binary("gt", a, s, "bool"),
        );
      }
    }
  });

  it("sum over every element and over dim 0 agree with the ordinary arrays' results", () => {
    for (const n of HEAP_SIZES) {
      const a = array("float32", [n], 50 + n, 1, false);
      const f = fastBackend.reduce("sum", inHeap(a), [0], false).data[0] as number;
      const r = referenceBackend.reduce("sum", a, [0], false).data[0] as number;
      expect(Math.abs(f - r)).toBeLessThanOrEqual(Math.abs(r) * 2 ** -22 + 1e-6);
      const ints = new StridedArray(Float32Array.from(filled("int32", n, 60)), "float32", [n], [1]);
      expectSame(
        fastBackend.reduce("sum", inHeap(ints), [0], false),
        referenceBackend.reduce("sum", ints, [0], false),
      );
      for (const cols of [1, 7, 64]) {
        const m = array("float32", [Math.floor(n / cols), cols], n + cols, 2);
        expectSame(
          fastBackend.reduce("sum", inHeap(m), [0], false),
          referenceBackend.reduce("sum", m, [0], false),
        );
      }
    }
  });
});

import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { simdExp, simdExpRuns } from "../src/exp-wasm.js";
import { fastBackend, referenceBackend } from "../src/index.js";
import { lastDimPaths } from "../src/last-dim.js";
import { EXP_CHUNK } from "../src/wasm/exp-kernel.js";

// The last-dim fast paths (last-dim.ts, softmax-simd.ts) against the reference kernels on random
// shapes: odd last dims, offsets, specials, and strided inputs that must fall back.

/** A deterministic LCG in [0, 1), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LAST = [1, 2, 3, 4, 5, 7, 10, 16, 17, 33, 1000];

/** A random shape of 1-3 dims ending in `last`, its leading dims small. */
function shapeOf(rand: () => number, last: number): number[] {
  const lead = Math.floor(rand() * 3);
  return [...Array.from({ length: lead }, () => 1 + Math.floor(rand() * 6)), last];
}

/**
 * A contiguous float array of `shape` starting `offset` elements into its storage, values in [-8, 8),
 * with every 11th a special value when `specials`.
 */
function floats(dtype: DType, shape: number[], seed: number, offset = 3, specials = false): StridedArray {
  const rand = lcg(seed);
  const n = shape.reduce((x, y) => x * y, 1);
  const data = dtype === "float32" ? new Float32Array(n + offset) : new Float64Array(n + offset);
  const SPECIAL = [Number.NEGATIVE_INFINITY, Number.NaN, Number.POSITIVE_INFINITY, 1e30, -1e30];
  for (let i = 0; i < data.length; i++) {
    data[i] =
      specials && i % 11 === 5 ? (SPECIAL[((i / 11) % SPECIAL.length) | 0] as number) : rand() * 16 - 8;
  }
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((x, y) => x * y, 1));
  return new StridedArray(data, dtype, shape, strides, offset);
}

/** Integer indices in [0, size) of `shape`, as int64. */
function indices(shape: number[], size: number, seed: number): StridedArray {
  const rand = lcg(seed);
  const n = shape.reduce((x, y) => x * y, 1);
  return StridedArray.fromFlat(
    Float64Array.from({ length: n }, () => Math.floor(rand() * size)),
    shape,
    "int64",
  );
}

/** A strided view of the same shape: the array stored transposed, or with a gap between elements. */
function strided(a: StridedArray): StridedArray {
  if (a.ndim >= 2) {
    const last = a.ndim - 1;
    return a
      .transpose(last - 1, last)
      .contiguous()
      .transpose(last - 1, last);
  }
  const wide = StridedArray.zeros([a.numel * 2], a.dtype);
  const view = new StridedArray(wide.data, a.dtype, a.shape, [2], 0);
  const flat = a.flat();
  for (let i = 0; i < a.numel; i++) wide.data[2 * i] = flat[i] as number;
  return view;
}

/** Same dtype, shape and values, bit for bit (NaN equals NaN, -0 differs from 0). */
function expectSame(fast: StridedArray, ref: StridedArray, what: string): void {
  expect(fast.dtype, what).toBe(ref.dtype);
  expect(fast.shape, what).toEqual(ref.shape);
  const f = fast.copy().data;
  const r = ref.copy().data;
  for (let i = 0; i < r.length; i++) {
    if (!Object.is(f[i], r[i])) expect([what, i, f[i]]).toEqual([what, i, r[i]]);
  }
}

/**
 * Within the documented bound of the float32 SIMD exps (softmax-simd.ts): `rel` of the value plus
 * `abs`; specials (NaN, infinities, exact zeros) equal.
 */
function expectClose(fast: StridedArray, ref: StridedArray, rel: number, abs: number, what: string): void {
  expect(fast.shape, what).toEqual(ref.shape);
  const f = fast.copy().data as TypedArray;
  const r = ref.copy().data as TypedArray;
  for (let i = 0; i < r.length; i++) {
    const [x, y] = [f[i] as number, r[i] as number];
    if (!Number.isFinite(y) || y === 0) {
      if (!Object.is(x, y)) expect([what, i, x]).toEqual([what, i, y]);
    } else if (!(Math.abs(x - y) <= rel * Math.abs(y) + abs)) {
      expect.fail(`${what} element ${i}: fast ${x}, reference ${y}`);
    }
  }
}

// float32 exps through the kernel: each within 2^-23 relative, plus |x - max| 2^-24 from rounding
// x - max; for values in [-8, 8) (|x - max| < 16) that is under 1.1e-6 for a softmax value (its own
// exp's and the row's weighted mean) and under 1e-6 absolute for logSoftmax and logsumexp, plus the
// output's own float32 rounding.
const SOFTMAX_REL = 2.5e-6;
const LOG_ABS = 1.2e-6;

const DTYPES = ["float32", "float64"] as const;

describe("fast backend: last-dim paths against the reference", () => {
  it("softmax and logSoftmax: float64 bit for bit, float32 within the SIMD exp's bound", () => {
    const rand = lcg(1);
    const before = lastDimPaths().softmax;
    let runs = 0;
    for (const dtype of DTYPES) {
      for (const last of LAST) {
        for (const specials of [false, true]) {
          const a = floats(dtype, shapeOf(rand, last), runs++, 3, specials);
          const dim = a.ndim - 1;
          for (const op of ["softmax", "logSoftmax"] as const) {
            const fast = fastBackend.alongDim(op, a, dim);
            const ref = referenceBackend.alongDim(op, a, dim);
            const what = `${op} ${dtype} [${a.shape}] specials ${specials}`;
            if (dtype === "float64") expectSame(fast, ref, what);
            else if (op === "softmax") expectClose(fast, ref, SOFTMAX_REL, 0, what);
            else expectClose(fast, ref, 2 ** -23, LOG_ABS, what);
          }
        }
      }
    }
    expect(lastDimPaths().softmax - before).toBe(runs * 2);
  });

  it("the float32 exps ran on the Wasm SIMD kernel, in chunks across row boundaries", () => {
    expect(simdExp()).not.toBeNull();
    const before = simdExpRuns();
    // 3 chunks, rows of 1000 straddling the chunk boundaries
    const a = floats("float32", [40, 1000], 7);
    expectClose(
      fastBackend.alongDim("softmax", a, 1),
      referenceBackend.alongDim("softmax", a, 1),
      SOFTMAX_REL,
      0,
      "softmax",
    );
    expect(simdExpRuns() - before).toBe(Math.ceil(40_000 / EXP_CHUNK));
  });

  it("logsumexp over the last dim: float32 within the bound (on the SIMD path), float64 on the reference", () => {
    const rand = lcg(2);
    const before = lastDimPaths().logsumexp;
    let runs = 0;
    let float32Runs = 0;
    for (const dtype of DTYPES) {
      for (const last of LAST) {
        for (const keepdim of [false, true]) {
          const a = floats(dtype, shapeOf(rand, last), 100 + runs++, 1, runs % 2 === 0);
          if (dtype === "float32") float32Runs++;
          const dims = [a.ndim - 1];
          const fast = fastBackend.reduceDims("logsumexp", a, dims, keepdim);
          const ref = referenceBackend.reduceDims("logsumexp", a, dims, keepdim);
          const what = `logsumexp ${dtype} [${a.shape}]`;
          if (dtype === "float64") expectSame(fast, ref, what);
          else expectClose(fast, ref, 2 ** -23, LOG_ABS, what);
        }
      }
    }
    expect(lastDimPaths().logsumexp - before).toBe(float32Runs);
  });

  it("softmax's and logSoftmax's backward: the fused kernel against the reference, and against the composition", () => {
    const rand = lcg(3);
    const before = lastDimPaths().softmaxBackward;
    let runs = 0;
    for (const dtype of DTYPES) {
      for (const last of LAST) {
        const a = floats(dtype, shapeOf(rand, last), 200 + runs);
        const g = floats(dtype, a.shape as number[], 300 + runs, 0);
        const dim = a.ndim - 1;
        for (const op of ["softmax", "logSoftmax"] as const) {
          runs++;
          const y = referenceBackend.alongDim(op, a, dim);
          const fast = fastBackend.softmaxBackward(op, g, y, dim);
          const ref = referenceBackend.softmaxBackward(op, g, y, dim);
          const what = `${op} backward ${dtype} [${a.shape}]`;
          if (dtype === "float64" || op === "softmax") expectSame(fast, ref, what);
          // exp(y) on the kernel: 1 ulp of each exp, times |sum(g)|
          else expectClose(fast, ref, 2 ** -22, 2.5e-7 * 8 * last, what);
          // the composition the derivative row falls back to: y (g - sum(g y)) or g - exp(y) sum(g)
          const B = referenceBackend;
          const sum = (t: StridedArray) => B.reduce("sum", t, [dim], true, dtype);
          const composed =
            op === "softmax"
              ? B.binary("mul", y, B.binary("sub", g, sum(B.binary("mul", g, y, dtype)), dtype), dtype)
              : B.binary("sub", g, B.binary("mul", B.unary("exp", y), sum(g), dtype), dtype);
          expectClose(
            ref,
            composed,
            dtype === "float64" ? 1e-12 : 1e-5,
            dtype === "float64" ? 1e-12 : 1e-5,
            what,
          );
        }
      }
    }
    expect(lastDimPaths().softmaxBackward - before).toBe(runs);
  });

  it("argmax and argmin over the last dim, ties and NaN included, bit for bit", () => {
    const rand = lcg(4);
    const before = lastDimPaths().argReduce;
    let runs = 0;
    for (const dtype of DTYPES) {
      for (const last of LAST) {
        const a = floats(dtype, shapeOf(rand, last), 400 + runs, 2, runs % 2 === 1);
        // ties: round half the values to integers in [-8, 8)
        for (let i = 0; i < a.data.length; i += 2) a.data[i] = Math.round(a.data[i] as number);
        for (const op of ["argmax", "argmin"] as const) {
          for (const dim of [a.ndim - 1, -1]) {
            for (const keepdim of [false, true]) {
              runs++;
              const what = `${op} ${dtype} [${a.shape}] dim ${dim}`;
              expectSame(
                fastBackend.argReduce(op, a, dim, keepdim),
                referenceBackend.argReduce(op, a, dim, keepdim),
                what,
              );
            }
          }
        }
      }
    }
    expect(lastDimPaths().argReduce - before).toBe(runs);
  });

  it("gather and scatterAdd along the last dim, bit for bit", () => {
    const rand = lcg(5);
    const before = lastDimPaths();
    let runs = 0;
    for (const dtype of DTYPES) {
      for (const last of LAST) {
        runs++;
        const a = floats(dtype, shapeOf(rand, last), 500 + runs);
        const dim = a.ndim - 1;
        const k = 1 + Math.floor(rand() * 4);
        const shape = a.shape.map((s, d) => (d === dim ? k : s));
        const index = indices(shape, last, 600 + runs);
        const src = floats(dtype, shape, 700 + runs, 0);
        const what = `${dtype} [${a.shape}] index [${shape}]`;
        expectSame(
          fastBackend.gather(a, dim, index),
          referenceBackend.gather(a, dim, index),
          `gather ${what}`,
        );
        expectSame(
          fastBackend.scatter(a, dim, index, src, true),
          referenceBackend.scatter(a, dim, index, src, true),
          `scatterAdd ${what}`,
        );
      }
    }
    const after = lastDimPaths();
    expect(after.gather - before.gather).toBe(runs);
    expect(after.scatterAdd - before.scatterAdd).toBe(runs);
  });

  it("indexSelect of contiguous blocks along every dim, bit for bit, int32 and int64 indices", () => {
    const rand = lcg(6);
    const before = lastDimPaths().indexSelect;
    let runs = 0;
    for (const dtype of DTYPES) {
      for (const last of LAST) {
        const a = floats(dtype, shapeOf(rand, last), 800 + runs, 1);
        for (let dim = 0; dim < a.ndim; dim++) {
          runs++;
          const size = a.shape[dim] as number;
          const picked = indices([1 + Math.floor(rand() * 5)], size, 900 + runs);
          const index = runs % 2 === 0 ? picked : picked.copy("int32");
          const what = `indexSelect ${dtype} [${a.shape}] dim ${dim}`;
          expectSame(
            fastBackend.indexSelect(a, dim, index),
            referenceBackend.indexSelect(a, dim, index),
            what,
          );
        }
      }
    }
    expect(lastDimPaths().indexSelect - before).toBe(runs);
  });

  it("strided inputs, other dims and integer dtypes fall back to the reference", () => {
    const a = floats("float32", [5, 7], 11);
    const t = strided(a);
    const index = indices([5, 2], 7, 12);
    const before = lastDimPaths();
    const runsBefore = simdExpRuns();
    expectSame(
      fastBackend.alongDim("softmax", t, 1),
      referenceBackend.alongDim("softmax", t, 1),
      "strided softmax",
    );
    expectSame(
      fastBackend.alongDim("logSoftmax", a, 0),
      referenceBackend.alongDim("logSoftmax", a, 0),
      "dim 0",
    );
    expectSame(
      fastBackend.reduceDims("logsumexp", t, [1], false),
      referenceBackend.reduceDims("logsumexp", t, [1], false),
      "lse",
    );
    expectSame(
      fastBackend.argReduce("argmax", t, 1, false),
      referenceBackend.argReduce("argmax", t, 1, false),
      "argmax",
    );
    expectSame(
      fastBackend.argReduce("argmax", a, null, false),
      referenceBackend.argReduce("argmax", a, null, false),
      "flat",
    );
    expectSame(fastBackend.gather(t, 1, index), referenceBackend.gather(t, 1, index), "strided gather");
    expectSame(
      fastBackend.gather(a, 1, strided(index)),
      referenceBackend.gather(a, 1, strided(index)),
      "index",
    );
    const ints = a.copy("int32");
    expectSame(fastBackend.gather(ints, 1, index), referenceBackend.gather(ints, 1, index), "int32 gather");
    expectSame(
      fastBackend.indexSelect(t, 0, indices([3], 5, 13)),
      referenceBackend.indexSelect(t, 0, indices([3], 5, 13)),
      "strided indexSelect",
    );
    const y = referenceBackend.alongDim("softmax", a, 1);
    expectSame(
      fastBackend.softmaxBackward("softmax", strided(a), y, 1),
      referenceBackend.softmaxBackward("softmax", strided(a), y, 1),
      "strided gradient",
    );
    expect(lastDimPaths()).toEqual(before);
    expect(simdExpRuns()).toBe(runsBefore);
  });

  it("out-of-range indices raise the reference's errors and write nothing", () => {
    const a = floats("float32", [3, 4], 14);
    const copy = a.copy();
    const bad = StridedArray.fromFlat(Float64Array.of(0, 4, 1), [3, 1], "int64");
    const negative = StridedArray.fromFlat(Float64Array.of(-1), [1], "int64");
    const src = floats("float32", [3, 1], 15, 0);
    expect(() => fastBackend.gather(a, 1, bad)).toThrow(
      "gather: index 4 is out of bounds for dimension 1 with size 4",
    );
    expect(() => fastBackend.scatter(a, 1, bad, src, true)).toThrow(
      "scatterAdd: index 4 is out of bounds for dimension 1 with size 4",
    );
    expect(() => fastBackend.indexSelect(a, 0, negative)).toThrow(
      "indexSelect: index -1 is out of bounds for dimension 0 with size 3",
    );
    expectSame(a, copy, "input untouched");
  });
});

describe("the Wasm SIMD exp kernel", () => {
  const kernel = simdExp();

  /** The distance in float32 steps between two float32 values of one sign. */
  const ulps = (x: number, y: number) => {
    const bits = new Int32Array(Float32Array.of(x, y).buffer);
    return Math.abs((bits[0] as number) - (bits[1] as number));
  };

  it("is within 1 ulp of the correctly rounded exp over [-87.3, 88.37] (every 4999th float32)", () => {
    if (kernel === null) return expect.fail("no Wasm SIMD in this Node");
    const inputs: number[] = [];
    const bits = new Uint32Array(1);
    const value = new Float32Array(bits.buffer);
    for (const [from, to] of [
      [-87.3, -1e-30],
      [1e-30, 88.37],
    ] as const) {
      const ends = new Uint32Array(Float32Array.of(from, to).buffer);
      const [lo, hi] = [
        Math.min(ends[0] as number, ends[1] as number),
        Math.max(ends[0] as number, ends[1] as number),
      ];
      for (let b = lo; b <= hi; b += 4999) {
        bits[0] = b;
        inputs.push(value[0] as number);
      }
    }
    let worst = 0;
    for (let start = 0; start < inputs.length; start += EXP_CHUNK) {
      const count = Math.min(EXP_CHUNK, inputs.length - start);
      for (let i = 0; i < count; i++) kernel.lanes[i] = inputs[start + i] as number;
      kernel.run(count);
      for (let i = 0; i < count; i++) {
        worst = Math.max(
          worst,
          ulps(kernel.lanes[i] as number, Math.fround(Math.exp(inputs[start + i] as number))),
        );
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it("gives 0 for -inf and far below, NaN for NaN, +inf from 88.38 up, and tiny values below -87.3", () => {
    if (kernel === null) return expect.fail("no Wasm SIMD in this Node");
    const x = [
      Number.NEGATIVE_INFINITY,
      -1e30,
      -104,
      Number.NaN,
      0,
      -0,
      88.38,
      89,
      Number.POSITIVE_INFINITY,
      -87.5,
      -87.9,
    ];
    kernel.lanes.set(x);
    kernel.run(x.length);
    const got = Array.from(kernel.lanes.subarray(0, x.length));
    expect(got.slice(0, 9)).toEqual([
      0,
      0,
      0,
      Number.NaN,
      1,
      1,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
    ]);
    for (const [i, v] of got.slice(9).entries()) {
      expect(Math.abs(v - Math.exp(x[9 + i] as number))).toBeLessThan(1.2e-38);
    }
  });
});

import { StridedArray } from "@torchlet/storage";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configureMatmul, fastBackend, type MatmulOptions, referenceBackend } from "../src/index.js";
import { A_AT, D_AT, matvecKernels } from "../src/matvec-wasm.js";
import { inHeap, type Layout, operand } from "./operands.js";

type Float = "float32" | "float64";

/**
 * The raw bytes of an array's elements in row-major order: equal bytes are bit-identical results.
 * NaNs are written as one canonical NaN first: their sign bit is whatever the hardware produced
 * (x86's Inf * 0 is a negative NaN in Wasm, and JS stores may canonicalise it), invisible to JS.
 */
function bits(x: StridedArray): Uint8Array {
  const c = x.copy().data as Float32Array | Float64Array;
  for (let i = 0; i < c.length; i++) if (Number.isNaN(c[i])) c[i] = Number.NaN;
  return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
}

/** Where two results first differ in their bits (-1: nowhere); cheaper than a deep equal of big arrays. */
function firstDifference(x: StridedArray, y: StridedArray): number {
  const [bx, by] = [bits(x), bits(y)];
  if (bx.length !== by.length) return 0;
  const width = x.dtype === "float32" ? 4 : 8;
  for (let i = 0; i < bx.length; i++) if (bx[i] !== by[i]) return Math.floor(i / width);
  return -1;
}

/** The unit-dim path must be bit-identical to the reference kernel, in both dtypes. */
function expectSame(a: StridedArray, b: StridedArray, dtype: Float): StridedArray {
  const fast = fastBackend.bmm(a, b, dtype);
  const ref = referenceBackend.bmm(a, b, dtype);
  expect(fast.shape).toEqual(ref.shape);
  expect(fast.dtype).toBe(dtype);
  const at = firstDifference(fast, ref);
  if (at >= 0) expect(`element ${at}: ${fast.data[at]}`).toBe(`element ${at}: ${ref.data[at]}`);
  expect(at).toBe(-1);
  return fast;
}

const SIZES = [1, 3, 7, 8, 9, 33, 100, 257];
const LAYOUTS: Layout[] = ["contiguous", "transposed", "offset", "gapped", "gapped-transposed", "broadcast"];

/** [m, k, n] with one of them 1: matrix-vector, vector-matrix, outer product. */
function unitShapes(): [number, number, number][] {
  const shapes: [number, number, number][] = [];
  for (const x of SIZES)
    for (const y of SIZES) {
      shapes.push([x, y, 1], [1, y, x], [x, 1, y]);
    }
  return shapes;
}

function paths(label: string, opts: Partial<MatmulOptions>): void {
  describe(label, () => {
    let previous: MatmulOptions;
    beforeEach(() => {
      previous = configureMatmul(opts);
    });
    afterEach(() => {
      configureMatmul(previous);
    });

    for (const dtype of ["float32", "float64"] as const) {
      it(`${dtype}: n, m or k of 1 at odd sizes is bit-identical to the reference`, () => {
        let seed = 1;
        for (const [m, k, n] of unitShapes())
          expectSame(
            operand(dtype, 1, m, k, "contiguous", seed++),
            operand(dtype, 1, k, n, "contiguous", seed++),
            dtype,
          );
      });

      it(`${dtype}: transposed, offset, gapped and broadcast-batch operands in every pairing`, () => {
        let seed = 500;
        for (const la of LAYOUTS)
          for (const lb of LAYOUTS)
            for (const [m, k, n] of [
              [33, 17, 1],
              [100, 257, 1],
              [1, 33, 100],
              [1, 257, 9],
              [100, 1, 33],
              [9, 1, 257],
              [1, 7, 1],
            ] as const)
              expectSame(operand(dtype, 2, m, k, la, seed++), operand(dtype, 2, k, n, lb, seed++), dtype);
      });

      it(`${dtype}: products spanning several staged chunks, and ones too wide to stage`, () => {
        let seed = 900;
        for (const [m, k, n, la, lb] of [
          [600, 257, 1, "contiguous", "contiguous"], // rows in three chunks
          [600, 258, 1, "offset", "gapped"],
          [257, 3000, 1, "transposed", "contiguous"], // columns in several chunks
          [1, 3000, 257, "contiguous", "contiguous"],
          [3000, 1, 257, "contiguous", "transposed"], // outer-product rows in chunks
          [3, 20000, 1, "contiguous", "contiguous"], // k too long to stage: JS
          [20000, 2, 1, "transposed", "contiguous"], // m too wide to stage: JS
          [2, 1, 20000, "contiguous", "contiguous"],
        ] as const)
          expectSame(operand(dtype, 1, m, k, la, seed++), operand(dtype, 1, k, n, lb, seed++), dtype);
      });

      it(`${dtype}: signed zeros, infinities and NaN come out as the reference's`, () => {
        const special = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 2.5, -3e-30, 1e30];
        const vec = (count: number, shift: number, shape: number[]) => {
          const data = dtype === "float32" ? new Float32Array(count) : new Float64Array(count);
          for (let i = 0; i < count; i++) data[i] = special[(i * 3 + shift) % special.length] as number;
          return StridedArray.fromFlat(data, shape, dtype);
        };
        for (const [m, k, n] of [
          [13, 6, 1],
          [1, 6, 13],
          [13, 1, 11],
          [9, 17, 1],
        ] as const) {
          for (let shift = 0; shift < special.length; shift++) {
            expectSame(vec(m * k, shift, [1, m, k]), vec(k * n, shift + 1, [1, k, n]), dtype);
            // all-zero operands: products of -0 must still sum to +0
            expectSame(vec(m * k, 1, [1, m, k]), vec(k * n, 1, [1, k, n]), dtype);
          }
        }
      });

      it(`${dtype}: mm keeps 2-D shapes, and empty dims give zeros`, () => {
        const a = operand(dtype, 1, 100, 32, "contiguous", 1).squeeze(0);
        const w = operand(dtype, 1, 32, 1, "contiguous", 2).squeeze(0);
        const fast = fastBackend.mm(a, w, dtype);
        expect(fast.shape).toEqual([100, 1]);
        expect(firstDifference(fast, referenceBackend.mm(a, w, dtype))).toBe(-1);
        for (const [m, k, n] of [
          [0, 5, 1],
          [1, 5, 0],
          [4, 0, 1],
          [1, 0, 4],
          [0, 1, 4],
        ] as const) {
          const out = fastBackend.bmm(
            operand(dtype, 2, m, k, "contiguous", 3),
            operand(dtype, 2, k, n, "contiguous", 4),
            dtype,
          );
          expect(out.shape).toEqual([2, m, n]);
          expect(Array.from(out.data).every((v) => v === 0)).toBe(true);
        }
      });
    }
  });
}

paths("unit-dim products, Wasm SIMD kernels wherever they fit", { unitWasm: 0 });
paths("unit-dim products, JS loops", { unitWasm: Number.POSITIVE_INFINITY });
paths("unit-dim products, default choice", {});

describe("unit-dim products run where chosen", () => {
  const K = matvecKernels();
  let previous: MatmulOptions;
  beforeEach(() => {
    previous = configureMatmul({ unitWasm: 0 });
  });
  afterEach(() => {
    configureMatmul(previous);
  });

  // The kernels leave their last results in the scratch memory: wiped before the call, found there
  // after it, they prove the product ran in Wasm rather than in a fallback.
  it("matrix-vector products of either layout leave their sums in the Wasm accumulators", () => {
    expect(K).not.toBeNull();
    if (K === null) return;
    for (const layout of ["contiguous", "transposed"] as const) {
      const a = operand("float32", 1, 40, 24, layout, 1);
      const x = operand("float32", 1, 24, 1, "contiguous", 2);
      K.f64.fill(0);
      const out = expectSame(a, x, "float32");
      const sums = Float32Array.from(K.f64.subarray(D_AT / 8, D_AT / 8 + 40));
      expect(Array.from(sums)).toEqual(Array.from(out.data));
    }
  });

  it("matrices with gapped long lines are staged line by line, in both layouts and dtypes", () => {
    if (K === null) throw new Error("no Wasm SIMD");
    for (const dtype of ["float32", "float64"] as const) {
      const data = operand(dtype, 1, 1, 100 * 75 + 3, "contiguous", 7).data;
      // rows of 72 in 75 (72: no products left for JS after the kernel's 16-byte blocks)
      const rows = new StridedArray(data, dtype, [1, 100, 72], [0, 75, 1], 3);
      const cols = new StridedArray(data, dtype, [1, 72, 100], [0, 1, 75], 3); // its transpose
      for (const [a, m, k] of [
        [rows, 100, 72],
        [cols, 72, 100],
      ] as const) {
        K.f64.fill(0);
        const out = expectSame(a, operand(dtype, 1, k, 1, "contiguous", 8), dtype);
        const sums = K.f64.subarray(D_AT / 8, D_AT / 8 + m);
        expect(Array.from(dtype === "float32" ? Float32Array.from(sums) : sums)).toEqual(
          Array.from(out.data),
        );
      }
    }
  });

  it("outer products leave their rows in the Wasm scratch", () => {
    if (K === null) throw new Error("no Wasm SIMD");
    const g = operand("float64", 1, 30, 1, "contiguous", 3);
    const w = operand("float64", 1, 1, 12, "transposed", 4);
    K.f64.fill(0);
    const out = expectSame(g, w, "float64");
    // the rows sit somewhere in the first 4 KiB of the region (shifted off the output's page offset)
    const want = Array.from(out.data).join();
    const found = Array.from({ length: 512 }, (_, s) => A_AT / 8 + s).filter(
      (at) => Array.from(K.f64.subarray(at, at + 360)).join() === want,
    );
    expect(found.length).toBe(1);
  });

  it("unitDims: false sends them to the GEMM instead (same results for float64)", () => {
    if (K === null) throw new Error("no Wasm SIMD");
    configureMatmul({ unitDims: false, minWasm: 0 });
    const a = operand("float64", 1, 40, 24, "contiguous", 5);
    const x = operand("float64", 1, 24, 1, "contiguous", 6);
    K.f64.fill(0);
    expectSame(a, x, "float64");
    expect(K.f64.subarray(D_AT / 8, D_AT / 8 + 40).every((v) => v === 0)).toBe(true);
  });
});

describe("unit-dim products on the Wasm heap: matrices read and outer products written in place", () => {
  const K = matvecKernels();
  let previous: MatmulOptions;
  beforeEach(async () => {
    // earlier tests leave the heap full of dead arrays: let the finalizers free them (--expose-gc)
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    previous = configureMatmul({ unitWasm: 0 });
  });
  afterEach(() => {
    configureMatmul(previous);
  });

  /** Bit-identical to the reference, and the scratch's matrix region untouched: nothing was staged. */
  function expectInPlace(a: StridedArray, b: StridedArray): void {
    if (K === null) throw new Error("no Wasm SIMD");
    expect(K.onHeap).toBe(true);
    K.f32.fill(0);
    expectSame(a, b, "float32");
    expect(K.f32.subarray(A_AT / 4, A_AT / 4 + 8192).every((v) => v === 0)).toBe(true);
  }

  it("matrix-vector products by rows: m not a multiple of 4, k not of 4, gapped rows, strided x", () => {
    let seed = 1;
    for (const [m, k] of [
      [8192, 256],
      [4099, 257],
      [3, 300],
      [130, 7],
    ] as const) {
      const x = operand("float32", 1, k, 1, "contiguous", seed++);
      expectInPlace(inHeap(operand("float32", 1, m, k, "contiguous", seed++)), x);
      // rows of k in k + 5, 2 elements into the storage; x every other element
      const data = operand("float32", 1, 1, 2 + m * (k + 5), "contiguous", seed++).data;
      const gapped = inHeap(new StridedArray(data, "float32", [1, m, k], [0, k + 5, 1], 2));
      expectInPlace(gapped, inHeap(operand("float32", 1, k, 1, "offset", seed++)));
    }
  });

  it("matrix-vector products by columns (a transposed matrix), batched, and vector-matrix ones", () => {
    let seed = 100;
    for (const [m, k] of [
      [256, 8192],
      [37, 1000],
      [3, 50],
    ] as const) {
      expectInPlace(
        inHeap(operand("float32", 2, m, k, "transposed", seed++)),
        operand("float32", 2, k, 1, "contiguous", seed++),
      );
      // m == 1: out = b^T a, b's rows read in place as columns
      expectInPlace(
        operand("float32", 1, 1, k, "contiguous", seed++),
        inHeap(operand("float32", 1, k, m, "contiguous", seed++)),
      );
    }
  });

  it("outer products written into a heap result: rows of any length, operands in the heap or not", () => {
    let seed = 200;
    for (const [batch, m, n] of [
      [1, 8192, 256],
      [2, 129, 131], // rows of 524 bytes: each row's last store spills into the next
      [1, 1000, 17],
    ] as const) {
      const a = operand("float32", batch, m, 1, "contiguous", seed++);
      const b = operand("float32", batch, 1, n, "contiguous", seed++);
      expectInPlace(a, b);
      expectInPlace(inHeap(a), inHeap(b));
      expectInPlace(operand("float32", batch, m, 1, "offset", seed++), inHeap(b));
    }
  });
});

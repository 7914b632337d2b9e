import { StridedArray } from "@torchlet/storage";
import { limitHeapForTests } from "@torchlet/storage/internal";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  backend,
  configureMatmul,
  fastBackend,
  type MatmulOptions,
  matmulInfo,
  referenceBackend,
  setBackend,
  warmUpMatmulThreads,
} from "../src/index.js";
import { filled, float32Bound, inHeap, type Layout, operand } from "./operands.js";

type Float = "float32" | "float64";

/** Per output element, sum_p |a_ip| |b_pj|: the scale float32 rounding errors are relative to. */
function magnitudes(a: StridedArray, b: StridedArray): number[] {
  const abs = (x: StridedArray) => StridedArray.fromFlat(Float64Array.from(x.copy().data, Math.abs), x.shape);
  return Array.from(referenceBackend.bmm(abs(a), abs(b), "float64").data);
}

function expectClose(a: StridedArray, b: StridedArray, dtype: Float): void {
  const fast = fastBackend.bmm(a, b, dtype);
  const ref = referenceBackend.bmm(a, b, dtype);
  expect(fast.shape).toEqual(ref.shape);
  expect(fast.dtype).toBe(dtype);
  expect(fast.isContiguous()).toBe(true);
  if (dtype === "float64") {
    // same summation order and no fused multiply-add: bit-identical
    expect(Array.from(fast.data)).toEqual(Array.from(ref.data));
    return;
  }
  const scale = magnitudes(a, b);
  const bound = float32Bound(a.shape[2] as number);
  const got = fast.data;
  const want = ref.data;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs((got[i] as number) - (want[i] as number));
    if (err > bound * (scale[i] as number) + 1e-30) {
      throw new Error(`element ${i}: fast ${got[i]} vs reference ${want[i]} (scale ${scale[i]})`);
    }
  }
}

const SIZES = [1, 7, 17, 33, 65, 129];
const LAYOUTS: Layout[] = ["contiguous", "transposed", "offset", "gapped", "gapped-transposed"];

function suite(label: string, opts: Partial<MatmulOptions>): void {
  describe(label, () => {
    let previous: MatmulOptions;
    beforeAll(() => {
      previous = configureMatmul(opts);
    });
    afterAll(() => {
      configureMatmul(previous);
    });

    for (const dtype of ["float32", "float64"] as const) {
      it(`${dtype}: odd and non-square sizes match the reference`, () => {
        let seed = 1;
        for (const m of SIZES)
          for (const k of [1, 17, 65])
            for (const n of SIZES) {
              if (m * n * k > 129 * 129 * 65) continue;
              expectClose(
                operand(dtype, 1, m, k, "contiguous", seed++),
                operand(dtype, 1, k, n, "contiguous", seed++),
                dtype,
              );
            }
      });

      it(`${dtype}: transposed, offset and strided operands in every pairing`, () => {
        let seed = 100;
        for (const la of LAYOUTS)
          for (const lb of LAYOUTS)
            for (const [m, k, n] of [
              [33, 17, 65],
              [7, 129, 5],
              [1, 33, 129],
              [65, 300, 1],
            ] as const) {
              expectClose(operand(dtype, 2, m, k, la, seed++), operand(dtype, 2, k, n, lb, seed++), dtype);
            }
      });

      it(`${dtype}: stride-0 (broadcast) batch dims on either side`, () => {
        expectClose(
          operand(dtype, 3, 17, 33, "broadcast", 1),
          operand(dtype, 3, 33, 9, "transposed", 2),
          dtype,
        );
        expectClose(
          operand(dtype, 3, 17, 33, "transposed", 3),
          operand(dtype, 3, 33, 9, "broadcast", 4),
          dtype,
        );
        expectClose(
          operand(dtype, 4, 20, 300, "broadcast", 5),
          operand(dtype, 4, 300, 40, "broadcast", 6),
          dtype,
        );
      });

      it(`${dtype}: a k deeper than one cache slice (partial sums carried across slices)`, () => {
        expectClose(
          operand(dtype, 1, 9, 700, "contiguous", 7),
          operand(dtype, 1, 700, 13, "transposed", 8),
          dtype,
        );
        expectClose(
          operand(dtype, 1, 70, 257, "transposed", 9),
          operand(dtype, 1, 257, 70, "contiguous", 10),
          dtype,
        );
      });

      it(`${dtype}: empty products (k = 0, m = 0, n = 0) give zeros of the right shape`, () => {
        for (const [m, k, n] of [
          [3, 0, 4],
          [0, 5, 4],
          [3, 5, 0],
        ] as const) {
          const out = fastBackend.bmm(
            operand(dtype, 2, m, k, "contiguous", 1),
            operand(dtype, 2, k, n, "contiguous", 2),
            dtype,
          );
          expect(out.shape).toEqual([2, m, n]);
          expect(Array.from(out.data).every((v) => v === 0)).toBe(true);
        }
      });

      it(`${dtype}: mm (2-D) and a rectangular product spanning several row blocks`, () => {
        const a = operand(dtype, 1, 150, 40, "transposed", 11).squeeze(0);
        const b = operand(dtype, 1, 40, 90, "offset", 12).squeeze(0);
        const fast = fastBackend.mm(a, b, dtype);
        const ref = referenceBackend.mm(a, b, dtype);
        expect(fast.shape).toEqual([150, 90]);
        if (dtype === "float64") expect(Array.from(fast.data)).toEqual(Array.from(ref.data));
        expectClose(a.unsqueeze(0), b.unsqueeze(0), dtype);
      });
    }
  });
}

describe("fast matmul", () => {
  it("is the default backend's, with the reference one a setBackend away", () => {
    expect(backend().name).toBe("fast");
    const previous = setBackend(referenceBackend);
    expect(backend().mm).toBe(referenceBackend.mm);
    setBackend(previous);
    expect(matmulInfo().simd).toBe(true); // Node 20 has Wasm SIMD
  });

  it("leaves int32 (exact integer arithmetic) and mixed dtypes to the reference kernel", () => {
    const a = operand("int32", 2, 17, 33, "transposed", 1);
    const b = operand("int32", 2, 33, 9, "contiguous", 2);
    const fast = fastBackend.bmm(a, b, "int32");
    expect(fast.dtype).toBe("int32");
    expect(Array.from(fast.data)).toEqual(Array.from(referenceBackend.bmm(a, b, "int32").data));
  });

  it("reports bad shapes with the reference kernel's messages", () => {
    const a = operand("float32", 1, 3, 4, "contiguous", 1);
    const b = operand("float32", 1, 5, 2, "contiguous", 2);
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(message(() => fastBackend.bmm(a, b, "float32"))).toBe(
      message(() => referenceBackend.bmm(a, b, "float32")),
    );
    const [a2, b2] = [a.squeeze(0), b.squeeze(0)];
    expect(message(() => fastBackend.mm(a2, b2, "float32"))).toBe(
      message(() => referenceBackend.mm(a2, b2, "float32")),
    );
    expect(message(() => fastBackend.mm(a2, b2, "float32"))).toMatch(/^mm: cannot multiply/);
  });
});

// unitDims: false keeps the products with a unit dim on the GEMM here; matvec.test.ts covers their own paths.
suite("fast matmul, single-threaded Wasm SIMD", { minWasm: 0, threads: 0, unitDims: false });

describe("fast matmul, worker threads", () => {
  let ready = 0;
  beforeAll(async () => {
    ready = await warmUpMatmulThreads();
  });
  it("start where worker_threads exist, and run when asked", () => {
    expect(ready).toBeGreaterThan(0);
    expect(matmulInfo().threads).toBe(ready);
  });

  it("see the shared memory grow while they run (a product larger than any before it)", () => {
    const previous = configureMatmul({ minThreads: 0 });
    try {
      // float64 320x350 @ 350x330 needs more Wasm memory than every earlier case in this file
      const a = operand("float64", 1, 320, 350, "transposed", 21);
      const b = operand("float64", 1, 350, 330, "contiguous", 22);
      expectClose(a, b, "float64");
      expectClose(
        operand("float32", 2, 97, 260, "contiguous", 23),
        operand("float32", 2, 260, 75, "offset", 24),
        "float32",
      );
    } finally {
      configureMatmul(previous);
    }
  });
});

suite("fast matmul, split across worker threads", { minWasm: 0, minThreads: 0, unitDims: false });

/** A [batch, rows, cols] operand with unit column stride and rows `pad` elements longer than cols. */
function wideRows(
  dtype: Float,
  batch: number,
  rows: number,
  cols: number,
  pad: number,
  seed: number,
): StridedArray {
  const ld = cols + pad;
  const data = filled(dtype, 2 + batch * rows * ld, seed);
  return new StridedArray(data, dtype, [batch, rows, cols], [rows * ld, ld, 1], 2);
}

describe("fast matmul, B read in place (no packing) and threads split by column panels", () => {
  let previous: MatmulOptions;
  beforeAll(async () => {
    await warmUpMatmulThreads();
    previous = configureMatmul({ minWasm: 0, unitDims: false, inPlaceB: 1 << 30 });
  });
  afterAll(() => {
    configureMatmul(previous);
  });

  /** Runs `cases` and checks each took the expected B path (and thread split, when threads run). */
  function expectPaths(cases: () => void, inPlace: number, packed: number): void {
    const before = matmulInfo().paths;
    cases();
    const after = matmulInfo().paths;
    expect(after.inPlaceB - before.inPlaceB).toBe(inPlace);
    expect(after.packedB - before.packedB).toBe(packed);
  }

  for (const threads of [0, 7]) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${dtype}, ${threads ? "worker threads" : "single-threaded"}: odd k, n a multiple of NR or not, offsets and row gaps`, () => {
        const old = configureMatmul({ threads, minThreads: 0 });
        try {
          let seed = 300;
          let cases = 0;
          expectPaths(
            () => {
              for (const [m, k, n] of [
                [5, 1, 16],
                [9, 17, 24],
                [33, 129, 13],
                [3, 300, 40],
                [17, 65, 5],
                [65, 33, 64],
                [2, 257, 7],
              ] as const)
                for (const pad of [0, 3]) {
                  for (const la of ["contiguous", "transposed", "offset"] as const) {
                    expectClose(
                      operand(dtype, 2, m, k, la, seed++),
                      wideRows(dtype, 2, k, n, pad, seed++),
                      dtype,
                    );
                    cases++;
                  }
                }
            },
            42,
            0,
          );
          expect(cases).toBe(42);
        } finally {
          configureMatmul(old);
        }
      });

      it(`${dtype}, ${threads ? "worker threads" : "single-threaded"}: broadcast batches, and the paths that still pack`, () => {
        const old = configureMatmul({ threads, minThreads: 0 });
        try {
          expectPaths(
            () => {
              // stride-0 batch B (staged once) and stride-0 batch A
              expectClose(
                operand(dtype, 3, 20, 33, "transposed", 1),
                operand(dtype, 3, 33, 40, "broadcast", 2),
                dtype,
              );
              expectClose(operand(dtype, 3, 20, 33, "broadcast", 3), wideRows(dtype, 3, 33, 19, 1, 4), dtype);
            },
            2,
            0,
          );
          expectPaths(
            () => {
              // strided columns, and rows 0 or 2 KiB apart (too few L1 sets), are packed
              const row = StridedArray.fromFlat(filled(dtype, 24, 5), [1, 1, 24], dtype);
              expectClose(operand(dtype, 1, 10, 30, "contiguous", 6), row.expand([1, 30, 24]), dtype);
              expectClose(
                operand(dtype, 1, 9, 40, "contiguous", 7),
                operand(dtype, 1, 40, 20, "offset", 8),
                dtype,
              );
              expectClose(
                operand(dtype, 1, 9, 40, "contiguous", 9),
                operand(dtype, 1, 40, 20, "transposed", 10),
                dtype,
              );
              expectClose(
                operand(dtype, 1, 9, 40, "contiguous", 11),
                wideRows(dtype, 1, 40, 30, 2048 / (dtype === "float32" ? 4 : 8) - 30, 12),
                dtype,
              );
              const old2 = configureMatmul({ inPlaceB: 8 }); // m above the threshold
              try {
                expectClose(
                  operand(dtype, 1, 9, 40, "contiguous", 13),
                  wideRows(dtype, 1, 40, 30, 0, 14),
                  dtype,
                );
              } finally {
                configureMatmul(old2);
              }
            },
            0,
            5,
          );
        } finally {
          configureMatmul(old);
        }
      });
    }
  }

  it("threads split the column panels of a short, wide product and the row panels of a tall one", () => {
    const old = configureMatmul({ minThreads: 0 });
    try {
      const before = matmulInfo().paths;
      for (const dtype of ["float32", "float64"] as const) {
        // m = 9: 3 row panels, n = 200: 25 or 50 column panels
        expectClose(operand(dtype, 2, 9, 70, "transposed", 31), wideRows(dtype, 2, 70, 200, 1, 32), dtype);
        expectClose(
          operand(dtype, 1, 9, 70, "contiguous", 33),
          operand(dtype, 1, 70, 203, "offset", 34),
          dtype,
        );
        expectClose(operand(dtype, 1, 200, 70, "contiguous", 35), wideRows(dtype, 1, 70, 9, 0, 36), dtype);
      }
      const after = matmulInfo().paths;
      expect(after.byColumns - before.byColumns).toBe(4);
      expect(after.byRows - before.byRows).toBe(2);
    } finally {
      configureMatmul(old);
    }
  });
});

describe("fast matmul on the Wasm heap: operands read where they lie, results written into their tensor", () => {
  // Earlier tests leave the heap full of dead arrays (synchronous code never runs their finalizers):
  // collect them so the heap has room (the ops project runs with --expose-gc).
  beforeEach(async () => {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await warmUpMatmulThreads();
  });

  /**
   * The product with `a` and `b` in the heap (or `a` only, or `b` only) equals, bit for bit, the one
   * with both outside it (copied in, as before the heap), and is within the rounding bound of the
   * reference; returns how many products took each path.
   */
  function expectSame(a: StridedArray, b: StridedArray, places: readonly ("heap" | "js")[]) {
    const js = fastBackend.bmm(a, b, "float32");
    const before = matmulInfo().paths;
    for (const [pa, pb] of [places, [places[0], "js"], ["js", places[1]]] as const) {
      const got = fastBackend.bmm(pa === "heap" ? inHeap(a) : a, pb === "heap" ? inHeap(b) : b, "float32");
      expect(got.shape).toEqual(js.shape);
      expect(Array.from(got.data)).toEqual(Array.from(js.data));
    }
    const after = matmulInfo().paths;
    expectClose(a, b, "float32");
    return { inPlaceA: after.inPlaceA - before.inPlaceA, inPlaceC: after.inPlaceC - before.inPlaceC };
  }

  for (const threads of [0, 7]) {
    it(`${threads ? "worker threads" : "single-threaded"}: odd sizes, partial row panels, transposed, offset and broadcast operands`, () => {
      const old = configureMatmul({ threads, minThreads: 0, minWasm: 0, unitDims: false });
      try {
        let seed = 500;
        let direct = 0;
        let products = 0;
        for (const [batch, m, k, n] of [
          [1, 131, 37, 128], // 3 rows past the last full panel of 4, C in place
          [1, 3, 20, 6000], // no full row panel at all: every row through the tile (threads by columns)
          [2, 66, 257, 136], // k deeper than a cache slice, 2 rows past the panels
          [1, 129, 33, 130], // n not a multiple of 8: C through the padded grid
          [1, 64, 300, 256], // short and wide: B read in place, threads by columns
        ] as const) {
          for (const [la, lb] of [
            ["contiguous", "contiguous"],
            ["transposed", "offset"],
            ["offset", "transposed"],
            ["broadcast", "contiguous"],
          ] as const) {
            if (batch === 1 && la === "broadcast") continue;
            const paths = expectSame(
              operand("float32", batch, m, k, la, seed++),
              operand("float32", batch, k, n, lb, seed++),
              ["heap", "heap"],
            );
            expect(paths.inPlaceA).toBe(2);
            if (n % 8 === 0) direct += paths.inPlaceC;
            else expect(paths.inPlaceC).toBe(0);
            products++;
          }
        }
        expect(products).toBe(16);
        expect(direct).toBe(3 * 13); // every product with a heap-sized result and whole tiles per row
      } finally {
        configureMatmul(old);
      }
    });
  }

  it("products run on the engine with a memory of its own when the heap has no room for the scratch", () => {
    // larger than every product before it in this file, so the heap engine's scratch must grow
    const [m, k, n] = [1024, 600, 1000];
    const a = operand("float32", 1, m, k, "contiguous", 1);
    const b = operand("float32", 1, k, n, "transposed", 2);
    const [ha, hb] = [inHeap(a), inHeap(b)];
    limitHeapForTests(0); // no new block fits, even after a collection: neither the result nor a scratch
    let got: StridedArray;
    try {
      const before = matmulInfo().paths.inPlaceA;
      got = fastBackend.bmm(ha, hb, "float32");
      expect(matmulInfo().paths.inPlaceA).toBe(before);
    } finally {
      limitHeapForTests(null);
    }
    // with room again, the same product runs on the heap, to the same bits
    const before = matmulInfo().paths.inPlaceA;
    expect(Array.from(got.data)).toEqual(Array.from(fastBackend.bmm(ha, hb, "float32").data));
    expect(matmulInfo().paths.inPlaceA).toBe(before + 1);
  });
});

import { type DType, StridedArray } from "@torchlet/storage";
import {
  allocate,
  HEAP_MIN_BYTES,
  heapAddress,
  limitHeapForTests,
  recycle,
} from "@torchlet/storage/internal";
import { describe, expect, it } from "vitest";
import {
  type Backend,
  BINARY_OPS,
  ELEMENTWISE,
  fastBackend,
  referenceBackend,
  UNARY_OPS,
} from "../src/index.js";

// The elementwise kernels and copies take recycled memory without clearing it (allocateUnfilled):
// every one of them must write each element of its output. Each case hands the kernel a recycled
// array full of garbage and checks that the output took it and holds exactly what a fresh array gets.

const ROWS = 100;
const COLS = 200; // 20000 elements: big enough to be recycled, as bool too (RECYCLED_MIN_BYTES)

/** A [ROWS, COLS] float32 input in `op`'s domain, contiguous or as the transpose of a [COLS, ROWS] one. */
function input(domain: readonly [number, number], seed: number, transposed: boolean): StridedArray {
  const data = Float32Array.from({ length: ROWS * COLS }, (_, i) => {
    const u = (Math.sin(i * 12.9898 + seed) * 43758.5453) % 1;
    return domain[0] + Math.abs(u) * (domain[1] - domain[0]);
  });
  if (!transposed) return StridedArray.fromFlat(data, [ROWS, COLS]);
  return StridedArray.fromFlat(data, [COLS, ROWS]).transpose(0, 1);
}

/** Recycles an array of `dtype` full of garbage (NaN bits, or 0xab bytes) and returns it. */
function dirty(dtype: DType): StridedArray["data"] {
  const array = allocate(dtype, ROWS * COLS);
  if (dtype === "bool") array.fill(0xab);
  else array.fill(Number.NaN);
  recycle(array, dtype);
  return array;
}

/**
 * That the kernel's output took the recycled memory: the very array, or, for a float32 array in the
 * Wasm heap (storage's wasm-heap.ts), which recycles blocks rather than arrays, a view of its block.
 */
function expectReused(data: StridedArray["data"], trap: unknown): void {
  if (data === trap) return;
  expect(heapAddress(data)).toBeGreaterThanOrEqual(0);
  expect(heapAddress(data)).toBe(heapAddress(trap as StridedArray["data"]));
}

/**
 * Frees now the heap blocks of every array already dead (a heap with no room collects before it falls
 * back), so none is freed below the trap's block between its recycling and the kernel's allocation,
 * where first fit would give the kernel that lower block instead.
 */
function settleHeap(): void {
  limitHeapForTests(0);
  try {
    allocate("float32", HEAP_MIN_BYTES / 4);
  } finally {
    limitHeapForTests(null);
  }
}

/** The kernel's output, computed once on fresh memory and once on a dirty recycled array. */
function both(
  dtype: DType,
  run: () => StridedArray,
): { clean: number[]; reused: StridedArray; trap: unknown } {
  const clean = run().flat();
  settleHeap();
  const trap = dirty(dtype);
  return { clean: Array.from(clean), reused: run(), trap };
}

describe.each([
  ["reference", referenceBackend],
  ["fast", fastBackend],
] as [string, Backend][])("kernels given a dirty recycled array (%s backend)", (_name, b) => {
  describe.each([false, true])("transposed input: %s", (transposed) => {
    it.each(UNARY_OPS.map((op) => [op]))("%s overwrites every element", (op) => {
      const a = input(ELEMENTWISE[op].domain, 1, transposed);
      const { clean, reused, trap } = both("float32", () => b.unary(op, a, "float32"));
      expectReused(reused.data, trap);
      expect(Array.from(reused.flat())).toEqual(clean);
    });

    it.each(BINARY_OPS.map((op) => [op]))("%s overwrites every element", (op) => {
      const domain = ELEMENTWISE[op].domain;
      const [x, y] = [input(domain, 1, transposed), input(domain, 2, false)];
      const dtype: DType = ELEMENTWISE[op].dtype.result === "bool" ? "bool" : "float32";
      const { clean, reused, trap } = both(dtype, () => b.binary(op, x, y, dtype));
      expectReused(reused.data, trap);
      expect(Array.from(reused.flat())).toEqual(clean);
    });
  });

  it("where overwrites every element", () => {
    const x = input([-2, 2], 1, false);
    const cond = b.binary("gt", x, StridedArray.fromFlat(new Float32Array([0]), []), "bool");
    const y = StridedArray.fromFlat(new Float32Array([7]), []);
    const { clean, reused, trap } = both("float32", () => b.where(cond, x, y, "float32"));
    expectReused(reused.data, trap);
    expect(Array.from(reused.flat())).toEqual(clean);
  });
});

describe("copies given a dirty recycled array", () => {
  it.each([false, true])("a copy overwrites every element (transposed source: %s)", (transposed) => {
    const a = input([-2, 2], 3, transposed);
    const { clean, reused, trap } = both("float32", () => a.copy());
    expectReused(reused.data, trap);
    expect(Array.from(reused.flat())).toEqual(clean);
  });
});

describe("fast matmul given a dirty recycled array", () => {
  const matrix = (rows: number, cols: number, seed: number) =>
    StridedArray.fromFlat(
      Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(i * 0.37 + seed)),
      [1, rows, cols],
    );
  // every output has ROWS * COLS elements, the size of the dirty array
  it.each([
    ["C written in place, whole tiles", 100, 30, 200],
    ["C written in place, a partial last row panel", 125, 30, 160],
    ["C through the padded grid (rows not whole tiles)", 400, 30, 50],
    ["an outer product", 100, 1, 200],
    ["a matrix-vector product", 20000, 3, 1],
  ] as const)("%s overwrites every element", (_label, m, k, n) => {
    const [a, b] = [matrix(m, k, 1), matrix(k, n, 2)];
    const { clean, reused, trap } = both("float32", () => fastBackend.bmm(a, b, "float32"));
    expectReused(reused.data, trap);
    expect(Array.from(reused.flat())).toEqual(clean);
  });
});

import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { allocateUnfilled, HEAP_MIN_BYTES, heapAddress } from "@torchlet/storage/internal";

// A deterministic LCG, so failures reproduce.
export function filled(dtype: DType, count: number, seed: number): TypedArray {
  const data =
    dtype === "float32"
      ? new Float32Array(count)
      : dtype === "float64"
        ? new Float64Array(count)
        : new Int32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 - 0.5;
    data[i] = dtype === "int32" ? Math.round(u * 20) : u * 4;
  }
  return data;
}

// "offset" is compact enough to be copied in whole and packed in Wasm; the "gapped" ones are not,
// so they exercise the JS gather (packA/packB) in both loop orders.
export type Layout = "contiguous" | "transposed" | "offset" | "gapped" | "gapped-transposed" | "broadcast";

/** A [batch, rows, cols] operand laid out as `layout` says. */
export function operand(
  dtype: DType,
  batch: number,
  rows: number,
  cols: number,
  layout: Layout,
  seed: number,
): StridedArray {
  const n = rows * cols;
  switch (layout) {
    case "contiguous":
      return StridedArray.fromFlat(filled(dtype, batch * n, seed), [batch, rows, cols], dtype);
    case "transposed":
      return StridedArray.fromFlat(filled(dtype, batch * n, seed), [batch, cols, rows], dtype).transpose(
        1,
        2,
      );
    case "offset": {
      // every other column of a wider matrix, starting 3 elements into the storage
      const data = filled(dtype, 3 + batch * rows * cols * 2, seed);
      return new StridedArray(data, dtype, [batch, rows, cols], [rows * cols * 2, cols * 2, 2], 3);
    }
    case "gapped": {
      const data = filled(dtype, 5 + batch * rows * cols * 3, seed);
      return new StridedArray(data, dtype, [batch, rows, cols], [rows * cols * 3, cols * 3, 3], 5);
    }
    case "gapped-transposed": {
      const data = filled(dtype, 5 + batch * rows * cols * 3, seed);
      return new StridedArray(data, dtype, [batch, rows, cols], [rows * cols * 3, 3, rows * 3], 5);
    }
    case "broadcast":
      return new StridedArray(filled(dtype, n, seed), dtype, [batch, rows, cols], [0, cols, 1], 0);
  }
}

/**
 * The float32 kernels' rounding bound against the reference (float64 sums, rounded once): k steps
 * of float32 multiply-adds, fused (relaxed SIMD's FMA) or not, are within gamma_k * sum |a||b| of the
 * exact product (Higham 3.1, u = 2^-24), and the reference within u of it (its float64 error is far
 * below); see gemmModuleBytes.
 */
export function float32Bound(k: number): number {
  const u = 2 ** -24;
  return (k * u) / (1 - k * u) + u;
}

/** float32 `a` with its storage moved into the Wasm heap (storage's wasm-heap.ts): same layout and values. */
export function inHeap(a: StridedArray): StridedArray {
  const data = allocateUnfilled("float32", Math.max(a.data.length, HEAP_MIN_BYTES / 4));
  data.set(a.data);
  if (heapAddress(data) <= 0) throw new Error("inHeap: the Wasm heap gave no block (is it full?)");
  return new StridedArray(data, "float32", a.shape, a.strides, a.offset);
}

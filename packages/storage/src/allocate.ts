import type { DType, TypedArray } from "./dtype.js";
import { noteAllocation, takeRecycled } from "./recycle.js";
import { slabRegion } from "./slab.js";

// The allocator of every tensor's memory. Not part of the public API (see internal.ts): it hands out
// recycled memory, so only the layers above may call it.

const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };

/**
 * Allocates a zero-filled typed array of `length` elements for `dtype`: one the backward engine
 * recycled (recycle.ts) when there is one of that size, else a new one. Arrays of a few hundred
 * bytes to 16 KiB are views into shared slabs (see slab.ts), so hand out a copy (`slice()`), never
 * their `.buffer`, where a caller could transfer or reinterpret the whole buffer.
 *
 * @example
 * allocate("float64", 3); // [0, 0, 0]
 * allocate("bool", 2) instanceof Uint8Array; // true
 */
export function allocate(dtype: DType, length: number): TypedArray {
  const array = takeRecycled(dtype, length, true) ?? create(dtype, length);
  noteAllocation(array);
  return array;
}

/**
 * `allocate` for a kernel that overwrites every element before anything reads one: a recycled array
 * comes back as the engine left it (any values), which saves the zero-fill, a full extra pass over the
 * memory. New arrays are zero-filled all the same (the engine does it). Accumulating kernels (matmul,
 * reductions, scatter) must use `allocate`.
 *
 * @example
 * const out = allocateUnfilled("float32", 3);
 * out.set([1, 2, 3]); // every element written before use
 */
export function allocateUnfilled(dtype: DType, length: number): TypedArray {
  const array = takeRecycled(dtype, length, false) ?? create(dtype, length);
  noteAllocation(array);
  return array;
}

function create(dtype: DType, length: number): TypedArray {
  const region = slabRegion(length * BYTES_PER_ELEMENT[dtype]);
  switch (dtype) {
    case "float32":
      return region ? new Float32Array(region.buffer, region.byteOffset, length) : new Float32Array(length);
    case "float64":
    case "int64":
      return region ? new Float64Array(region.buffer, region.byteOffset, length) : new Float64Array(length);
    case "int32":
      return region ? new Int32Array(region.buffer, region.byteOffset, length) : new Int32Array(length);
    case "bool":
      return region ? new Uint8Array(region.buffer, region.byteOffset, length) : new Uint8Array(length);
  }
}

import { checkDType } from "./arguments.js";
import type { DType, TypedArray } from "./dtype.js";
import { TorchletError } from "./errors.js";
import { noteAllocation, takeRecycled } from "./recycle.js";
import { slabRegion } from "./slab.js";
import { HEAP_MIN_BYTES, heapFloat32 } from "./wasm-heap.js";

// The allocator of every tensor's memory. Not part of the public API (see internal.ts): it hands out
// recycled memory, so only the layers above may call it.

const BYTES_PER_ELEMENT: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1 };

/**
 * The most elements one tensor holds: 2^32 - 1, the longest typed array every JS engine allows (V8's
 * limit in Node 20 is 2^32, Safari's and the ECMAScript array-index range 2^32 - 1).
 *
 * @example
 * MAX_TENSOR_ELEMENTS; // 4294967295
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 32 - 1;

/**
 * The most bytes one tensor's memory takes: 2^33 (8 GiB), Firefox's largest ArrayBuffer (V8 allows
 * more, but one tensor that large is a mistaken size far more often than a real need).
 *
 * @example
 * MAX_TENSOR_BYTES; // 8589934592
 */
export const MAX_TENSOR_BYTES = 2 ** 33;

/**
 * Allocates a zero-filled typed array of `length` elements for `dtype`: one the backward engine
 * recycled (recycle.ts) when there is one of that size, else a new one. Every tensor's memory comes
 * from here, so this is where an unknown dtype, and a size beyond `MAX_TENSOR_ELEMENTS` or
 * `MAX_TENSOR_BYTES` (or more than the machine can give), become a `TorchletError` naming `op`. Arrays of a few hundred
 * bytes to 16 KiB are views into shared slabs (see slab.ts), and float32 arrays of 64 KiB and more views
 * into the Wasm heap (see wasm-heap.ts), so hand out a copy (`slice()`), never their `.buffer`, where a
 * caller could transfer or reinterpret the whole buffer.
 *
 * @example
 * allocate("float64", 3); // [0, 0, 0]
 * allocate("bool", 2) instanceof Uint8Array; // true
 * allocate("float32", 1e12, "zeros"); // throws: zeros: cannot allocate 1000000000000 float32 elements ...
 */
export function allocate(dtype: DType, length: number, op = "allocate"): TypedArray {
  return take(dtype, length, op, true);
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
export function allocateUnfilled(dtype: DType, length: number, op = "allocate"): TypedArray {
  return take(dtype, length, op, false);
}

function take(dtype: DType, length: number, op: string, zeroed: boolean): TypedArray {
  const bytes = length * (BYTES_PER_ELEMENT[dtype] ?? checkDType(op, dtype));
  // `length >>> 0 === length` holds exactly for the integers in [0, 2^32 - 1] (MAX_TENSOR_ELEMENTS).
  if (!(length >>> 0 === length && bytes <= MAX_TENSOR_BYTES)) throw sizeError(op, dtype, length);
  const array =
    takeRecycled(dtype, length, zeroed) ??
    fromHeap(dtype, length, bytes, zeroed) ??
    create(dtype, length, bytes, op);
  noteAllocation(array);
  return array;
}

/** A large float32 array inside the Wasm heap (wasm-heap.ts), zero-filled when `zeroed`, or null. */
function fromHeap(dtype: DType, length: number, bytes: number, zeroed: boolean): TypedArray | null {
  if (dtype !== "float32" || bytes < HEAP_MIN_BYTES) return null;
  return heapFloat32(length, zeroed);
}

function sizeError(op: string, dtype: DType, length: number, reason = ""): TorchletError {
  const bytes = length * BYTES_PER_ELEMENT[dtype];
  return new TorchletError(
    `${op}: cannot allocate ${length} ${dtype} elements (${bytes} bytes)${reason}: a tensor holds at most ${MAX_TENSOR_ELEMENTS} elements and ${MAX_TENSOR_BYTES} bytes`,
  );
}

function create(dtype: DType, length: number, bytes: number, op: string): TypedArray {
  const region = slabRegion(bytes);
  if (region) return view(dtype, region, length);
  try {
    return view(dtype, null, length);
  } catch (error) {
    // Within the limits but more than the machine gives (V8: "Array buffer allocation failed").
    if (error instanceof RangeError) throw sizeError(op, dtype, length, ", more memory than is available");
    throw error;
  }
}

function view(dtype: DType, region: ReturnType<typeof slabRegion>, length: number): TypedArray {
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

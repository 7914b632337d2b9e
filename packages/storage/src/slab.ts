/**
 * Where the small arrays of tensors come from. V8 gives every typed array over 64 bytes its own
 * backing store outside the JS heap: a calloc, a BackingStore object and external-memory accounting
 * that schedules extra collections, about 0.6 to 1 µs each, which is more than the kernel that fills
 * a 100x32 tensor of the chapter. So, as Node's `Buffer` pool does, arrays of up to `SLAB_MAX_BYTES` are
 * carved as views out of shared slabs. Nothing is ever freed by hand: a slab goes back to the
 * garbage collector with its last view. Each size class (a power of two) has its own slab holding
 * `SLOTS` arrays of the class, or `MIN_SLAB_BYTES` for the small classes, so one long-lived array
 * keeps at most `2 * SLOTS` times its own size, or 32 KiB, alive.
 */

/** Up to this size V8 keeps a typed array inside its heap, which is cheaper still. */
const HEAP_BYTES = 64;
/** Larger arrays get their own buffer: there the zero-fill dominates and a slab saves nothing. */
export const SLAB_MAX_BYTES = 16384;
const SLOTS = 8;
/**
 * The least bytes of a slab. A new buffer costs a fixed part besides its zero-fill (the calloc, the
 * backing-store object, the external-memory accounting): a 4 KiB slab of 400-byte arrays paid it
 * every ten arrays, about twice what one of 32 KiB costs per array.
 */
const MIN_SLAB_BYTES = 32768;

interface Slab {
  buffer: ArrayBuffer;
  used: number;
}
/** The current slab of each size class, by log2 of the class size. */
const slabs: (Slab | undefined)[] = [];

/**
 * A zero-filled region of `bytes` bytes (8-byte aligned) in a shared slab, or null when the array
 * should get a buffer of its own.
 */
export function slabRegion(bytes: number): { buffer: ArrayBuffer; byteOffset: number } | null {
  if (bytes <= HEAP_BYTES || bytes > SLAB_MAX_BYTES) return null;
  const sizeClass = 32 - Math.clz32(bytes - 1);
  const size = (bytes + 7) & ~7;
  let slab = slabs[sizeClass];
  if (slab === undefined || slab.used + size > slab.buffer.byteLength) {
    slab = { buffer: new ArrayBuffer(Math.max(SLOTS << sizeClass, MIN_SLAB_BYTES)), used: 0 };
    slabs[sizeClass] = slab;
  }
  const byteOffset = slab.used;
  slab.used += size;
  return { buffer: slab.buffer, byteOffset };
}

/**
 * Whether two arrays share memory: the same buffer and overlapping bytes. Arrays in one slab share a
 * buffer without sharing memory, so comparing `.buffer` alone is not enough.
 *
 * @example
 * const a = StridedArray.zeros([100], "float32").data;
 * sharesMemory(a, a.subarray(50)); // true
 * sharesMemory(a, StridedArray.zeros([100], "float32").data); // false
 */
export function sharesMemory(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a === b) return a.byteLength > 0;
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

import type { DeviceStorage } from "./device.js";
import { type DType, dtypeOfArray, type TypedArray } from "./dtype.js";
import { SLAB_MAX_BYTES } from "./slab.js";
import { releaseHeapArray } from "./wasm-heap.js";

/**
 * Arrays the backward engine has proven dead, kept for `allocate` to hand out again. Fresh memory is
 * dear: the allocator returns freed buffers to the operating system, so a new array costs a page
 * fault per 4 KiB on first write, about 3 ms for one [8192, 256] float32 gradient here, several times
 * the kernel that fills it. Only the autograd engine recycles, and only gradients it allocated itself,
 * consumed, and that no pending gradient shares memory with; user code never frees anything, so memory
 * stays the garbage collector's. The cache is bounded (`POOL_BYTES` in all, `PER_SIZE` arrays per
 * dtype and length) and whatever does not fit is simply left to the collector.
 */

const POOL_BYTES = 64 * 1024 * 1024;
const PER_SIZE = 4;
/**
 * The smallest array `recycle` keeps and `collectAllocations` reports: arrays with a buffer of their
 * own. Smaller ones come out of shared slabs (slab.ts), cheap enough that the bookkeeping would cost
 * more than it saves (measured on the chapter's 100x32 tensors).
 *
 * @example
 * StridedArray.zeros([100], "float32").data.byteLength < RECYCLED_MIN_BYTES; // true: not worth recycling
 */
export const RECYCLED_MIN_BYTES = SLAB_MAX_BYTES + 1;

const pools: Record<DType, Map<number, TypedArray[]>> = {
  float32: new Map(),
  float64: new Map(),
  int32: new Map(),
  int64: new Map(),
  bool: new Map(),
};
let pooledBytes = 0;
/**
 * The arrays `allocate` has handed out inside `collectAllocations`, and the device storages created
 * meanwhile (`noteDeviceAllocation`), or null outside it.
 */
let fresh: Set<TypedArray | DeviceStorage> | null = null;

/**
 * Hands an array that nothing can reach any more back for reuse (the backward engine calls this).
 * The caller vouches that no tensor, view or pending computation uses its memory.
 *
 * @example
 * const dead = allocate("float32", 5000);
 * recycle(dead);
 * allocate("float32", 5000) === dead; // true, and zero-filled again
 */
export function recycle(array: TypedArray, dtype: DType = dtypeOfArray(array) ?? "bool"): void {
  // A Wasm heap block goes straight back to the heap, where any size can reuse it.
  if (releaseHeapArray(array)) return;
  const bytes = array.byteLength;
  if (bytes < RECYCLED_MIN_BYTES || pooledBytes + bytes > POOL_BYTES) return;
  const pool = pools[dtype];
  const list = pool.get(array.length);
  if (list === undefined) pool.set(array.length, [array]);
  else if (list.length < PER_SIZE && !list.includes(array)) list.push(array);
  else return;
  pooledBytes += bytes;
}

/**
 * The bytes held for reuse now (at most 64 MiB).
 *
 * @example
 * recycledBytes() <= 64 * 1024 * 1024; // true
 */
export function recycledBytes(): number {
  return pooledBytes;
}

/** A recycled array of this dtype and length, zero-filled when `zero` (else as it was), or undefined. */
export function takeRecycled(dtype: DType, length: number, zero: boolean): TypedArray | undefined {
  if (pooledBytes === 0) return undefined;
  const array = pools[dtype].get(length)?.pop();
  if (array === undefined) return undefined;
  pooledBytes -= array.byteLength;
  return zero ? array.fill(0) : array;
}

/** Called by `allocate` for every array it hands out. */
export function noteAllocation(array: TypedArray): void {
  if (fresh !== null && array.byteLength >= RECYCLED_MIN_BYTES) fresh.add(array);
}

/**
 * Called by a device's allocator for every storage it creates, so that the backward engine can tell
 * the device gradients it created (a device returns them to its own pool, at any size).
 */
export function noteDeviceAllocation(storage: DeviceStorage): void {
  fresh?.add(storage);
}

/**
 * Runs `fn` with the set of arrays of at least `RECYCLED_MIN_BYTES` that `allocate` hands out while it
 * runs, and of the device storages created meanwhile (nested calls each get their own), so the caller
 * knows which arrays it created and may later prove dead.
 *
 * @example
 * const created = collectAllocations((fresh) => {
 *   allocate("float64", 100); // a slab array: not reported
 *   allocate("float64", 5000);
 *   return fresh.size;
 * });
 * created; // 1
 */
export function collectAllocations<T>(fn: (fresh: ReadonlySet<TypedArray | DeviceStorage>) => T): T {
  const outer = fresh;
  const mine = new Set<TypedArray | DeviceStorage>();
  fresh = mine;
  try {
    return fn(mine);
  } finally {
    fresh = outer;
    if (outer) for (const array of mine) outer.add(array);
  }
}

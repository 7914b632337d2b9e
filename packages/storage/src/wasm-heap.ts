/**
 * The Wasm heap: large float32 arrays live inside one shared WebAssembly.Memory, which the streaming
 * kernels of @torchlet/ops import, so they compute on tensors in place instead of copying every
 * operand into a scratch memory and the result out (three copies per array besides the kernel's
 * own pass). The memory is shared because only a shared memory's views survive `memory.grow`: growing
 * a plain one detaches its ArrayBuffer and every tensor viewing it would die. So the heap exists only
 * where SharedArrayBuffer does (Node; browsers when cross-origin isolated); elsewhere, and whenever
 * the heap is full, `heapFloat32` says no and the allocator hands out an ordinary array, which the
 * kernels copy as before. Nothing ever fails for lack of heap.
 *
 * Blocks are freed when their array is collected (a FinalizationRegistry) or when the backward engine
 * recycles a gradient it proved dead (recycle.ts). When the heap is full, the callbacks of arrays
 * already collected run at once, and where the runtime offers it (Node, see collector.ts) a full
 * collection finds the arrays nothing references any more, so a synchronous loop keeps computing in
 * the heap on the blocks of its dead tensors. The memory itself never shrinks: a Wasm memory
 * cannot give pages back, so the process keeps the heap's peak size (at most `HEAP_MAX_BYTES`).
 * Every heap array is a view of the whole heap's buffer: never hand one (or its `.buffer`) to user
 * code; public readers copy.
 */

import { type Collector, nodeCollector } from "./collector.js";

/** Arrays of at least this many bytes go to the heap: below it the copies cost less than the call. */
export const HEAP_MIN_BYTES = 65536;
/** The first bytes of the memory: the kernels' scratch (operands streamed in, results out). */
export const HEAP_SCRATCH_BYTES = 4 * 65536;
/** The memory's maximum, in 64 KiB pages (512 MiB); a module importing it must declare the same. */
export const HEAP_MAX_PAGES = 8192;
const PAGE = 65536;
/** Blocks are 64-byte aligned and one line longer than asked: kernels may read a few lanes past an
 * array's end (column sums), and the extra line staggers consecutive blocks' page offsets. */
const LINE = 64;
/** The least the heap grows by, so a run of allocations does not grow it page by page. */
const GROW_BYTES = 16 * 1024 * 1024;

interface Heap {
  readonly memory: WebAssembly.Memory;
  /** Every SharedArrayBuffer object the memory has handed out (one per size it had). */
  readonly buffers: WeakSet<ArrayBufferLike>;
  /** Free ranges [at, at + size), by address, never adjacent (merged on free). */
  readonly free: { at: number; size: number }[];
  /** The size of each live block, by address. */
  readonly live: Map<number, number>;
  /** `cleanupSome` (runs the callbacks of arrays already collected) only where the collector made it. */
  readonly registry: FinalizationRegistry<number> & { cleanupSome?(): void };
  readonly collector: Collector | null;
  /** Bytes asked of the heap since the last collection it forced. */
  asked: number;
  /** The end of the space carved so far (the memory may be larger). */
  end: number;
  /** Bytes from here on were never handed out: still the zeros the memory grew with. */
  pristine: number;
  used: number;
}

let heap: Heap | null | undefined;
/** A test hook's cap on the bytes in live blocks, or null for none but `HEAP_MAX_PAGES`. */
let limitBytes: number | null = null;

function createHeap(): Heap | null {
  if (typeof WebAssembly === "undefined" || typeof SharedArrayBuffer === "undefined") return null;
  try {
    const memory = new WebAssembly.Memory({
      initial: HEAP_SCRATCH_BYTES / PAGE,
      maximum: HEAP_MAX_PAGES,
      shared: true,
    } as WebAssembly.MemoryDescriptor);
    if (!(memory.buffer instanceof SharedArrayBuffer)) return null;
    const collector = nodeCollector();
    const onCollected = (at: number) => release(h, at);
    const h: Heap = {
      memory,
      buffers: new WeakSet([memory.buffer]),
      free: [],
      live: new Map(),
      registry: collector?.registry(onCollected) ?? new FinalizationRegistry(onCollected),
      collector,
      asked: 0,
      end: HEAP_SCRATCH_BYTES,
      pristine: HEAP_SCRATCH_BYTES,
      used: 0,
    };
    return h;
  } catch {
    return null; // shared memory refused (a browser page that is not cross-origin isolated)
  }
}

/**
 * The heap's memory (created on first use), or null where there is none. The elementwise kernels
 * import it; its first `HEAP_SCRATCH_BYTES` are theirs.
 */
export function wasmHeap(): WebAssembly.Memory | null {
  if (heap === undefined) heap = createHeap();
  return heap?.memory ?? null;
}

/**
 * A float32 array of `length` elements inside the heap, zero-filled when `zeroed` (else its contents
 * are arbitrary: a reused block keeps what was there), or null when there is no heap or no room in it.
 * Never-used memory is zero already and is not filled again (the fill would fault every page in a
 * pass of its own).
 */
export function heapFloat32(length: number, zeroed: boolean): Float32Array | null {
  wasmHeap();
  const h = heap;
  if (!h) return null;
  const size = (Math.ceil((length * 4) / LINE) + 1) * LINE;
  const at = carve(h, size);
  if (at < 0) return null;
  h.live.set(at, size);
  h.used += size;
  const array = new Float32Array(h.memory.buffer, at, length);
  if (zeroed && at < h.pristine) array.fill(0);
  h.pristine = Math.max(h.pristine, at + size);
  h.buffers.add(array.buffer);
  h.registry.register(array, at, array);
  return array;
}

/**
 * Where a block of `size` bytes goes: the first free range that fits (the rest stays free), else one
 * that arrays collected since the last task give back, else new space (growing the memory), else,
 * the heap being full, space that a collection finds; -1 when none of these has room.
 */
function carve(h: Heap, size: number): number {
  h.asked += size;
  const capacity = limitBytes ?? HEAP_MAX_PAGES * PAGE;
  const place = (grow: boolean) => {
    if (h.used + size > capacity) return -1;
    const at = firstFit(h, size);
    return at >= 0 || !grow ? at : extend(h, size);
  };
  let at = place(false);
  if (at < 0) {
    // Their callbacks would otherwise run only once the code yields to the event loop.
    h.registry.cleanupSome?.();
    at = place(true);
  }
  // At most one collection per half a heap asked for, so a heap full of live arrays falls back to
  // ordinary arrays instead of collecting at every allocation.
  if (at < 0 && h.collector !== null && h.asked >= capacity / 2) {
    h.asked = 0;
    h.collector.collect();
    h.registry.cleanupSome?.();
    at = place(true);
  }
  return at;
}

/** The first free range of at least `size` bytes, shortened by `size` from its start; -1 if none. */
function firstFit(h: Heap, size: number): number {
  for (let i = 0; i < h.free.length; i++) {
    const range = h.free[i] as { at: number; size: number };
    if (range.size < size) continue;
    const at = range.at;
    if (range.size === size) h.free.splice(i, 1);
    else {
      range.at += size;
      range.size -= size;
    }
    return at;
  }
  return -1;
}

/** `size` bytes past the end of the carved space, growing the memory if needed; -1 past the maximum. */
function extend(h: Heap, size: number): number {
  if (h.end + size > HEAP_MAX_PAGES * PAGE) return -1;
  const have = h.memory.buffer.byteLength;
  if (h.end + size > have) {
    const want = Math.min(Math.max(h.end + size - have, GROW_BYTES), HEAP_MAX_PAGES * PAGE - have);
    try {
      h.memory.grow(Math.ceil(want / PAGE));
    } catch {
      return -1; // the machine refused the pages
    }
  }
  const at = h.end;
  h.end += size;
  return at;
}

/** Frees the block at `at` (no-op if it is not live), merging it with free neighbours. */
function release(h: Heap, at: number): void {
  const size = h.live.get(at);
  if (size === undefined) return;
  h.live.delete(at);
  h.used -= size;
  const free = h.free;
  let i = 0;
  while (i < free.length && (free[i] as { at: number }).at < at) i++;
  const before = free[i - 1];
  const after = free[i];
  if (before !== undefined && before.at + before.size === at) {
    before.size += size;
    if (after !== undefined && at + size === after.at) {
      before.size += after.size;
      free.splice(i, 1);
    }
  } else if (after !== undefined && at + size === after.at) {
    after.at = at;
    after.size += size;
  } else free.splice(i, 0, { at, size });
  // A free range at the end of the carved space goes back to it.
  const last = free.at(-1);
  if (last !== undefined && last.at + last.size === h.end) {
    h.end = last.at;
    free.pop();
  }
}

/**
 * The byte address inside the heap's memory of `array`'s first element, or -1 when `array` is not
 * in the heap. Any array on one of the heap's buffers is (a heap array or a view of one).
 */
export function heapAddress(array: ArrayBufferView): number {
  return heap?.buffers.has(array.buffer) ? array.byteOffset : -1;
}

/**
 * Frees the block of `array`, a whole heap array from `heapFloat32` that nothing uses any more (the
 * backward engine's proof, as for `recycle`). False, doing nothing, for any other array.
 */
export function releaseHeapArray(array: ArrayBufferView): boolean {
  if (heap == null || !heap.buffers.has(array.buffer) || !heap.live.has(array.byteOffset)) return false;
  heap.registry.unregister(array);
  release(heap, array.byteOffset);
  return true;
}

/**
 * The heap's state: bytes in live blocks, blocks, and the memory's size; null where there is no heap.
 *
 * @example
 * heapInfo()?.blocks; // how many heap arrays are alive
 */
export function heapInfo(): { usedBytes: number; blocks: number; memoryBytes: number } | null {
  wasmHeap();
  const h = heap;
  if (!h) return null;
  return { usedBytes: h.used, blocks: h.live.size, memoryBytes: h.memory.buffer.byteLength };
}

/**
 * A test hook: caps the bytes in live blocks at `bytes` (0 turns the heap off for new arrays, null
 * lifts the cap), so tests see the allocator fall back to ordinary arrays when the heap is full.
 */
export function limitHeapForTests(bytes: number | null): void {
  limitBytes = bytes;
}

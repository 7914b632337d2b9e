import { afterEach, describe, expect, it } from "vitest";
import { StridedArray } from "../src/index.js";
import {
  allocate,
  allocateUnfilled,
  collectAllocations,
  HEAP_MIN_BYTES,
  heapAddress,
  heapInfo,
  limitHeapForTests,
  recycle,
} from "../src/internal.js";

// The Wasm heap (wasm-heap.ts): large float32 arrays live in one shared WebAssembly.Memory, freed when
// the engine recycles them or the collector takes them, and the allocator falls back to ordinary
// arrays when the heap is full. Node always has SharedArrayBuffer, so the heap exists here.

const BIG = HEAP_MIN_BYTES / 4; // the fewest float32 elements that go to the heap

afterEach(() => limitHeapForTests(null));

describe("the Wasm heap", () => {
  it("holds float32 arrays of at least 64 KiB, and no smaller or other dtype", () => {
    expect(heapInfo()).not.toBeNull();
    expect(heapAddress(allocate("float32", BIG))).toBeGreaterThan(0);
    expect(heapAddress(allocate("float32", BIG - 1))).toBe(-1);
    expect(heapAddress(allocate("float64", BIG))).toBe(-1);
    expect(heapAddress(allocate("int32", BIG))).toBe(-1);
    expect(heapAddress(new Float32Array(BIG))).toBe(-1);
  });

  it("zero-fills a reused block for allocate, not for allocateUnfilled", () => {
    const a = allocate("float32", BIG) as Float32Array;
    const at = heapAddress(a);
    a.fill(7);
    recycle(a);
    const b = allocateUnfilled("float32", BIG);
    expect(heapAddress(b)).toBe(at);
    expect(b[0]).toBe(7);
    recycle(b);
    const c = allocate("float32", BIG);
    expect(heapAddress(c)).toBe(at);
    expect(c.every((v) => v === 0)).toBe(true);
  });

  it("frees a block the engine recycles, and any size reuses it", () => {
    const a = allocate("float32", 4 * BIG);
    const at = heapAddress(a);
    const before = heapInfo();
    recycle(a);
    const after = heapInfo();
    expect(after?.blocks).toBe((before?.blocks ?? 0) - 1);
    expect(after?.usedBytes).toBeLessThan(before?.usedBytes ?? 0);
    // A smaller array takes the start of the freed block (first fit), a second one the rest.
    const b = allocate("float32", BIG);
    expect(heapAddress(b)).toBe(at);
    expect(heapAddress(allocate("float32", BIG))).toBeGreaterThan(at);
    expect(heapAddress(allocate("float32", BIG))).toBeLessThan(at + 4 * HEAP_MIN_BYTES + 64);
  });

  it("reports the arrays it hands out to collectAllocations", () => {
    const created = collectAllocations((fresh) => {
      const a = allocate("float32", BIG);
      return fresh.has(a);
    });
    expect(created).toBe(true);
  });

  it("falls back to ordinary arrays when full, with the same contract", () => {
    limitHeapForTests(0);
    const a = allocate("float32", BIG);
    expect(heapAddress(a)).toBe(-1);
    expect(a.buffer.byteLength).toBe(HEAP_MIN_BYTES);
    expect(a.every((v) => v === 0)).toBe(true);
    limitHeapForTests(null);
    expect(heapAddress(allocate("float32", BIG))).toBeGreaterThan(0);
  });

  it("holds tensors of any shape, with views sharing the heap array", () => {
    const t = StridedArray.zeros([BIG / 64, 64], "float32");
    expect(heapAddress(t.data)).toBeGreaterThan(0);
    expect(t.transpose(0, 1).data).toBe(t.data);
  });

  it("frees a block when the collector takes its array", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc).toBeDefined(); // the storage project runs with --expose-gc
    const blocks = heapInfo()?.blocks ?? 0;
    (() => {
      for (let i = 0; i < 8; i++) allocate("float32", BIG);
    })();
    expect(heapInfo()?.blocks).toBe(blocks + 8);
    // Finalizers run in a later task after a collection; allow a few rounds.
    for (let round = 0; round < 20 && (heapInfo()?.blocks ?? 0) > blocks; round++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(heapInfo()?.blocks).toBeLessThanOrEqual(blocks);
  });

  it("takes back the blocks of dead arrays inside synchronous code when full", () => {
    // Room for four blocks: without a collection on the spot, the fifth array and every later one
    // would fall back, since finalizers only run once this code yields to the event loop.
    limitHeapForTests((heapInfo()?.usedBytes ?? 0) + 4 * (HEAP_MIN_BYTES + 128));
    let inHeap = 0;
    for (let i = 0; i < 40; i++) if (heapAddress(allocate("float32", BIG)) >= 0) inHeap++;
    expect(inHeap).toBe(40);
  });

  it("keeps live arrays through a collection, falling back while they fill the heap", () => {
    // A full heap collects before falling back: this frees the blocks earlier tests left behind.
    limitHeapForTests(0);
    allocate("float32", BIG);
    limitHeapForTests((heapInfo()?.usedBytes ?? 0) + 4 * (HEAP_MIN_BYTES + 128));
    const live = Array.from({ length: 8 }, (_, i) => {
      const a = allocate("float32", BIG) as Float32Array;
      a.fill(i);
      return a;
    });
    const inHeap = live.map((a) => heapAddress(a) >= 0);
    expect(inHeap).toEqual([...Array(4).fill(true), ...Array(4).fill(false)]);
    for (const [i, a] of live.entries()) expect(a.every((v) => v === i)).toBe(true);
  });
});

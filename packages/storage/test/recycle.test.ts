import { describe, expect, it } from "vitest";
import { recycledBytes } from "../src/index.js";
import { allocate, allocateUnfilled, collectAllocations, recycle } from "../src/internal.js";

describe("recycle", () => {
  it("hands a recycled array out again, zero-filled, to the next allocation of its dtype and length", () => {
    const dead = allocate("float64", 5000).fill(3);
    recycle(dead);
    expect(allocate("float32", 5000)).not.toBe(dead);
    expect(allocate("float64", 4999)).not.toBe(dead);
    const again = allocate("float64", 5000);
    expect(again).toBe(dead);
    expect(again.every((v) => v === 0)).toBe(true);
    expect(allocate("float64", 5000)).not.toBe(dead);
  });

  it("hands a recycled array out as it was to allocateUnfilled (for kernels that write every element)", () => {
    const dead = allocate("float32", 6000).fill(3);
    recycle(dead);
    const again = allocateUnfilled("float32", 6000);
    expect(again).toBe(dead);
    expect(again.every((v) => v === 3)).toBe(true);
    expect(allocateUnfilled("float32", 6000).every((v) => v === 0)).toBe(true); // a new one is zeroed
  });

  it("keeps an array once however often it is recycled", () => {
    const dead = allocate("int32", 5000);
    recycle(dead);
    recycle(dead);
    const first = allocate("int32", 5000);
    const second = allocate("int32", 5000);
    expect(first).toBe(dead);
    expect(second).not.toBe(dead);
  });

  it("is bounded: tiny arrays and arrays past the cap go to the collector", () => {
    const before = recycledBytes();
    recycle(allocate("float32", 4));
    recycle(allocate("float32", 4096)); // a slab array: cheap to allocate, not kept
    expect(recycledBytes()).toBe(before);
    const big = Array.from({ length: 5 }, () => allocate("bool", 20 * 1024 * 1024));
    for (const b of big) recycle(b);
    expect(recycledBytes()).toBeLessThanOrEqual(64 * 1024 * 1024);
    for (let i = 0; i < 5; i++) allocate("bool", 20 * 1024 * 1024);
    expect(recycledBytes()).toBe(before);
  });
});

describe("collectAllocations", () => {
  it("sees the arrays allocated inside it, nested calls included, and nothing after", () => {
    const outside = allocate("float32", 5000);
    let inner: ReadonlySet<unknown> = new Set();
    const seen = collectAllocations((fresh) => {
      const a = allocate("float32", 5000);
      allocate("float32", 100); // a slab array: not reported
      collectAllocations((nested) => {
        allocate("float32", 8000);
        inner = nested;
      });
      expect(fresh.has(a)).toBe(true);
      return fresh;
    });
    allocate("float32", 100);
    expect(seen.has(outside)).toBe(false);
    expect(seen.size).toBe(2);
    expect(inner.size).toBe(1);
  });
});

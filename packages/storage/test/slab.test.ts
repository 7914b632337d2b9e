import { describe, expect, it } from "vitest";
import { DTYPES, sharesMemory } from "../src/index.js";
import { allocate } from "../src/internal.js";

describe("allocate from slabs", () => {
  it("gives zero-filled arrays that never overlap, for every dtype and size around the slab bounds", () => {
    for (const dtype of DTYPES) {
      for (const length of [0, 1, 8, 16, 17, 100, 1000, 2048, 4096, 4097, 20000]) {
        const arrays = Array.from({ length: 20 }, () => allocate(dtype, length));
        for (const a of arrays) {
          expect(a.length).toBe(length);
          expect(a.every((v) => v === 0)).toBe(true);
          expect(a.byteOffset % 8).toBe(0);
        }
        arrays.forEach((a, i) => {
          a.fill(i + 1);
        });
        arrays.forEach((a, i) => {
          expect(a.every((v) => v === i + 1)).toBe(true);
          for (const b of arrays) if (b !== a && length > 0) expect(sharesMemory(a, b)).toBe(false);
        });
      }
    }
  });

  it("carves mid-sized arrays out of shared buffers and gives large ones their own", () => {
    const small = [allocate("float32", 100), allocate("float32", 100)];
    expect(small[0]?.buffer).toBe(small[1]?.buffer);
    const large = allocate("float32", 5000);
    expect(large.byteOffset).toBe(0);
    expect(large.buffer.byteLength).toBe(20000);
  });
});

describe("sharesMemory", () => {
  it("is true for overlapping views only", () => {
    const a = new Float32Array(10);
    expect(sharesMemory(a, a)).toBe(true);
    expect(sharesMemory(a, a.subarray(9))).toBe(true);
    expect(sharesMemory(a.subarray(0, 5), a.subarray(5))).toBe(false);
    expect(sharesMemory(a, new Float32Array(10))).toBe(false);
    expect(sharesMemory(new Uint8Array(a.buffer, 3, 2), new Int32Array(a.buffer, 4, 1))).toBe(true);
  });
});

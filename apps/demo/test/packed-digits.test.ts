import { createRequire } from "node:module";
import { loadDigits, splitDigits } from "@torchlet/vision";
import { describe, expect, it } from "vitest";
import { packDigits, unpackDigits } from "../src/digits/packed-digits.js";

/** Samples per class of pixels k / 255 to three decimals, the mnist package's values. */
function samples(counts: number[]): number[][] {
  let k = 0;
  return counts.map((n) =>
    Array.from({ length: n * 784 }, () => Number((((k++ * 37) % 256) / 255).toFixed(3))),
  );
}

describe("the packed digits", () => {
  it("give back every class's samples, each value as float32 of the original", () => {
    const byClass = samples([3, 1, 0, 2, 1, 1, 1, 1, 1, 4]);
    const bytes = packDigits(byClass);
    expect(bytes.length).toBe(10 * 4 + 256 * 8 + 15 * 784);
    const back = unpackDigits(bytes);
    expect(back.map((pixels) => pixels.length)).toEqual(byClass.map((pixels) => pixels.length));
    expect(back.map((pixels) => Array.from(pixels))).toEqual(
      byClass.map((pixels) => Array.from(Float32Array.from(pixels))),
    );
  });

  it("refuse what a byte per pixel cannot hold, and a truncated file", () => {
    const tooMany = samples([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    (tooMany[0] as number[])[0] = 0.5001;
    (tooMany[0] as number[])[1] = 0.5002;
    expect(() => packDigits(tooMany)).toThrow(/258 distinct pixel values do not fit a byte/);
    expect(() => packDigits([[0]])).toThrow(/expected 10 classes, got 1/);
    const bytes = packDigits(samples([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    expect(() => unpackDigits(bytes.subarray(0, bytes.length - 1))).toThrow(/expected 9928 bytes/);
  });

  it("of the mnist package give the page exactly the tensors loadDigits gives Node", async () => {
    const mnist = createRequire(import.meta.url)("mnist") as { raw: number[] }[];
    const bytes = packDigits(mnist.map((digit) => digit.raw));
    expect(bytes.length).toBe(10 * 4 + 256 * 8 + 10_000 * 784);
    const page = splitDigits(unpackDigits(bytes));
    const node = await loadDigits();
    for (const split of ["train", "test"] as const) {
      expect(page[split].images.shape).toEqual(node[split].images.shape);
      expect(page[split].labels.dtype).toBe("int64");
      // Bit for bit (a deep equality of 6 million numbers would take minutes).
      for (const key of ["images", "labels"] as const) {
        const [a, b] = [page[split][key].toTypedArray(), node[split][key].toTypedArray()];
        expect(
          Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
            Buffer.from(b.buffer, b.byteOffset, b.byteLength),
          ),
          key,
        ).toBe(true);
      }
    }
  }, 60_000);
});

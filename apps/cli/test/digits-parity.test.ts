import { readFileSync } from "node:fs";
import { DIGITS_MODELS, type DigitsModelName, loadDigits } from "@torchlet/vision";
import { describe, expect, it } from "vitest";
import { DigitsRun } from "../src/digits-run.js";

/** Written by fixtures/gen_digits.py with PyTorch 1.13: the first 50 batch losses of each run. */
interface DigitsFixture {
  torch: string;
  split: { train: number; test: number; trainLabelSum: number; trainPixelSum: number };
  cases: { model: DigitsModelName; seed: number; batchSize: number; lr: number; losses: number[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/digits.json", import.meta.url), "utf8"),
) as DigitsFixture;
const digits = await loadDigits();

describe(`torchlet digits against PyTorch ${fixture.torch}`, () => {
  it("covers every digits model", () => {
    expect([...new Set(fixture.cases.map((c) => c.model))]).toEqual([...DIGITS_MODELS]);
  });

  it("reads the same train split as the PyTorch script", () => {
    const { images, labels } = digits.train;
    expect(labels.shape[0]).toBe(fixture.split.train);
    expect(digits.test.labels.shape[0]).toBe(fixture.split.test);
    expect(labels.sum().item()).toBe(fixture.split.trainLabelSum);
    expect(images.to("float64").sum().item()).toBeCloseTo(fixture.split.trainPixelSum, 6);
  });

  // Same seed, initialisation, shuffled batch order and Adam steps: the losses agree to float32
  // rounding (the kernels add in another order than PyTorch's BLAS), far inside 1e-4.
  it.each(
    fixture.cases.filter((c) => DIGITS_MODELS.includes(c.model)).map((c) => [c.model, c.seed, c] as const),
  )(
    "%s, seed %i: the first 50 batch losses equal PyTorch's to 1e-4 relative",
    async (_, seed, c) => {
      const run = new DigitsRun(
        { model: c.model, epochs: 1, batchSize: c.batchSize, lr: c.lr, seed: BigInt(seed) },
        digits,
      );
      const losses: number[] = [];
      for await (const loss of run.trainEpoch()) {
        losses.push(loss);
        if (losses.length === c.losses.length) break;
      }
      const worst = Math.max(
        ...losses.map((l, i) => Math.abs(l - (c.losses[i] as number)) / (c.losses[i] as number)),
      );
      expect(losses).toHaveLength(50);
      expect(worst).toBeLessThan(1e-4);
    },
    // 50 batches of the CNN take a minute or more on a busy 2-core machine.
    300_000,
  );
});

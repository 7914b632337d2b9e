import { describe, expect, it } from "vitest";
import { Trainer } from "../src/trainer.js";

describe("Trainer", () => {
  it("shows a loss and graph before training, and the loss falls over the chapter's 200 epochs", () => {
    const t = new Trainer({ dataset: "chapter", hidden: 32, lr: 1e-4, epochs: 200, seed: 42 });
    const first = t.snapshot();
    expect(first.epoch).toBe(0);
    expect(first.phase).toBe("setup");
    expect(first.losses).toHaveLength(1);
    while (!t.done) t.runEpoch();
    const last = t.snapshot();
    expect(last.epoch).toBe(200);
    expect(last.loss as number).toBeLessThan(first.loss as number);
  }, 30_000);

  it("with seed 42 prints the losses of `torchlet train` and PyTorch (epoch 10: 112.5338, epoch 200: 20.04058)", () => {
    const t = new Trainer({ dataset: "chapter", hidden: 32, lr: 1e-4, epochs: 200, seed: 42 });
    const losses = [...t.snapshot().losses];
    while (!t.done) {
      t.runEpoch();
      losses.push(...t.snapshot().losses);
    }
    expect(losses[9]).toBeCloseTo(112.5338, 3);
    expect(losses[199]).toBeCloseTo(20.04058, 4);
  }, 30_000);

  for (const dataset of ["sine", "cubic"] as const) {
    it(`fits the 1-D ${dataset} data with the settings the page suggests`, () => {
      const t = new Trainer({ dataset, hidden: 32, lr: 1e-2, epochs: 1000, seed: 42 });
      const first = t.snapshot();
      while (!t.done) t.runEpoch();
      const last = t.snapshot();
      expect(last.loss as number).toBeLessThan((first.loss as number) / 10);
    }, 30_000);
  }
});

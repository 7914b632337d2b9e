import { describe, expect, it } from "vitest";
import { Trainer } from "../src/trainer.js";

describe("Trainer", () => {
  it("shows a loss and graph before training, and the loss falls over the chapter's 200 epochs", () => {
    const t = new Trainer({ dataset: "chapter", style: "raw", hidden: 32, lr: 1e-4, epochs: 200, seed: 42 });
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
    const t = new Trainer({ dataset: "chapter", style: "raw", hidden: 32, lr: 1e-4, epochs: 200, seed: 42 });
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
      const t = new Trainer({ dataset, style: "raw", hidden: 32, lr: 1e-2, epochs: 1000, seed: 42 });
      const first = t.snapshot();
      while (!t.done) t.runEpoch();
      const last = t.snapshot();
      expect(last.loss as number).toBeLessThan((first.loss as number) / 10);
    }, 30_000);
  }
});

describe("Trainer in the book's styles", () => {
  // The CLI's styles (apps/cli/fixtures/styles.json, from PyTorch 1.13) on the same data and weights.
  const run = (style: "raw" | "modules" | "optim" | "adam", lr: number) => {
    const t = new Trainer({ dataset: "chapter", style, hidden: 32, lr, epochs: 200, seed: 42 });
    const losses = [...t.snapshot().losses];
    while (!t.done) {
      t.runEpoch();
      losses.push(...t.snapshot().losses);
    }
    return { t, losses };
  };

  it("modules gives the raw run's losses exactly; optim and adam give PyTorch's", () => {
    const raw = run("raw", 1e-4).losses;
    expect(run("modules", 1e-4).losses).toEqual(raw);
    const optim = run("optim", 1e-4).losses;
    expect(optim[199]).toBeCloseTo(20.040576934814453, 4);
    const adam = run("adam", 0.01).losses;
    expect(adam[49]).toBeCloseTo(4.048923492431641, 4);
    expect(adam[199]).toBeCloseTo(0.8838708996772766, 5);
  }, 60_000);

  it("shows the layers' parameters and gradients in the chapter's layout", () => {
    const { t } = run("optim", 1e-4);
    const snap = t.snapshot();
    expect(snap.params.map((p) => [p.name, p.value.rows, p.value.cols])).toEqual([
      ["w1", 3, 32],
      ["b1", 1, 32],
      ["w2", 32, 1],
      ["b2", 1, 1],
    ]);
    expect(
      snap.params.every((p) => p.grad && p.grad.rows === p.value.rows && p.grad.cols === p.value.cols),
    ).toBe(true);
    // The views follow the optimizer's in-place updates.
    const raw = run("raw", 1e-4).t.snapshot();
    const w1 = snap.params[0]?.value.values as Float32Array;
    const rawW1 = raw.params[0]?.value.values as Float32Array;
    expect(Math.max(...w1.map((v, i) => Math.abs(v - (rawW1[i] as number))))).toBeLessThan(1e-5);
    expect(snap.graph?.nodes.some((n) => n.detail === "0.weight" || n.name === "0.weight")).toBe(true);
  }, 60_000);
});

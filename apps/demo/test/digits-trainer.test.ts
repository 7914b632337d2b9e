// The Digits page's trainer on small synthetic "digits" (class c is a bar in row 2c + 4, with noise),
// so it runs in a second; the real digits are checked in the browser test.
import type { Digits } from "@torchlet/vision";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { DigitsTrainer } from "../src/digits/trainer.js";

function synthetic(n: number, seed: number): { images: torch.Tensor; labels: torch.Tensor } {
  torch.manualSeed(seed);
  const labels = torch.randint(0, 10, [n]);
  const pixels = torch.rand([n, 1, 28, 28]).mul(0.3).toTypedArray() as Float32Array;
  const classes = labels.tolist() as number[];
  classes.forEach((c, i) => {
    for (let x = 4; x < 24; x++) pixels[i * 784 + (2 * c + 4) * 28 + x] = 1;
  });
  return { images: torch.tensor(pixels).reshape([n, 1, 28, 28]), labels };
}

function split(): Digits {
  return { train: synthetic(320, 1), test: synthetic(100, 2) };
}

const mlp = () =>
  new torch.nn.Sequential(
    new torch.nn.Flatten(),
    new torch.nn.Linear(784, 16),
    new torch.nn.ReLU(),
    new torch.nn.Linear(16, 10),
  );
/** A model whose first weight is a convolution's: 4 kernels of 2 input channels, 3 x 5. */
class KernelsFirst extends torch.nn.Module {
  readonly weight = torch.nn.Parameter(torch.randn([4, 2, 3, 5]));
  readonly head = new torch.nn.Linear(784, 10);
  forward(x: torch.Tensor): torch.Tensor {
    return this.head.forward(x.reshape([x.shape[0] as number, 784]));
  }
}

const config = { model: "mlp", epochs: 3, batchSize: 32, lr: 1e-2, seed: 7 } as const;

describe("the digits trainer", () => {
  it("lowers the loss and raises the test accuracy; the confusion matrix counts every test digit", () => {
    const trainer = new DigitsTrainer(split(), mlp, config);
    expect(trainer.batchesPerEpoch).toBe(10);
    const before = trainer.evaluate();
    const losses: number[] = [];
    while (!trainer.done) losses.push(trainer.step());
    expect(losses.length).toBe(30);
    expect(trainer.epoch).toBe(3);
    const after = trainer.evaluate();
    expect(after.epoch).toBe(3);
    expect(before.accuracy).toBeLessThan(0.5);
    expect(after.accuracy).toBeGreaterThan(0.95);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan((losses[0] as number) / 4);
    expect(after.confusion.reduce((a, b) => a + b)).toBe(100);
    const diagonal = [...Array(10).keys()].reduce((s, c) => s + (after.confusion[c * 11] as number), 0);
    expect(diagonal / 100).toBe(after.accuracy);
    expect(after.predictions.length).toBe(100);
  });

  it("gives the same losses for the same seed (initialisation and batch order)", () => {
    const run = () => {
      const t = new DigitsTrainer(split(), mlp, config);
      return [t.step(), t.step(), t.step()];
    };
    expect(run()).toEqual(run());
  });

  it("classifies one image into probabilities that sum to 1, the bar's class most likely", () => {
    const trainer = new DigitsTrainer(split(), mlp, config);
    while (!trainer.done) trainer.step();
    const image = new Float32Array(784);
    for (let x = 4; x < 24; x++) image[(2 * 6 + 4) * 28 + x] = 1;
    const p = trainer.probabilities(image);
    expect(p.length).toBe(10);
    expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(p.indexOf(Math.max(...p))).toBe(6);
  });

  it("reads a Linear first layer's rows as 28 x 28 images and a convolution's kernels as k x k ones", () => {
    const linear = new DigitsTrainer(split(), mlp, config).firstLayer();
    expect([linear.count, linear.height, linear.width, linear.values.length]).toEqual([16, 28, 28, 16 * 784]);
    const conv = new DigitsTrainer(split(), () => new KernelsFirst(), config);
    const kernels = conv.firstLayer();
    expect([kernels.count, kernels.height, kernels.width]).toEqual([4, 3, 5]);
    // Kernel 2's first input channel, row-major.
    const weight = conv.model.parameters()[0] as torch.Tensor;
    expect(Array.from(kernels.values.subarray(2 * 15, 3 * 15))).toEqual(
      Array.from(weight.select(0, 2).select(0, 0).contiguous().toTypedArray() as Float32Array),
    );
  });
});

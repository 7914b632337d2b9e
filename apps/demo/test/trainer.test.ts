import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { CHAPTER_CONFIG } from "../src/dataset-info.js";
import type { DeviceName, StyleName, TrainConfig } from "../src/protocol.js";
import { STYLES } from "../src/style-info.js";
import { Trainer } from "../src/trainer.js";

/** Trains to the end; every epoch's loss, as the page receives them, and the trainer. */
async function train(config: TrainConfig): Promise<{ t: Trainer; losses: number[] }> {
  const t = await Trainer.create(config);
  const losses = [...(await t.snapshot()).losses];
  while (!t.done) {
    await t.runEpoch();
    losses.push(...(await t.snapshot()).losses);
  }
  return { t, losses };
}

describe("Trainer", () => {
  it("shows a loss and graph before training, and the loss falls over the chapter's 200 epochs", async () => {
    const t = await Trainer.create(CHAPTER_CONFIG);
    const first = await t.snapshot();
    expect(first.epoch).toBe(0);
    expect(first.phase).toBe("setup");
    expect(first.losses).toHaveLength(1);
    while (!t.done) await t.runEpoch();
    const last = await t.snapshot();
    expect(last.epoch).toBe(200);
    expect(last.loss as number).toBeLessThan(first.loss as number);
  }, 30_000);

  it("with seed 42 prints the losses of `torchlet train` and PyTorch (epoch 10: 112.5338, epoch 200: 20.04058)", async () => {
    const { losses } = await train(CHAPTER_CONFIG);
    expect(losses[9]).toBeCloseTo(112.5338, 3);
    expect(losses[199]).toBeCloseTo(20.04058, 4);
  }, 30_000);

  for (const dataset of ["sine", "cubic"] as const) {
    it(`fits the 1-D ${dataset} data with the settings the page suggests`, async () => {
      const t = await Trainer.create({ ...CHAPTER_CONFIG, dataset, lr: 1e-2, epochs: 1000 });
      const first = await t.snapshot();
      while (!t.done) await t.runEpoch();
      const last = await t.snapshot();
      expect(last.loss as number).toBeLessThan((first.loss as number) / 10);
    }, 30_000);
  }
});

describe("Trainer in the book's styles", () => {
  // The CLI's styles (apps/cli/fixtures/styles.json, from PyTorch 1.13) on the same data and weights.
  const run = (style: StyleName, lr: number) => train({ ...CHAPTER_CONFIG, style, lr });

  it("modules gives the raw run's losses exactly; optim and adam give PyTorch's", async () => {
    const raw = (await run("raw", 1e-4)).losses;
    expect((await run("modules", 1e-4)).losses).toEqual(raw);
    const optim = (await run("optim", 1e-4)).losses;
    expect(optim[199]).toBeCloseTo(20.040576934814453, 4);
    const adam = (await run("adam", 0.01)).losses;
    expect(adam[49]).toBeCloseTo(4.048923492431641, 4);
    expect(adam[199]).toBeCloseTo(0.8838708996772766, 5);
  }, 60_000);

  it("shows the layers' parameters and gradients in the chapter's layout", async () => {
    const { t } = await run("optim", 1e-4);
    const snap = await t.snapshot();
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
    const raw = await (await run("raw", 1e-4)).t.snapshot();
    const w1 = snap.params[0]?.value.values as Float32Array;
    const rawW1 = raw.params[0]?.value.values as Float32Array;
    expect(Math.max(...w1.map((v, i) => Math.abs(v - (rawW1[i] as number))))).toBeLessThan(1e-5);
    expect(snap.graph?.nodes.some((n) => n.detail === "0.weight" || n.name === "0.weight")).toBe(true);
  }, 60_000);
});

// Through Dawn in Node (the test runner points it at SwiftShader); the browser runs the same trainer
// in the page's worker (e2e.test.ts).
const webgpu = await torch.webgpu.init();
const webgpuStyles = (Object.keys(STYLES) as StyleName[]).filter((s) => STYLES[s].webgpu);

describe.skipIf(!webgpu)(
  `Trainer on webgpu${webgpu ? "" : " [skipped: no WebGPU adapter; the test runner provides SwiftShader where Chromium is installed]"}`,
  () => {
    for (const style of webgpuStyles) {
      it(`${style}: the CPU's losses within 1e-4 relative every epoch, and the same views`, async () => {
        const short = { ...CHAPTER_CONFIG, style, epochs: 20 };
        const onDevice = (device: DeviceName) => train({ ...short, device });
        const [cpu, gpu] = [await onDevice("cpu"), await onDevice("webgpu")];
        expect(gpu.t.x.device).toBe("webgpu");
        expect(gpu.losses).toHaveLength(20);
        for (const [i, want] of cpu.losses.entries())
          expect(Math.abs((gpu.losses[i] as number) - want) / want, `epoch ${i}`).toBeLessThan(1e-4);
        const [a, b] = [await cpu.t.snapshot(), await gpu.t.snapshot()];
        expect(b.params.map((p) => p.grad?.values.length)).toEqual(
          a.params.map((p) => p.grad?.values.length),
        );
        expect(b.predictions?.length).toBe(100);
        const norms = (s: typeof a) => s.graph?.nodes.map((n) => n.gradNorm) ?? [];
        for (const [i, want] of norms(a).entries())
          if (want !== null) expect(Math.abs((norms(b)[i] as number) - want) / want).toBeLessThan(1e-3);
      }, 60_000);
    }
  },
);

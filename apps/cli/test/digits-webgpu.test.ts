import { readFileSync } from "node:fs";
import { type DigitsModelName, loadDigits } from "@torchlet/vision";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { DigitsRun } from "../src/digits-run.js";
import { cli } from "./cli.js";

// `torchlet digits --device webgpu` on SwiftShader: short runs (convolutions and pooling still go
// through the CPU on webgpu, a read-back per call). Skips, saying why, where no adapter exists.
const available = await torch.webgpu.init();
const skipNote = available ? "" : " [skipped: no WebGPU adapter, see packages/webgpu/README.md]";

/** Written by fixtures/gen_digits.py with PyTorch 1.13: the first 50 batch losses of each run. */
const fixture = JSON.parse(readFileSync(new URL("../fixtures/digits.json", import.meta.url), "utf8")) as {
  cases: { model: DigitsModelName; seed: number; batchSize: number; lr: number; losses: number[] }[];
};

/** Batch losses on webgpu against PyTorch's: float32 in another order, Adam without fused multiply-adds. */
const TOLERANCE = 1e-4;

describe.skipIf(!available)(`torchlet digits --device webgpu${skipNote}`, async () => {
  const digits = await loadDigits();
  for (const [model, batches] of [
    ["mlp", 2],
    ["cnn", 1],
  ] as const) {
    it(`${model}: the first ${batches} batch losses equal PyTorch's within ${TOLERANCE} relative`, async () => {
      const c = fixture.cases.find((k) => k.model === model && k.seed === 0);
      if (!c) throw new Error(`no fixture for ${model}`);
      const run = new DigitsRun(
        { model, epochs: 1, batchSize: c.batchSize, lr: c.lr, seed: 0n, device: "webgpu" },
        digits,
      );
      expect(run.model.parameters().every((p) => p.device === "webgpu")).toBe(true);
      const losses: number[] = [];
      for await (const loss of run.trainEpoch()) {
        losses.push(loss);
        if (losses.length === batches) break;
      }
      losses.forEach((l, i) => {
        const want = c.losses[i] as number;
        expect(Math.abs(l - want) / want, `batch ${i + 1}`).toBeLessThan(TOLERANCE);
      });
    }, 300_000);
  }

  it("mlp: the test predictions after two batches are the CPU run's", async () => {
    const config = { model: "mlp", epochs: 1, batchSize: 64, lr: 1e-3, seed: 0n } as const;
    const predictions = await Promise.all(
      (["cpu", "webgpu"] as const).map(async (device) => {
        const run = new DigitsRun({ ...config, device }, digits);
        let batches = 0;
        for await (const _ of run.trainEpoch()) if (++batches === 2) break;
        return run.predictTest();
      }),
    );
    const [cpu, gpu] = predictions as [Int32Array, Int32Array];
    expect(gpu).toHaveLength(2000);
    // Logits within float32 rounding of each other: at most a near-tie or two may flip.
    expect(gpu.filter((p, i) => p !== cpu[i]).length).toBeLessThanOrEqual(2);
  }, 300_000);

  it("the command takes --device webgpu", async () => {
    const r = await cli(["digits", "--help"]);
    expect(r.stdout).toMatch(/--device cpu\|webgpu/);
  });
});

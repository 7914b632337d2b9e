import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./cli.js";
import { expectPyTorchLines, pytorchLosses } from "./fixture.js";

// `torchlet train --device webgpu`: the chapter on the GPU (SwiftShader in CI, which the test runner
// points Dawn at), with PyTorch's losses. Skips, saying why, where no adapter exists.
const NO_ADAPTER = "no WebGPU adapter found";

/** Written by fixtures/gen_styles.py with PyTorch 1.13: each style's losses at every 10th epoch. */
const styles = JSON.parse(readFileSync(new URL("../fixtures/styles.json", import.meta.url), "utf8")) as {
  cases: { args: string[]; losses: { epoch: number; loss: number }[] }[];
};

describe("torchlet train --device webgpu", () => {
  it("prints PyTorch's losses for the chapter (its first 50 epochs)", async (context) => {
    const r = await cli(["train", "--device", "webgpu", "--epochs", "50", "--quiet"]);
    if (r.code === 2 && r.stderr.includes(NO_ADAPTER))
      context.skip(`skipped: ${NO_ADAPTER} (see packages/webgpu/README.md)`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPyTorchLines(r.stdout.trim().split("\n"), pytorchLosses().slice(0, 5));
  }, 120_000);

  // Every style's first 50 epochs as printed (7 digits) against PyTorch's losses: the optimizers'
  // device updates round without fused multiply-adds and the kernels sum in another order, so a loss
  // may move in its 6th digit over the epochs.
  const STYLE_TOLERANCE = 1e-5;
  for (const c of styles.cases) {
    it(`${c.args.join(" ")} prints PyTorch's losses`, async (context) => {
      const r = await cli(["train", "--device", "webgpu", ...c.args, "--epochs", "50", "--quiet"]);
      if (r.code === 2 && r.stderr.includes(NO_ADAPTER))
        context.skip(`skipped: ${NO_ADAPTER} (see packages/webgpu/README.md)`);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const printed = r.stdout.trim().split("\n");
      expect(printed.map((l) => l.replace(/Loss: .*/, ""))).toEqual(
        c.losses.slice(0, 5).map(({ epoch }) => `Epoch: ${epoch}   `),
      );
      printed.forEach((line, i) => {
        const want = (c.losses[i] as { loss: number }).loss;
        const got = Number(line.replace(/.*Loss: /, ""));
        expect(Math.abs(got - want) / want, line).toBeLessThan(STYLE_TOLERANCE);
      });
    }, 120_000);
  }

  it("--save reads the trained parameters back from the device", async (context) => {
    const dir = mkdtempSync(join(tmpdir(), "torchlet-webgpu-"));
    try {
      const file = join(dir, "model.json");
      const r = await cli([
        "train",
        "--device",
        "webgpu",
        "--style",
        "optim",
        "--epochs",
        "20",
        "--quiet",
        "--save",
        file,
      ]);
      if (r.code === 2 && r.stderr.includes(NO_ADAPTER))
        context.skip(`skipped: ${NO_ADAPTER} (see packages/webgpu/README.md)`);
      expect(r.code, r.stderr).toBe(0);
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.layers.map((l: { weight: { shape: number[] } }) => l.weight.shape)).toEqual([
        [3, 32],
        [32, 1],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses float64 before training, with exit code 2", async () => {
    const r = await cli(["train", "--device", "webgpu", "--dtype", "float64"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--device webgpu computes in float32");
  });
});

import { describe, expect, it } from "vitest";
import { cli } from "./cli.js";
import { expectPyTorchLines, pytorchLosses } from "./fixture.js";

// `torchlet train --device webgpu`: the chapter on the GPU (SwiftShader in CI, which the test runner
// points Dawn at), with PyTorch's losses. Skips, saying why, where no adapter exists.
const NO_ADAPTER = "no WebGPU adapter found";

describe("torchlet train --device webgpu", () => {
  it("prints PyTorch's losses for the chapter (its first 50 epochs)", async (context) => {
    const r = await cli(["train", "--device", "webgpu", "--epochs", "50", "--quiet"]);
    if (r.code === 2 && r.stderr.includes(NO_ADAPTER))
      context.skip(`skipped: ${NO_ADAPTER} (see packages/webgpu/README.md)`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expectPyTorchLines(r.stdout.trim().split("\n"), pytorchLosses().slice(0, 5));
  }, 120_000);

  it("refuses what does not run on webgpu yet, before training, with exit code 2", async () => {
    for (const [args, message] of [
      [["--style", "optim"], "--device webgpu runs --style raw"],
      [["--dtype", "float64"], "--device webgpu computes in float32"],
      [["--save", "model.json"], "--save reads the parameters synchronously"],
    ] as const) {
      const r = await cli(["train", "--device", "webgpu", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

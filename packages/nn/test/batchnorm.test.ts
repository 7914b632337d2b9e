import { describe, expect, it } from "vitest";
import { expectClose } from "./support/close.js";
import {
  type BatchNormCase,
  type BatchNormModuleCase,
  batchNormCases,
  batchNormModuleCases,
  fixture,
  replayBatchNorm,
  replayBatchNormModule,
} from "./support/conv-fixture.js";
import * as torch from "./support/torch.js";

// fixtures/gen_conv.py: F.batch_norm (training and evaluation, with and without weight and bias) and
// BatchNorm1d/2d over several training steps then evaluation, from PyTorch 1.13.
const nn = torch.nn;
const F = torch.nn.functional;

// The statistics are float64 sums as PyTorch's; the normalised values and the gradient's sums are
// float32 tensor code in another order than PyTorch's fused kernels.
const TOL = 2 ** -21;

describe("batchNorm as PyTorch's", () => {
  it.each(batchNormCases.map((c): [string, BatchNormCase] => [c.name, c]))("%s", (_, c) => {
    const r = replayBatchNorm(c);
    expect(r.gradFn).toBe(c.gradFn);
    expectClose(r.output.toTypedArray(), c.output, TOL, "output");
    expectClose(r.runningMean.toTypedArray(), c.runningMeanAfter, 2 ** -22, "running mean");
    expectClose(r.runningVar.toTypedArray(), c.runningVarAfter, 2 ** -22, "running var");
    expectClose(r.inputGrad.toTypedArray(), c.inputGrad, TOL, "input grad");
    expect(r.weightGrad === null).toBe(c.weightGrad === null);
    if (r.weightGrad !== null)
      expectClose(r.weightGrad.toTypedArray(), c.weightGrad ?? [], TOL, "weight grad");
    if (r.biasGrad !== null) expectClose(r.biasGrad.toTypedArray(), c.biasGrad ?? [], TOL, "bias grad");
  });
});

describe("BatchNorm1d and BatchNorm2d", () => {
  it.each(batchNormModuleCases.map((c): [string, BatchNormModuleCase] => [c.name, c]))(
    "%s: training steps then evaluation, running statistics as PyTorch updates them",
    (_, c) => {
      const { module, steps } = replayBatchNormModule(c);
      expect(module.toString()).toBe(c.repr);
      expect(Object.keys(module.stateDict())).toEqual(c.keys);
      for (const [i, step] of c.steps.entries()) {
        const r = steps[i] as (typeof steps)[number];
        expectClose(r.output.toTypedArray(), step.output, TOL, `step ${i} output`);
        expectClose(r.runningMean.toTypedArray(), step.runningMean, 2 ** -22, `step ${i} mean`);
        expectClose(r.runningVar.toTypedArray(), step.runningVar, 2 ** -22, `step ${i} var`);
        const tracked = r.numBatchesTracked;
        expect([tracked.dtype, tracked.shape, tracked.item()]).toEqual(["int64", [], step.numBatchesTracked]);
      }
    },
  );

  it("saves and loads its buffers with its parameters, and converts the float ones with to()", () => {
    torch.manualSeed(1);
    const a = new nn.BatchNorm2d(3);
    a.forward(torch.randn(4, 3, 2, 2));
    const b = new nn.BatchNorm2d(3);
    b.loadStateDict(a.stateDict());
    expect(b.runningMean?.tolist()).toEqual(a.runningMean?.tolist());
    expect(b.numBatchesTracked?.item()).toBe(1);
    expect(() => b.loadStateDict({ ...a.stateDict(), running_var: torch.ones(4) })).toThrow(
      /size mismatch for running_var/,
    );
    b.to("float64");
    expect([b.runningMean?.dtype, b.runningVar?.dtype, b.numBatchesTracked?.dtype]).toEqual([
      "float64",
      "float64",
      "int64",
    ]);
    expect(b.namedBuffers().map(([n]) => n)).toEqual(["running_mean", "running_var", "num_batches_tracked"]);
  });

  it("without running statistics: no buffers, the batch's statistics in evaluation too", () => {
    const m = new nn.BatchNorm1d(3, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false });
    expect(m.toString()).toBe(fixture.repr.batchNorm1dOptions);
    expect(Object.keys(m.stateDict())).toEqual([]);
    const y = m.eval().forward(
      torch.tensor([
        [1, 2, 3],
        [3, 6, 9],
      ]),
    );
    // channel c holds ±d (d = 1, 2, 3) about its mean: biased variance d², so ±d / sqrt(d² + eps)
    const scaled = [1, 2, 3].map((d) => d / Math.sqrt(d * d + 1e-3));
    expectClose(y.toTypedArray(), [...scaled.map((v) => -v), ...scaled], 2 ** -22, "output");
  });

  it("errors as PyTorch's", () => {
    const e = fixture.errors as Record<string, string>;
    const message = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        expect(error).toBeInstanceOf(torch.TorchletError);
        return (error as Error).message;
      }
      return "";
    };
    const oneValue = message(() =>
      F.batchNorm(torch.zeros(1, 3), torch.zeros(3), torch.ones(3), null, null, { training: true }),
    );
    expect(oneValue).toContain((e.batchNormOneValue as string).replace(/torch\.Size\(\[(.*)\]\)/, ""));
    expect(oneValue).toMatch(/^batchNorm: .*\[1,3\]/);
    expect(
      message(() =>
        F.batchNorm(torch.zeros(2, 3), torch.zeros(4), torch.ones(4), null, null, { training: true }),
      ),
    ).toContain(e.batchNormRunningMean);
    expect(message(() => new nn.BatchNorm2d(3).forward(torch.zeros(2, 3)))).toBe(
      `BatchNorm2d(3): ${e.batchNorm2dRank}`,
    );
    expect(message(() => new nn.BatchNorm1d(3).forward(torch.zeros(2, 3, 4, 4)))).toBe(
      `BatchNorm1d(3): ${e.batchNorm1dRank}`,
    );
    expect(message(() => F.batchNorm(torch.zeros(2, 3), null, null))).toMatch(
      /must be defined in evaluation mode/,
    );
  });
});

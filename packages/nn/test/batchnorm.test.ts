import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectClose } from "./support/close.js";
import * as torch from "./support/torch.js";

// fixtures/gen_conv.py: F.batch_norm (training and evaluation, with and without weight and bias) and
// BatchNorm1d/2d over several training steps then evaluation, from PyTorch 1.13.
const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/conv.json"), "utf8"));
const nn = torch.nn;
const F = torch.nn.functional;

interface FunctionalCase {
  name: string;
  shape: number[];
  training: boolean;
  input: number[];
  runningMean: number[];
  runningVar: number[];
  weight: number[] | null;
  bias: number[] | null;
  output: number[];
  gradFn: string;
  upstream: number[];
  inputGrad: number[];
  weightGrad: number[] | null;
  biasGrad: number[] | null;
  runningMeanAfter: number[];
  runningVarAfter: number[];
}

interface ModuleCase {
  name: string;
  shape: number[];
  keys: string[];
  repr: string;
  steps: {
    training: boolean;
    input: number[];
    output: number[];
    runningMean: number[];
    runningVar: number[];
    numBatchesTracked: number;
  }[];
}

// The statistics are float64 sums as PyTorch's; the normalised values and the gradient's sums are
// float32 tensor code in another order than PyTorch's fused kernels.
const TOL = 2 ** -21;

describe("batchNorm as PyTorch's", () => {
  it.each((fixture.batchNorm as FunctionalCase[]).map((c) => [c.name, c]))("%s", (_, c) => {
    const x = torch.tensor(c.input).reshape(c.shape).requiresGrad_();
    const mean = torch.tensor(c.runningMean);
    const variance = torch.tensor(c.runningVar);
    const w = c.weight === null ? null : torch.tensor(c.weight).requiresGrad_();
    const b = c.bias === null ? null : torch.tensor(c.bias).requiresGrad_();
    const y = F.batchNorm(x, mean, variance, w, b, { training: c.training, momentum: 0.1, eps: 1e-5 });
    expect(y.gradFn?.name).toBe(c.gradFn);
    expectClose(y.toTypedArray(), c.output, TOL, "output");
    expectClose(mean.toTypedArray(), c.runningMeanAfter, 2 ** -22, "running mean");
    expectClose(variance.toTypedArray(), c.runningVarAfter, 2 ** -22, "running var");
    y.backward(torch.tensor(c.upstream).reshape(c.shape));
    expectClose((x.grad as torch.Tensor).toTypedArray(), c.inputGrad, TOL, "input grad");
    if (w !== null)
      expectClose((w.grad as torch.Tensor).toTypedArray(), c.weightGrad ?? [], TOL, "weight grad");
    if (b !== null) expectClose((b.grad as torch.Tensor).toTypedArray(), c.biasGrad ?? [], TOL, "bias grad");
  });
});

describe("BatchNorm1d and BatchNorm2d", () => {
  const make: Record<string, () => torch.nn.Module> = {
    BatchNorm2d: () => new nn.BatchNorm2d(3),
    BatchNorm2dCumulative: () => new nn.BatchNorm2d(3, { momentum: null }),
    BatchNorm1d: () => new nn.BatchNorm1d(5),
  };

  it.each((fixture.batchNormModules as ModuleCase[]).map((c) => [c.name, c]))(
    "%s: training steps then evaluation, running statistics as PyTorch updates them",
    (_, c) => {
      const m = (make[c.name] as () => torch.nn.Module)() as torch.nn.BatchNorm2d;
      expect(m.toString()).toBe(c.repr);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      for (const [i, step] of c.steps.entries()) {
        m.train(step.training);
        const y = m.forward(torch.tensor(step.input).reshape(c.shape));
        expectClose(y.toTypedArray(), step.output, TOL, `step ${i} output`);
        expectClose(
          (m.runningMean as torch.Tensor).toTypedArray(),
          step.runningMean,
          2 ** -22,
          `step ${i} mean`,
        );
        expectClose(
          (m.runningVar as torch.Tensor).toTypedArray(),
          step.runningVar,
          2 ** -22,
          `step ${i} var`,
        );
        const tracked = m.numBatchesTracked as torch.Tensor;
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

import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "./torch.js";

// The cases of fixtures/conv.json (written by fixtures/gen_conv.py with PyTorch 1.13) and how to replay
// one on a device: build its operands there, run the op forward and backward, return the tensors to
// compare. conv.test.ts and batchnorm.test.ts replay them on the CPU, conv-fixture.webgpu.test.ts on
// webgpu. NaN is written as null in a list of values.

export const fixture = JSON.parse(
  readFileSync(join(__dirname, "../../fixtures/conv.json"), "utf8"),
  (key, v) => (v === null && /^\d+$/.test(key) ? Number.NaN : v),
);
const F = torch.nn.functional;

type PyPair = number | [number, number];
export interface ConvCase {
  name: string;
  options: { stride?: PyPair; padding?: PyPair | "same" | "valid"; dilation?: PyPair; groups?: number };
  input: number[];
  inputShape: number[];
  weight: number[];
  weightShape: number[];
  bias: number[] | null;
  output: number[];
  outputShape: number[];
  gradFn: string;
  upstream: number[];
  inputGrad: number[];
  weightGrad: number[];
  biasGrad: number[] | null;
}

export interface PoolCase {
  kind: "max" | "avg";
  name: string;
  kernel: PyPair;
  options: {
    stride?: PyPair;
    padding?: PyPair;
    dilation?: PyPair;
    ceil_mode?: boolean;
    count_include_pad?: boolean;
  };
  input: number[];
  inputShape: number[];
  indices?: number[];
  output: number[];
  outputShape: number[];
  gradFn: string;
  upstream: number[];
  inputGrad: number[];
}

export interface BatchNormCase {
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

export interface BatchNormModuleCase {
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

export const convCases = fixture.conv2d as ConvCase[];
export const poolCases = fixture.pool as PoolCase[];
export const batchNormCases = fixture.batchNorm as BatchNormCase[];
export const batchNormModuleCases = fixture.batchNormModules as BatchNormModuleCase[];

/** The modules of batchNormModuleCases, by case name, as gen_conv.py builds them. */
export const BATCH_NORM_MODULES: Record<string, () => torch.nn.BatchNorm1d | torch.nn.BatchNorm2d> = {
  BatchNorm2d: () => new torch.nn.BatchNorm2d(3),
  BatchNorm2dCumulative: () => new torch.nn.BatchNorm2d(3, { momentum: null }),
  BatchNorm1d: () => new torch.nn.BatchNorm1d(5),
};

const on = (device: torch.Device, values: number[], shape: readonly number[]) =>
  torch.tensor(values, { device }).reshape(shape);
const leaf = (device: torch.Device, values: number[], shape: number[]) =>
  on(device, values, shape).requiresGrad_();
const gradOf = (t: torch.Tensor | null) => (t === null ? null : (t.grad as torch.Tensor));

/** conv2d of the case's operands on `device`, then backward of its upstream gradient. */
export function replayConv(c: ConvCase, device: torch.Device = "cpu") {
  const x = leaf(device, c.input, c.inputShape);
  const w = leaf(device, c.weight, c.weightShape);
  const b = c.bias === null ? null : leaf(device, c.bias, [c.bias.length]);
  const output = F.conv2d(x, w, b, c.options);
  const gradFn = output.gradFn?.name;
  output.backward(on(device, c.upstream, output.shape));
  return { output, gradFn, inputGrad: gradOf(x), weightGrad: gradOf(w), biasGrad: gradOf(b) };
}

/** The case's pool on `device` (maxPool2d with its indices), then backward of its upstream gradient. */
export function replayPool(c: PoolCase, device: torch.Device = "cpu") {
  const x = leaf(device, c.input, c.inputShape);
  const o = c.options;
  const common = { stride: o.stride, padding: o.padding, ceilMode: o.ceil_mode };
  let output: torch.Tensor;
  let indices: torch.Tensor | null = null;
  if (c.kind === "max") {
    ({ values: output, indices } = F.maxPool2dWithIndices(x, c.kernel, { ...common, dilation: o.dilation }));
  } else {
    output = F.avgPool2d(x, c.kernel, { ...common, countIncludePad: o.count_include_pad });
  }
  const gradFn = output.gradFn?.name;
  output.backward(on(device, c.upstream, output.shape));
  return { output, indices, gradFn, inputGrad: gradOf(x) as torch.Tensor };
}

/**
 * F.batchNorm of the case's operands on `device` (momentum 0.1, eps 1e-5), then backward of its upstream
 * gradient; the running statistics are the tensors the call updated.
 */
export function replayBatchNorm(c: BatchNormCase, device: torch.Device = "cpu") {
  const x = leaf(device, c.input, c.shape);
  const runningMean = on(device, c.runningMean, [c.runningMean.length]);
  const runningVar = on(device, c.runningVar, [c.runningVar.length]);
  const w = c.weight === null ? null : leaf(device, c.weight, [c.weight.length]);
  const b = c.bias === null ? null : leaf(device, c.bias, [c.bias.length]);
  const output = F.batchNorm(x, runningMean, runningVar, w, b, {
    training: c.training,
    momentum: 0.1,
    eps: 1e-5,
  });
  const gradFn = output.gradFn?.name;
  output.backward(on(device, c.upstream, c.shape));
  return {
    output,
    gradFn,
    runningMean,
    runningVar,
    inputGrad: gradOf(x) as torch.Tensor,
    weightGrad: gradOf(w),
    biasGrad: gradOf(b),
  };
}

/**
 * The case's module moved to `device`, run through its steps (training, then evaluation); after each, the
 * output and copies of the running statistics and of num_batches_tracked.
 */
export function replayBatchNormModule(c: BatchNormModuleCase, device: torch.Device = "cpu") {
  const module = (BATCH_NORM_MODULES[c.name] as () => torch.nn.BatchNorm2d)().to(device);
  const steps = c.steps.map((step) => {
    module.train(step.training);
    const output = module.forward(on(device, step.input, c.shape));
    return torch.noGrad(() => ({
      output,
      runningMean: (module.runningMean as torch.Tensor).clone(),
      runningVar: (module.runningVar as torch.Tensor).clone(),
      numBatchesTracked: (module.numBatchesTracked as torch.Tensor).clone(),
    }));
  });
  return { module, steps };
}

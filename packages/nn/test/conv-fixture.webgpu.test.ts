import { describe, expect, it } from "vitest";
import {
  type BatchNormCase,
  type BatchNormModuleCase,
  batchNormCases,
  batchNormModuleCases,
  type ConvCase,
  convCases,
  type PoolCase,
  poolCases,
  replayBatchNorm,
  replayBatchNormModule,
  replayConv,
  replayPool,
} from "./support/conv-fixture.js";
import * as torch from "./support/torch.js";

// Whether this machine has a WebGPU adapter; without one these tests skip, saying why.
const available = await torch.webgpu.init();
const skipNote = available
  ? ""
  : " [skipped: no WebGPU adapter; in Node install the optional webgpu package and point VK_ICD_FILENAMES at a Vulkan driver, see packages/webgpu/README.md]";

// fixtures/gen_conv.py's conv2d, pools and batch norm (PyTorch 1.13) replayed on webgpu by the replay
// code of the CPU tests (support/conv-fixture.ts), every value read back asynchronously. All the cases are float32
// (the fixture has no float64 ones). The GPU sums in its own order, so values and gradients are compared
// within a tolerance of the largest expected magnitude:
// conv2d sums products in tiles (im2col + the tiled matmul), as test/webgpu/convolution.test.ts;
const CONV_TOLERANCE = 2e-5;
// maxPool2d picks an element: exact; avgPool2d and the pools' backward add a few shares in another order;
const POOL_TOLERANCE = 1e-6;
// batch norm's statistics and its gradient's sums are tree reductions over up to 100 elements per channel.
const BATCH_NORM_TOLERANCE = 1e-5;

async function values(t: torch.Tensor | null, what: string): Promise<number[]> {
  expect(t, what).not.toBeNull();
  expect((t as torch.Tensor).device, what).toBe("webgpu");
  return Array.from((await (t as torch.Tensor).data()) as ArrayLike<number>, Number);
}

/** NaN where `expected` has NaN; elsewhere within `tolerance` of the largest expected magnitude. */
async function expectClose(
  t: torch.Tensor | null,
  expected: readonly number[],
  tolerance: number,
  what: string,
): Promise<void> {
  const actual = await values(t, what);
  expect(actual.length, what).toBe(expected.length);
  expect(actual.map(Number.isNaN), `${what}: NaN positions`).toEqual(expected.map(Number.isNaN));
  const scale = Math.max(1e-30, ...expected.map((e) => (Number.isNaN(e) ? 0 : Math.abs(e))));
  const worst = Math.max(
    0,
    ...expected.map((e, i) => (Number.isNaN(e) ? 0 : Math.abs((actual[i] as number) - e) / scale)),
  );
  expect(worst, `${what}: worst relative difference`).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!available)(`conv.json on webgpu: conv2d as PyTorch's${skipNote}`, () => {
  it.each(convCases.map((c): [string, ConvCase] => [c.name, c]))(
    `%s (within ${CONV_TOLERANCE})`,
    async (_, c) => {
      const r = replayConv(c, "webgpu");
      expect(r.output.shape).toEqual(c.outputShape);
      expect(r.gradFn).toBe(c.gradFn);
      await expectClose(r.output, c.output, CONV_TOLERANCE, "output");
      await expectClose(r.inputGrad, c.inputGrad, CONV_TOLERANCE, "input grad");
      await expectClose(r.weightGrad, c.weightGrad, CONV_TOLERANCE, "weight grad");
      expect(r.biasGrad === null).toBe(c.biasGrad === null);
      if (c.biasGrad !== null) await expectClose(r.biasGrad, c.biasGrad, CONV_TOLERANCE, "bias grad");
    },
  );
});

describe.skipIf(!available)(`conv.json on webgpu: maxPool2d and avgPool2d as PyTorch's${skipNote}`, () => {
  it.each(poolCases.map((c): [string, PoolCase] => [`${c.kind} ${c.name}`, c]))(
    `%s (max exact, avg within ${POOL_TOLERANCE})`,
    async (_, c) => {
      const r = replayPool(c, "webgpu");
      expect(r.output.shape).toEqual(c.outputShape);
      expect(r.gradFn).toBe(c.gradFn);
      if (c.kind === "max") {
        expect(r.indices?.dtype).toBe("int64");
        expect(await values(r.indices, "indices")).toEqual(c.indices);
      }
      await expectClose(r.output, c.output, c.kind === "max" ? 0 : POOL_TOLERANCE, "output");
      await expectClose(r.inputGrad, c.inputGrad, POOL_TOLERANCE, "input grad");
    },
  );
});

describe.skipIf(!available)(`conv.json on webgpu: batchNorm as PyTorch's${skipNote}`, () => {
  it.each(batchNormCases.map((c): [string, BatchNormCase] => [c.name, c]))(
    `%s: output, gradients and running statistics (within ${BATCH_NORM_TOLERANCE})`,
    async (_, c) => {
      const r = replayBatchNorm(c, "webgpu");
      expect(r.gradFn).toBe(c.gradFn);
      await expectClose(r.output, c.output, BATCH_NORM_TOLERANCE, "output");
      await expectClose(r.runningMean, c.runningMeanAfter, BATCH_NORM_TOLERANCE, "running mean");
      await expectClose(r.runningVar, c.runningVarAfter, BATCH_NORM_TOLERANCE, "running var");
      await expectClose(r.inputGrad, c.inputGrad, BATCH_NORM_TOLERANCE, "input grad");
      expect(r.weightGrad === null).toBe(c.weightGrad === null);
      if (c.weightGrad !== null)
        await expectClose(r.weightGrad, c.weightGrad, BATCH_NORM_TOLERANCE, "weight grad");
      if (c.biasGrad !== null) await expectClose(r.biasGrad, c.biasGrad, BATCH_NORM_TOLERANCE, "bias grad");
    },
  );

  it.each(batchNormModuleCases.map((c): [string, BatchNormModuleCase] => [c.name, c]))(
    `%s moved to webgpu: training steps then evaluation, running statistics as PyTorch's (within ${BATCH_NORM_TOLERANCE})`,
    async (_, c) => {
      const { module, steps } = replayBatchNormModule(c, "webgpu");
      expect(Object.keys(module.stateDict())).toEqual(c.keys);
      for (const [i, step] of c.steps.entries()) {
        const r = steps[i] as (typeof steps)[number];
        await expectClose(r.output, step.output, BATCH_NORM_TOLERANCE, `step ${i} output`);
        await expectClose(r.runningMean, step.runningMean, BATCH_NORM_TOLERANCE, `step ${i} mean`);
        await expectClose(r.runningVar, step.runningVar, BATCH_NORM_TOLERANCE, `step ${i} var`);
        expect(r.numBatchesTracked.dtype).toBe("int64");
        expect(await values(r.numBatchesTracked, `step ${i} batches`)).toEqual([step.numBatchesTracked]);
      }
    },
  );
});

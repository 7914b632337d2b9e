import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";
import { expectLike, expectNoFallback, gpu } from "./compare.js";

const F = torch.nn.functional;
/** float32 on the GPU against float32 on the CPU: sums in a different order (the matmul's tiles). */
const TOLERANCE = 2e-5;

/** The loss's gradients on the CPU and on webgpu, from the same values. */
async function expectGradsLike(
  loss: (...inputs: torch.Tensor[]) => torch.Tensor,
  inputs: readonly torch.Tensor[],
): Promise<void> {
  const cpu = inputs.map((t) => t.detach().requiresGrad_(true));
  const dev = inputs.map((t) => gpu(t.detach()).requiresGrad_(true));
  const weights = torch.randn(loss(...cpu).shape);
  loss(...cpu)
    .mul(weights)
    .sum()
    .backward();
  loss(...dev)
    .mul(gpu(weights))
    .sum()
    .backward();
  await expectLike(loss(...dev), loss(...cpu), TOLERANCE);
  for (const [i, t] of dev.entries()) {
    await expectLike(t.grad as torch.Tensor, cpu[i]?.grad as torch.Tensor, TOLERANCE);
  }
}

describe.skipIf(!available)(`conv2d and the pools on webgpu${skipNote}`, { timeout: 120_000 }, () => {
  // SwiftShader compiles a pipeline per kernel on the first call: seconds on a busy machine
  afterAll(() => expectNoFallback(["im2col", "col2im", "maxPool2d", "avgPool2d", "scatterAdd"]));

  it("conv2d forward and backward: padding, stride, dilation, groups, bias", async () => {
    torch.manualSeed(5);
    const cases: [number[], number[], torch.Conv2dOptions][] = [
      [[2, 3, 7, 6], [4, 3, 3, 3], {}],
      [[2, 4, 9, 8], [6, 2, 3, 2], { stride: [2, 1], padding: [1, 2], dilation: [2, 1], groups: 2 }],
      [[1, 2, 5, 5], [2, 1, 3, 3], { padding: "same", groups: 2 }],
      [[3, 1, 6, 6], [2, 1, 2, 2], { stride: 2 }],
    ];
    for (const [xShape, wShape, options] of cases) {
      const x = torch.randn(xShape);
      const w = torch.randn(wShape);
      const b = torch.randn([wShape[0] as number]);
      await expectGradsLike((xx, ww, bb) => F.conv2d(xx, ww, bb ?? null, options), [x, w, b]);
      await expectGradsLike((xx, ww) => F.conv2d(xx, ww, null, options), [x, w]);
    }
  });

  it("conv2d of a strided input, and unbatched", async () => {
    torch.manualSeed(6);
    const x = torch.randn([5, 2, 3, 6]).permute([2, 1, 0, 3]); // [3, 2, 5, 6], strided
    const w = torch.randn([4, 2, 2, 3]);
    await expectLike(
      F.conv2d(gpu(x), gpu(w), null, { padding: 1 }),
      F.conv2d(x, w, null, { padding: 1 }),
      TOLERANCE,
    );
    const u = torch.randn([2, 5, 5]);
    await expectLike(F.conv2d(gpu(u), gpu(w)), F.conv2d(u, w), TOLERANCE);
  });

  it("maxPool2d with indices: stride, padding, dilation, ceil mode, ties, NaN; and its backward", async () => {
    torch.manualSeed(7);
    const cases: [number[], number | [number, number], torch.MaxPool2dOptions][] = [
      [[2, 3, 8, 7], 2, {}],
      [[2, 3, 9, 8], [3, 2], { stride: [2, 1], padding: [1, 1], dilation: [1, 2] }],
      [[1, 2, 7, 7], 3, { stride: 2, ceilMode: true, padding: 1 }],
      [[3, 5, 5], 2, { stride: 1 }],
    ];
    for (const [shape, kernel, options] of cases) {
      const x = torch.randn(shape);
      const cpu = torch.maxPool2dWithIndices(x, kernel, options);
      const dev = torch.maxPool2dWithIndices(gpu(x), kernel, options);
      await expectLike(dev.values, cpu.values);
      await expectLike(dev.indices, cpu.indices);
      await expectGradsLike((xx) => torch.maxPool2d(xx, kernel, options), [x]);
    }
    // ties go to the first maximum; a NaN is the maximum
    const ties = torch.tensor([
      [
        [
          [1, 1, 0, Number.NaN],
          [1, 0, 2, 5],
        ],
      ],
    ]);
    const cpu = torch.maxPool2dWithIndices(ties, 2);
    const dev = torch.maxPool2dWithIndices(gpu(ties), 2);
    await expectLike(dev.indices, cpu.indices);
    expect(await dev.values.tolistAsync()).toEqual([[[[1, Number.NaN]]]]);
    // a strided input
    const t = torch.randn([6, 2, 5, 4]);
    await expectLike(torch.maxPool2d(gpu(t).transpose(0, 1), 2), torch.maxPool2d(t.transpose(0, 1), 2));
    await expectLike(torch.maxPool2d(gpu(t).transpose(2, 3), 2), torch.maxPool2d(t.transpose(2, 3), 2));
    await expectLike(torch.maxPool2d(gpu(t).select(0, 1), 2), torch.maxPool2d(t.select(0, 1), 2));
  });

  it("avgPool2d: padding counted or not, ceil mode, strided input; and its backward", async () => {
    torch.manualSeed(8);
    const cases: [number[], number | [number, number], torch.AvgPool2dOptions][] = [
      [[2, 3, 8, 7], 2, {}],
      [[2, 3, 9, 8], [3, 2], { stride: [2, 1], padding: [1, 1] }],
      [[1, 2, 7, 7], 3, { stride: 2, ceilMode: true, padding: 1, countIncludePad: false }],
      [[1, 2, 6, 6], 3, { stride: 2, ceilMode: true, padding: 1, countIncludePad: true }],
      [[3, 5, 5], 2, { stride: 1 }],
    ];
    for (const [shape, kernel, options] of cases) {
      const x = torch.randn(shape);
      await expectLike(torch.avgPool2d(gpu(x), kernel, options), torch.avgPool2d(x, kernel, options), 1e-6);
      await expectGradsLike((xx) => torch.avgPool2d(xx, kernel, options), [x]);
    }
    const t = torch.randn([4, 3, 6, 5]);
    await expectLike(
      torch.avgPool2d(gpu(t).permute([1, 0, 3, 2]), 2),
      torch.avgPool2d(t.permute([1, 0, 3, 2]), 2),
      1e-6,
    );
  });
});

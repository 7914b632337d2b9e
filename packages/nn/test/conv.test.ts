import { describe, expect, it } from "vitest";
import { expectClose } from "./support/close.js";
import {
  type ConvCase,
  convCases,
  fixture,
  type PoolCase,
  poolCases,
  replayConv,
  replayPool,
} from "./support/conv-fixture.js";
import * as torch from "./support/torch.js";

// fixtures/gen_conv.py: conv2d and the pools against PyTorch 1.13 (values, grad_fn, gradients for a
// random upstream gradient), Conv2d's default initialisation, the modules' reprs and PyTorch's errors.
const nn = torch.nn;
const F = torch.nn.functional;

type PyPair = number | [number, number];

// Sums of products in another order than PyTorch's kernels (im2col + a blocked GEMM against its own):
// within a few float32 roundings of the largest value.
const CONV_TOL = 2 ** -20;

describe("conv2d as PyTorch's", () => {
  it.each(convCases.map((c): [string, ConvCase] => [c.name, c]))("%s", (_, c) => {
    const r = replayConv(c);
    expect(r.output.shape).toEqual(c.outputShape);
    expect(r.gradFn).toBe(c.gradFn);
    expectClose(r.output.toTypedArray(), c.output, CONV_TOL, "output");
    expectClose(r.inputGrad?.toTypedArray() ?? [], c.inputGrad, CONV_TOL, "input grad");
    expectClose(r.weightGrad?.toTypedArray() ?? [], c.weightGrad, CONV_TOL, "weight grad");
    expect(r.biasGrad === null).toBe(c.biasGrad === null);
    if (r.biasGrad !== null) expectClose(r.biasGrad.toTypedArray(), c.biasGrad ?? [], CONV_TOL, "bias grad");
  });
});

describe("maxPool2d and avgPool2d as PyTorch's", () => {
  it.each(poolCases.map((c): [string, PoolCase] => [`${c.kind} ${c.name}`, c]))("%s", (_, c) => {
    const r = replayPool(c);
    if (c.kind === "max") {
      expect(r.indices?.dtype).toBe("int64");
      expect([...(r.indices?.toTypedArray() ?? [])].map(Number)).toEqual(c.indices);
    }
    expect(r.output.shape).toEqual(c.outputShape);
    expect(r.gradFn).toBe(c.gradFn);
    // max picks an element: exact; avg sums in PyTorch's order, then divides: exact up to rounding
    const tol = c.kind === "max" ? 0 : 2 ** -23;
    const out = [...r.output.toTypedArray()].map(Number);
    expect(out.map(Number.isNaN)).toEqual(c.output.map(Number.isNaN));
    expectClose(
      out.map((v) => (Number.isNaN(v) ? 0 : v)),
      c.output.map((v) => (Number.isNaN(v) ? 0 : v)),
      tol,
      "output",
    );
    // overlapping windows add their shares in another order than PyTorch's
    expectClose(r.inputGrad.toTypedArray(), c.inputGrad, 2 ** -22, "input grad");
  });
});

describe("Conv2d, MaxPool2d, AvgPool2d modules", () => {
  it("Conv2d draws PyTorch's default initialisation after manualSeed", () => {
    for (const c of fixture.init as {
      seed: number;
      in: number;
      out: number;
      kernel: PyPair;
      options: { bias?: boolean; groups?: number; stride?: number; padding?: number };
      weight: number[];
      weightShape: number[];
      bias: number[] | null;
      after: number[];
    }[]) {
      torch.manualSeed(c.seed);
      const conv = new nn.Conv2d(c.in, c.out, c.kernel, c.options);
      expect(conv.weight.shape).toEqual(c.weightShape);
      expect([...conv.weight.toTypedArray()]).toEqual(c.weight);
      expect(conv.bias === null ? null : [...conv.bias.toTypedArray()]).toEqual(c.bias);
      expect([...torch.randn(3).toTypedArray()], "the generator advanced as PyTorch's").toEqual(c.after);
    }
  });

  it("print as PyTorch's reprs", () => {
    const r = fixture.repr as Record<string, string>;
    expect(new nn.Conv2d(1, 8, 3).toString()).toBe(r.conv);
    expect(
      new nn.Conv2d(4, 6, [3, 2], {
        stride: 2,
        padding: [1, 0],
        dilation: 2,
        groups: 2,
        bias: false,
      }).toString(),
    ).toBe(r.convFull);
    expect(new nn.Conv2d(2, 2, 3, { padding: "same" }).toString()).toBe(r.convSame);
    expect(new nn.MaxPool2d(2).toString()).toBe(r.maxPool);
    expect(new nn.MaxPool2d([3, 2], { stride: 1, padding: 1, dilation: 2, ceilMode: true }).toString()).toBe(
      r.maxPoolFull,
    );
    expect(new nn.AvgPool2d(2).toString()).toBe(r.avgPool);
    expect(
      new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).toString(),
    ).toBe(r.avgPoolFull);
    expect(digitsCnn().toString()).toBe(r.cnn);
  });

  it("a CNN's stateDict has PyTorch's keys, and its forward pass trains end to end", () => {
    torch.manualSeed(0);
    const model = digitsCnn();
    expect(Object.keys(model.stateDict())).toEqual(fixture.stateDict.keys);
    const loss = F.crossEntropy(
      model.forward(torch.randn(4, 1, 28, 28)),
      torch.tensor([1, 2, 3, 4], { dtype: "int64" }),
    );
    loss.backward();
    for (const [name, p] of model.namedParameters()) expect(p.grad?.shape, name).toEqual(p.shape);
  });

  it("Conv2d refuses channels its groups do not divide", () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(/in_channels must be divisible by groups/);
    expect(() => new nn.Conv2d(4, 3, 3, { groups: 2 })).toThrow(/out_channels must be divisible by groups/);
    expect(() => new nn.Conv2d(2, 2, 3, { padding: "same", stride: 2 })).toThrow(
      /padding='same' is not supported/,
    );
  });
});

export function digitsCnn(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 3),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(16 * 5 * 5, 10),
  );
}

describe("errors as PyTorch's, naming the op and the shapes", () => {
  const e = fixture.errors as Record<string, string>;
  const x = torch.zeros(2, 1, 6, 6);
  // PyTorch prints the weight's size in the groups message as [[...]]; torchlet as every other shape
  const pytorch = (key: string) => (e[key] as string).replace("[[", "[").replace("]]", "]");
  const cases: [string, () => unknown][] = [
    ["channels", () => F.conv2d(x, torch.zeros(8, 3, 3, 3))],
    ["groupsWeight", () => F.conv2d(torch.zeros(2, 4, 6, 6), torch.zeros(3, 2, 3, 3), null, { groups: 2 })],
    ["groupsChannels", () => F.conv2d(torch.zeros(2, 3, 6, 6), torch.zeros(4, 1, 3, 3), null, { groups: 2 })],
    ["kernelTooLarge", () => F.conv2d(x, torch.zeros(2, 1, 7, 7))],
    ["kernelTooLargeDilated", () => F.conv2d(x, torch.zeros(2, 1, 3, 3), null, { padding: 1, dilation: 4 })],
    ["bias", () => F.conv2d(x, torch.zeros(8, 1, 3, 3), torch.zeros(7))],
    ["inputRank", () => F.conv2d(torch.zeros(6, 6), torch.zeros(8, 1, 3, 3))],
    ["stride", () => F.conv2d(x, torch.zeros(8, 1, 3, 3), null, { stride: 0 })],
    ["padding", () => F.conv2d(x, torch.zeros(8, 1, 3, 3), null, { padding: -1 })],
    ["sameStrided", () => F.conv2d(x, torch.zeros(8, 1, 3, 3), null, { padding: "same", stride: 2 })],
    ["poolPadding", () => F.maxPool2d(x, 2, { padding: 2 })],
    ["avgPoolPadding", () => F.avgPool2d(x, 2, { padding: 2 })],
    ["poolTooSmall", () => F.maxPool2d(torch.zeros(1, 1, 2, 2), 3)],
    ["poolRank", () => F.maxPool2d(torch.zeros(6, 6), 2)],
  ];
  it.each(cases)("%s", (key, call) => {
    let message = "";
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(torch.TorchletError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^(conv2d|maxPool2d|avgPool2d): /);
    expect(message).toContain(pytorch(key));
  });

  it("refuses mixed dtypes and integer inputs", () => {
    expect(() => F.conv2d(x, torch.zeros([8, 1, 3, 3], { dtype: "float64" }))).toThrow(
      /conv2d: expected input, weight and bias of one dtype, got input float32, weight float64/,
    );
    expect(() => F.maxPool2d(torch.zeros([1, 1, 4, 4], { dtype: "int64" }), 2)).toThrow(
      /maxPool2d: not implemented for int64/,
    );
  });
});

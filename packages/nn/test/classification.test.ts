import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectClose } from "./support/close.js";
import * as torch from "./support/torch.js";

// fixtures/gen_nn.py: the classification losses, softmax, logSoftmax, softplus, Embedding and oneHot,
// values and input gradients from PyTorch 1.13.
const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/nn.json"), "utf8"));
const nn = torch.nn;
const F = nn.functional;
const int64 = (values: number[], shape: number[]) => torch.tensor(values, { dtype: "int64" }).reshape(shape);

interface LossCase {
  fn: "crossEntropy" | "nllLoss" | "binaryCrossEntropy" | "binaryCrossEntropyWithLogits";
  options: {
    reduction?: "mean" | "sum" | "none";
    weight?: number[];
    weightShape?: number[];
    posWeight?: number[];
    ignoreIndex?: number;
    labelSmoothing?: number;
  };
  input: number[];
  inputShape: number[];
  target: number[];
  targetShape: number[];
  targetDtype: "int64" | "float32";
  value: number[];
  valueShape: number[];
  upstream: number[] | null;
  inputGrad: number[];
}

// Summation orders differ from PyTorch's fused kernels (logSoftmax, then the weighted mean): within a
// few float32 steps of the largest value.
const TOL = 2 ** -21;

function runLoss(c: LossCase, module: boolean): { value: torch.Tensor; x: torch.Tensor } {
  const x = torch.tensor(c.input).reshape(c.inputShape).requiresGrad_();
  const target =
    c.targetDtype === "int64"
      ? int64(c.target, c.targetShape)
      : torch.tensor(c.target).reshape(c.targetShape);
  const { weight, weightShape, posWeight, ...rest } = c.options;
  const options = {
    ...rest,
    ...(weight ? { weight: torch.tensor(weight).reshape(weightShape ?? [weight.length]) } : {}),
    ...(posWeight ? { posWeight: torch.tensor(posWeight) } : {}),
  };
  const modules = {
    crossEntropy: () => new nn.CrossEntropyLoss(options),
    nllLoss: () => new nn.NLLLoss(options),
    binaryCrossEntropy: () => new nn.BCELoss(options),
    binaryCrossEntropyWithLogits: () => new nn.BCEWithLogitsLoss(options),
  };
  const value = module ? modules[c.fn]().forward(x, target) : F[c.fn](x, target, options);
  return { value, x };
}

describe("classification losses: values and input gradients as PyTorch's", () => {
  const cases = fixture.classification.losses as LossCase[];
  it.each(
    cases.map(
      (c, i) =>
        [`${i}: ${c.fn} [${c.inputShape}] ${c.targetDtype} ${JSON.stringify(c.options)}`, c, i] as const,
    ),
  )("%s", (_, c, i) => {
    const { value, x } = runLoss(c, i % 2 === 0);
    expect(value.shape).toEqual(c.valueShape);
    expectClose(value.toTypedArray(), c.value, TOL, "value");
    value.backward(c.upstream ? torch.tensor(c.upstream).reshape(c.valueShape) : undefined);
    const grad = (x.grad as torch.Tensor).toTypedArray();
    expect([...grad].every(Number.isFinite), "finite gradient").toBe(true);
    expectClose(grad, c.inputGrad, TOL, "input grad");
  });

  it("binaryCrossEntropy clamps each log at -100, as PyTorch", () => {
    const x = torch.tensor([0, 1, 0, 1, 1e-45], { requiresGrad: true });
    const loss = F.binaryCrossEntropy(x, torch.tensor([1, 0, 0, 1, 1]), { reduction: "none" });
    expect(loss.tolist()).toEqual(fixture.classification.bceEdge);
    // The clamped log contributes no gradient; the other log's is finite.
    loss.sum().backward();
    expect((x.grad as torch.Tensor).tolist()).toEqual([0, 0, 1, -1, 0]);
  });

  it("names the op and the offending value, shape or dtype", () => {
    const logits = torch.zeros(2, 3);
    expect(() => F.crossEntropy(logits, int64([0, 3], [2]))).toThrow(
      /crossEntropy: Target 3 is out of bounds \(3 classes\)/,
    );
    expect(() => F.crossEntropy(logits, int64([-1, 0], [2]))).toThrow(/Target -1 is out of bounds/);
    expect(() => F.nllLoss(logits, torch.tensor([0, 1]))).toThrow(
      /nllLoss: expected an int64 class-index target, got float32/,
    );
    expect(() => F.crossEntropy(logits, int64([0, 1, 2], [3]))).toThrow(
      /needs a target of shape \[2\], got \[3\]/,
    );
    expect(() => F.crossEntropy(logits, int64([0, 1], [2]), { weight: torch.ones(2) })).toThrow(
      /crossEntropy: weight \[2\] must be \[3\], one per class/,
    );
    expect(() => F.crossEntropy(logits, int64([0, 1], [2]), { labelSmoothing: 1.5 })).toThrow(
      /labelSmoothing must be in \[0, 1\], got 1.5/,
    );
    expect(() => F.crossEntropy(logits, torch.zeros(2, 4))).toThrow(
      /probability target \[2, 4\] must have the input's shape \[2, 3\]/,
    );
    expect(() => F.binaryCrossEntropy(torch.tensor([1.5]), torch.tensor([1]))).toThrow(
      /binaryCrossEntropy: all elements of input should be between 0 and 1/,
    );
    expect(() => F.binaryCrossEntropyWithLogits(torch.zeros(3), torch.zeros(2))).toThrow(
      /target \[2\] must have the same shape as input \[3\]/,
    );
    expect(() => F.nllLoss(logits, int64([0, 1], [2]), { reduction: "avg" as "mean" })).toThrow(
      /reduction must be/,
    );
    // An ignored target may lie outside [0, C).
    expect(
      F.nllLoss(
        torch.tensor([
          [1, 2],
          [3, 4],
        ]),
        int64([-100, 1], [2]),
      ).item(),
    ).toBe(-4);
  });

  it("gradcheck in float64: crossEntropy (smoothing, weight, ignored), BCE, BCE with logits, softplus", () => {
    const x = torch.tensor(
      [
        [0.3, -1.2, 2],
        [0.7, 0.2, -1.1],
        [1.5, -0.4, 0.1],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const weight = torch.tensor([0.5, 2, 1], { dtype: "float64" });
    const target = int64([2, 1, 0], [3]);
    const labels = torch.tensor([0.2, 1, 0], { dtype: "float64" });
    const f = (v: torch.Tensor) =>
      F.crossEntropy(v, target, { weight, ignoreIndex: 1, labelSmoothing: 0.2 })
        .add(F.binaryCrossEntropy(v.sigmoid(), labels.expand(3, 3)))
        .add(F.binaryCrossEntropyWithLogits(v, labels.expand(3, 3), { posWeight: weight }))
        .add(F.softplus(v, 2, 1).sum());
    const [grad] = torch.autograd.grad(f(x), [x]);
    const flat = x.detach().toTypedArray() as Float64Array;
    const eps = 1e-6;
    const numeric = [...flat].map((_, i) => {
      const at = (delta: number) => {
        const copy = Float64Array.from(flat);
        copy[i] = (copy[i] as number) + delta;
        return Number(f(torch.tensor(copy).reshape([3, 3])).item());
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    });
    expectClose((grad as torch.Tensor).toTypedArray(), numeric, 1e-6, "gradient");
  });
});

describe("softmax, logSoftmax, softplus: forward and gradients as PyTorch's", () => {
  const cases = fixture.classification.activations as {
    fn: "softmax" | "logSoftmax" | "softplus";
    options: { dim?: number; beta?: number; threshold?: number };
    input: number[];
    inputShape: number[];
    output: number[];
    upstream: number[];
    inputGrad: number[];
  }[];
  it.each(cases.map((c) => [`${c.fn} ${JSON.stringify(c.options)}`, c] as const))("%s", (_, c) => {
    const x = torch.tensor(c.input).reshape(c.inputShape).requiresGrad_();
    const { dim = 0, beta, threshold } = c.options;
    const out =
      c.fn === "softplus"
        ? F.softplus(x, beta, threshold)
        : c.fn === "softmax"
          ? new nn.Softmax(dim).forward(x)
          : new nn.LogSoftmax(dim).forward(x);
    expectClose(out.toTypedArray(), c.output, TOL, "output");
    if (c.fn !== "softplus") expect(F[c.fn](x, dim).tolist()).toEqual(out.tolist());
    out.backward(torch.tensor(c.upstream).reshape(c.inputShape));
    expectClose((x.grad as torch.Tensor).toTypedArray(), c.inputGrad, TOL, "input grad");
  });

  it("reprs as PyTorch's", () => {
    const modules = [
      new nn.Softmax(1),
      new nn.LogSoftmax(-1),
      new nn.CrossEntropyLoss(),
      new nn.NLLLoss(),
      new nn.BCELoss(),
      new nn.BCEWithLogitsLoss(),
    ];
    expect(modules.map(String)).toEqual(fixture.structure.classificationRepr);
  });
});

describe("Embedding and oneHot", () => {
  const cases = fixture.embedding.modules as {
    seed: number;
    num: number;
    dim: number;
    paddingIdx: number | null;
    weight: number[];
    after: number[];
    indices: number[];
    output: number[];
    upstream: number[];
    weightGrad: number[];
    repr: string;
  }[];
  it.each(cases.map((c) => [`Embedding(${c.num}, ${c.dim}), padding ${c.paddingIdx}`, c] as const))(
    "%s",
    (_, c) => {
      torch.manualSeed(c.seed);
      const emb = new nn.Embedding(c.num, c.dim, { paddingIdx: c.paddingIdx });
      // PyTorch's default initialisation, and the generator advanced exactly as PyTorch's.
      expect([...torch.randn(3).toTypedArray()]).toEqual(c.after);
      expect([...emb.weight.toTypedArray()]).toEqual(c.weight);
      expect(emb.toString()).toBe(c.repr);
      expect(Object.keys(emb.stateDict())).toEqual(["weight"]);
      const y = emb.forward(int64(c.indices, [2, 3]));
      expect([...y.toTypedArray()]).toEqual(c.output);
      y.backward(torch.tensor(c.upstream).reshape([2, 3, c.dim]));
      expectClose((emb.weight.grad as torch.Tensor).toTypedArray(), c.weightGrad, 2 ** -23, "weight grad");
    },
  );

  it("refuses indices out of range, float indices and a bad paddingIdx", () => {
    const emb = new nn.Embedding(4, 2);
    expect(() => emb.forward(int64([4], [1]))).toThrow(/embedding: index 4 is out of range for 4 embeddings/);
    expect(() => emb.forward(torch.tensor([1]))).toThrow(
      /embedding: expected int64 or int32 indices, got float32/,
    );
    expect(() => new nn.Embedding(4, 2, { paddingIdx: 4 })).toThrow(/Embedding: paddingIdx must be within/);
  });

  const hot = fixture.embedding.oneHot as {
    input: number[];
    shape: number[];
    numClasses: number;
    output: number[];
    outputShape: number[];
  }[];
  it.each(hot.map((c) => [`oneHot [${c.input}], ${c.numClasses}`, c] as const))("%s", (_, c) => {
    const out = F.oneHot(int64(c.input, c.shape), c.numClasses);
    expect(out.dtype).toBe("int64");
    expect(out.shape).toEqual(c.outputShape);
    expect(Array.from(out.toTypedArray(), Number)).toEqual(c.output);
  });

  it("oneHot refuses what PyTorch refuses", () => {
    expect(() => F.oneHot(int64([3], [1]), 3)).toThrow(
      /Class values must be smaller than num_classes \(3\), got 3/,
    );
    expect(() => F.oneHot(int64([-1], [1]), 3)).toThrow(/Class values must be non-negative/);
    expect(() => F.oneHot(torch.tensor([1]), 3)).toThrow(/only applicable to index tensor/);
  });
});

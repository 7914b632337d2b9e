import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectClose } from "./support/close.js";
import * as torch from "./support/torch.js";

// fixtures/gen_nn.py: each layer's output and gradients (input and parameters) for a random upstream
// gradient, and the losses with each reduction, from PyTorch 1.13.
const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/nn.json"), "utf8"));

interface LayerCase {
  input: number[];
  inputShape: number[];
  output: number[];
  outputShape: number[];
  upstream: number[];
  inputGrad: number[];
  params: Record<string, { values: number[]; grad: number[] }>;
}

const nn = torch.nn;
const LAYERS: Record<string, () => torch.nn.Module> = {
  Linear: () => new nn.Linear(5, 3),
  LinearNoBias: () => new nn.Linear(5, 3, { bias: false }),
  ReLU: () => new nn.ReLU(),
  LeakyReLU: () => new nn.LeakyReLU(0.1),
  LeakyReLUDefault: () => new nn.LeakyReLU(),
  SiLU: () => new nn.SiLU(),
  GELU: () => new nn.GELU(),
  GELUTanh: () => new nn.GELU({ approximate: "tanh" }),
  ELU: () => new nn.ELU(),
  ELUAlpha: () => new nn.ELU(0.5),
  Sigmoid: () => new nn.Sigmoid(),
  Tanh: () => new nn.Tanh(),
  Identity: () => new nn.Identity(),
  Flatten: () => new nn.Flatten(),
  Sequential: () => new nn.Sequential(new nn.Linear(5, 8), new nn.Tanh(), new nn.Linear(8, 2)),
};

// Exact where torchlet computes what PyTorch's kernel computes; within 2^-23 (2^-22 for two layers) of
// the largest value where the summation order or the formula differs: Linear's matmul-then-add
// against PyTorch's addmm, SiLU's backward through autograd against PyTorch's fused formula, and
// the exp and tanh kernels, which are not Sleef's (SiLU, ELU, Sigmoid, Tanh).
const ULP = 2 ** -23;
const TOLERANCE: Record<string, number> = {
  Linear: ULP,
  LinearNoBias: ULP,
  Sequential: 2 * ULP,
  SiLU: ULP,
  // GELU composed of erf (or tanh), adds and muls, each rounded, against PyTorch's fused kernel.
  GELU: 4 * ULP,
  GELUTanh: 4 * ULP,
  ELU: ULP,
  ELUAlpha: ULP,
  Sigmoid: 2 * ULP,
  Tanh: ULP,
};

describe("layers: forward and gradients as PyTorch's", () => {
  it.each(Object.keys(LAYERS))("%s", (name) => {
    const c = fixture.layers[name] as LayerCase;
    torch.manualSeed(5);
    const layer = (LAYERS[name] as () => torch.nn.Module)();
    const x = torch.tensor(c.input).reshape(c.inputShape).requiresGrad_();
    const out = layer.forward(x);
    expect(out.shape).toEqual(c.outputShape);
    const tol = TOLERANCE[name] ?? 0;
    expectClose(out.toTypedArray(), c.output, tol, `${name} output`);
    out.backward(torch.tensor(c.upstream).reshape(c.outputShape));
    expectClose((x.grad as torch.Tensor).toTypedArray(), c.inputGrad, tol, `${name} input grad`);
    const params = Object.fromEntries(layer.namedParameters());
    expect(Object.keys(params)).toEqual(Object.keys(c.params));
    for (const [key, expected] of Object.entries(c.params)) {
      const p = params[key] as torch.Tensor;
      expect([...p.toTypedArray()], `${name}.${key} (default init)`).toEqual(expected.values);
      expectClose((p.grad as torch.Tensor).toTypedArray(), expected.grad, tol, `${name}.${key} grad`);
    }
  });

  it("names the layer and both shapes on a wrong input", () => {
    expect(() => new nn.Linear(3, 16).forward(torch.zeros(4, 5))).toThrow(
      /^Linear\(3, 16\): input \[4, 5\] must have 3 features in its last dim$/,
    );
    expect(() => new nn.Flatten(1, 3).forward(torch.zeros(4, 5))).toThrow(/Flatten\(1, 3\): input \[4, 5\]/);
    expect(() => new nn.Linear(-1, 2)).toThrow(/Linear: inFeatures must be a non-negative integer, got -1/);
    expect(() => new nn.Sequential(new nn.ReLU(), 3 as unknown as torch.nn.Module)).toThrow(
      /argument 1 must be a Module/,
    );
  });
});

describe("Dropout: PyTorch's mask for the same seed", () => {
  const cases = fixture.dropout as {
    seed: number;
    shape: number[];
    p: number;
    input: number[];
    output: number[];
    upstream: number[];
    inputGrad: number[];
    gradFn: string;
    after: number[];
  }[];
  it.each(cases.map((c) => [`seed ${c.seed}, [${c.shape}], p = ${c.p}`, c] as const))("%s", (_, c) => {
    const x = torch.tensor(c.input).reshape(c.shape).requiresGrad_();
    torch.manualSeed(c.seed);
    const y = new nn.Dropout(c.p).forward(x);
    // Generator state first: the mask drew exactly as many numbers as PyTorch's.
    expect([...torch.randn(3).toTypedArray()]).toEqual(c.after);
    expect([...y.toTypedArray()]).toEqual(c.output);
    expect(y.gradFn?.name).toBe(c.gradFn);
    y.backward(torch.tensor(c.upstream).reshape(c.shape));
    expect([...(x.grad as torch.Tensor).toTypedArray()]).toEqual(c.inputGrad);
  });

  it("is the identity in eval mode and for p = 0; p = 1 zeroes; a bad p is refused", () => {
    const x = torch.randn(4, 3);
    const drop = new nn.Dropout(0.5);
    expect(drop.eval().forward(x)).toBe(x);
    expect(nn.functional.dropout(x, 0)).toBe(x);
    expect(nn.functional.dropout(x, 1).abs().sum().item()).toBe(0);
    expect(() => new nn.Dropout(1.5)).toThrow(
      /Dropout: dropout probability has to be between 0 and 1, but got 1.5/,
    );
    expect(() => nn.functional.dropout(x, -0.1)).toThrow(/dropout: dropout probability/);
  });
});

describe("losses: values and input gradients as PyTorch's", () => {
  const cases = fixture.losses as {
    loss: "MSELoss" | "L1Loss";
    reduction: "mean" | "sum" | "none";
    input: number[];
    target: number[];
    value: number[];
    inputGrad: number[];
  }[];
  it.each(cases.map((c) => [`${c.loss} ${c.reduction}`, c] as const))("%s", (_, c) => {
    const x = torch.tensor(c.input).reshape([6, 3]).requiresGrad_();
    const target = torch.tensor(c.target).reshape([6, 3]);
    const lossFn = new nn[c.loss]({ reduction: c.reduction });
    const value = lossFn.forward(x, target);
    expectClose(value.toTypedArray(), c.value, 1e-7, "value");
    value.backward(c.reduction === "none" ? torch.onesLike(value) : undefined);
    expectClose((x.grad as torch.Tensor).toTypedArray(), c.inputGrad, 1e-7, "input grad");
    // The functional form gives the same value.
    const fn = c.loss === "MSELoss" ? nn.functional.mseLoss : nn.functional.l1Loss;
    expect(fn(x, target, { reduction: c.reduction }).tolist()).toEqual(value.tolist());
  });

  it("refuses an unknown reduction", () => {
    expect(() =>
      nn.functional.mseLoss(torch.zeros(2), torch.zeros(2), { reduction: "avg" as "mean" }),
    ).toThrow(/mseLoss: reduction must be "mean", "sum" or "none", got "avg"/);
  });
});

describe("functional forms", () => {
  it("linear checks its shapes", () => {
    expect(() => nn.functional.linear(torch.zeros(2, 3), torch.zeros(4, 5))).toThrow(
      /linear: input \[2, 3\] and weight \[4, 5\]/,
    );
  });

  it("gradcheck in float64: leakyRelu, silu, elu, linear and the losses", () => {
    const x = torch.tensor(
      [
        [-1.5, 0.3, 2],
        [0.7, -0.2, 1.1],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const w = torch.tensor(
      [
        [0.5, -1, 0.25],
        [2, 0.1, -0.3],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const b = torch.tensor([0.1, -0.2], { dtype: "float64", requiresGrad: true });
    const t = torch.tensor(
      [
        [1, 0],
        [0, 1],
      ],
      { dtype: "float64" },
    );
    const f = (xv: torch.Tensor, wv: torch.Tensor, bv: torch.Tensor) => {
      const hidden = nn.functional.linear(nn.functional.leakyRelu(xv, 0.1), wv, bv);
      const h = nn.functional.silu(hidden).add(nn.functional.elu(hidden, 0.7));
      return nn.functional.mseLoss(h, t).add(nn.functional.l1Loss(h, t.mul(0.5)));
    };
    const inputs = [x, w, b];
    const grads = torch.autograd.grad(f(x, w, b), inputs);
    const eps = 1e-6;
    for (const [k, input] of inputs.entries()) {
      const flat = input.detach().toTypedArray() as Float64Array;
      const numeric = [...flat].map((_, i) => {
        const shifted = (delta: number) => {
          const copy = Float64Array.from(flat);
          copy[i] = (copy[i] as number) + delta;
          const moved = torch.tensor(copy).reshape([...input.shape]);
          const args = inputs.map((v, j) => (j === k ? moved : v.detach()));
          return Number(f(args[0] as torch.Tensor, args[1] as torch.Tensor, args[2] as torch.Tensor).item());
        };
        return (shifted(eps) - shifted(-eps)) / (2 * eps);
      });
      expectClose((grads[k] as torch.Tensor).toTypedArray(), numeric, 1e-6, `input ${k}`);
    }
  });
});

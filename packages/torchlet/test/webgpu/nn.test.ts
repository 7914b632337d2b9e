import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

// packages/nn/fixtures/gen_nn.py's layers, losses, initialisation, dropout and Embedding (PyTorch 1.13) on webgpu: the module moved with
// to("webgpu"), the input, target and upstream gradient created there, every value read back
// asynchronously. The GPU computes in float32 in its own order (and some ops through the CPU), so
// values and gradients are compared within TOLERANCE of the largest expected magnitude.
const fixture = JSON.parse(readFileSync(join(__dirname, "../../../nn/fixtures/nn.json"), "utf8"));
const TOLERANCE = 1e-5;
const nn = torch.nn;
const F = nn.functional;
const gpu = { device: "webgpu" } as const;

async function expectClose(t: torch.Tensor, expected: readonly number[], what: string): Promise<void> {
  expect(t.device, what).toBe("webgpu");
  const actual = Array.from((await t.data()) as ArrayLike<number>);
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  const worst = Math.max(0, ...expected.map((e, i) => Math.abs((actual[i] as number) - e) / scale));
  expect(worst, `${what}: worst relative difference`).toBeLessThanOrEqual(TOLERANCE);
}

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

interface LayerCase {
  input: number[];
  inputShape: number[];
  outputShape: number[];
  output: number[];
  upstream: number[];
  inputGrad: number[];
  params: Record<string, { values: number[]; grad: number[] }>;
}

describe.skipIf(!available)(`nn layers on webgpu: forward and gradients as PyTorch's${skipNote}`, () => {
  it.each(Object.keys(LAYERS))(`%s (within ${TOLERANCE})`, async (name) => {
    const c = fixture.layers[name] as LayerCase;
    torch.manualSeed(5);
    const layer = (LAYERS[name] as () => torch.nn.Module)().to("webgpu");
    const x = torch.tensor(c.input, { ...gpu, requiresGrad: true }).reshape(c.inputShape);
    x.retainGrad();
    const out = layer.forward(x);
    expect(out.shape).toEqual(c.outputShape);
    await expectClose(out, c.output, `${name} output`);
    out.backward(torch.tensor(c.upstream, gpu).reshape(c.outputShape));
    await expectClose(x.grad as torch.Tensor, c.inputGrad, `${name} input grad`);
    const params = Object.fromEntries(layer.namedParameters());
    expect(Object.keys(params)).toEqual(Object.keys(c.params));
    for (const [key, expected] of Object.entries(c.params)) {
      const p = params[key] as torch.Tensor;
      expect([...((await p.data()) as Float32Array)], `${name}.${key} (default init)`).toEqual(
        expected.values,
      );
      await expectClose(p.grad as torch.Tensor, expected.grad, `${name}.${key} grad`);
    }
  });
});

describe.skipIf(!available)(`nn losses on webgpu: values and input gradients as PyTorch's${skipNote}`, () => {
  const regression = fixture.losses as {
    loss: "MSELoss" | "L1Loss";
    reduction: "mean" | "sum" | "none";
    input: number[];
    target: number[];
    value: number[];
    inputGrad: number[];
  }[];
  it.each(regression.map((c) => [`${c.loss} ${c.reduction}`, c] as const))(
    `%s (within ${TOLERANCE})`,
    async (_, c) => {
      const x = torch.tensor(c.input, { ...gpu, requiresGrad: true });
      const value = new nn[c.loss]({ reduction: c.reduction }).forward(
        x.reshape([6, 3]),
        torch.tensor(c.target, gpu).reshape([6, 3]),
      );
      await expectClose(value, c.value, "value");
      value.backward(c.reduction === "none" ? torch.onesLike(value) : undefined);
      await expectClose(x.grad as torch.Tensor, c.inputGrad, "input grad");
    },
  );

  interface LossCase {
    fn: "crossEntropy" | "nllLoss" | "binaryCrossEntropy" | "binaryCrossEntropyWithLogits";
    options: { weight?: number[]; weightShape?: number[]; posWeight?: number[] } & Record<string, unknown>;
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
  const classification = fixture.classification.losses as LossCase[];
  it.each(
    classification.map(
      (c, i) => [`${i}: ${c.fn} [${c.inputShape}] ${c.targetDtype} ${JSON.stringify(c.options)}`, c] as const,
    ),
  )(`%s (within ${TOLERANCE})`, async (_, c) => {
    const x = torch.tensor(c.input, { ...gpu, requiresGrad: true });
    const target = torch.tensor(c.target, { ...gpu, dtype: c.targetDtype }).reshape(c.targetShape);
    const { weight, weightShape, posWeight, ...rest } = c.options;
    const options = {
      ...rest,
      ...(weight ? { weight: torch.tensor(weight, gpu).reshape(weightShape ?? [weight.length]) } : {}),
      ...(posWeight ? { posWeight: torch.tensor(posWeight, gpu) } : {}),
    };
    const value = (F[c.fn] as (...a: unknown[]) => torch.Tensor)(x.reshape(c.inputShape), target, options);
    expect(value.shape).toEqual(c.valueShape);
    await expectClose(value, c.value, "value");
    value.backward(c.upstream ? torch.tensor(c.upstream, gpu).reshape(c.valueShape) : undefined);
    await expectClose(x.grad as torch.Tensor, c.inputGrad, "input grad");
  });
});

// Initialisation and dropout draw from the global generator, which lives on the CPU: a module
// initialised then moved, an nn.init call on a webgpu tensor and dropout's mask give the CPU's values
// for the same seed, PyTorch's CPU values, exactly.
describe.skipIf(!available)(`nn.json's draws on webgpu: PyTorch's CPU values exactly${skipNote}`, () => {
  const linears = fixture.init.linear as {
    seed: number;
    in: number;
    out: number;
    bias: boolean;
    weight: number[];
    biasValues: number[] | null;
    after: number[];
  }[];
  it.each(linears.map((c) => [`seed ${c.seed}, Linear(${c.in}, ${c.out}, bias=${c.bias})`, c] as const))(
    "%s initialised, then moved to webgpu",
    async (_, c) => {
      torch.manualSeed(c.seed);
      const layer = new nn.Linear(c.in, c.out, { bias: c.bias }).to("webgpu");
      expect(layer.weight.device).toBe("webgpu");
      expect([...((await layer.weight.data()) as Float32Array)]).toEqual(c.weight);
      expect(layer.bias === null ? null : [...((await layer.bias.data()) as Float32Array)]).toEqual(
        c.biasValues,
      );
      expect([...torch.randn(3).toTypedArray()], "the generator advanced as PyTorch's").toEqual(c.after);
    },
  );

  // packages/nn/test/init.test.ts's calls, which made the fixture's values
  const INIT_CALLS: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    uniform_: (t) => nn.init.uniform_(t, -0.3, 0.7),
    normal_: (t) => nn.init.normal_(t, 0.5, 2.0),
    kaimingUniform_: (t) => nn.init.kaimingUniform_(t),
    kaimingUniform_a: (t) => nn.init.kaimingUniform_(t, { a: Math.sqrt(5) }),
    kaimingUniform_fanOutRelu: (t) => nn.init.kaimingUniform_(t, { mode: "fan_out", nonlinearity: "relu" }),
    kaimingNormal_: (t) => nn.init.kaimingNormal_(t),
    xavierUniform_: (t) => nn.init.xavierUniform_(t),
    xavierNormal_gain: (t) => nn.init.xavierNormal_(t, { gain: nn.init.calculateGain("tanh") }),
  };
  const inits = fixture.init.functions as { name: string; shape: number[]; values: number[] }[];
  it.each(inits.map((c) => [`${c.name} [${c.shape}]`, c] as const))(
    "nn.init %s fills a webgpu tensor",
    async (_, c) => {
      torch.manualSeed(7);
      const t = torch.zeros(c.shape, gpu);
      expect((INIT_CALLS[c.name] as (t: torch.Tensor) => torch.Tensor)(t)).toBe(t);
      expect([...((await t.data()) as Float32Array)]).toEqual(c.values);
    },
  );

  const drops = fixture.dropout as {
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
  it.each(drops.map((c) => [`seed ${c.seed}, [${c.shape}], p = ${c.p}`, c] as const))(
    "Dropout %s: the CPU's mask",
    async (_, c) => {
      const x = torch.tensor(c.input, { ...gpu, requiresGrad: true });
      x.retainGrad();
      torch.manualSeed(c.seed);
      const y = new nn.Dropout(c.p).forward(x.reshape(c.shape));
      expect([...torch.randn(3).toTypedArray()], "the mask drew as many numbers as PyTorch's").toEqual(
        c.after,
      );
      expect(y.device).toBe("webgpu");
      expect([...((await y.data()) as Float32Array)]).toEqual(c.output);
      y.backward(torch.tensor(c.upstream, gpu).reshape(c.shape));
      expect([...((await (x.grad as torch.Tensor).data()) as Float32Array)]).toEqual(c.inputGrad);
    },
  );
});

describe.skipIf(!available)(`nn.json's Embedding on webgpu (within ${TOLERANCE})${skipNote}`, () => {
  const embeddings = fixture.embedding.modules as {
    seed: number;
    num: number;
    dim: number;
    paddingIdx: number | null;
    weight: number[];
    indices: number[];
    output: number[];
    upstream: number[];
    weightGrad: number[];
  }[];
  it.each(embeddings.map((c) => [`Embedding(${c.num}, ${c.dim}), padding ${c.paddingIdx}`, c] as const))(
    "%s initialised, moved, looked up and backpropagated",
    async (_, c) => {
      torch.manualSeed(c.seed);
      const emb = new nn.Embedding(c.num, c.dim, { paddingIdx: c.paddingIdx }).to("webgpu");
      expect([...((await emb.weight.data()) as Float32Array)]).toEqual(c.weight);
      const y = emb.forward(torch.tensor(c.indices, { ...gpu, dtype: "int64" }).reshape([2, 3]));
      expect([...((await y.data()) as Float32Array)], "rows picked exactly").toEqual(c.output);
      y.backward(torch.tensor(c.upstream, gpu).reshape([2, 3, c.dim]));
      await expectClose(emb.weight.grad as torch.Tensor, c.weightGrad, "weight grad");
    },
  );

  it("an index out of range is refused at the read (indexSelect's device check), not at the call", async () => {
    const emb = new nn.Embedding(4, 2).to("webgpu");
    const y = emb.forward(torch.tensor([1, 4], { ...gpu, dtype: "int64" }));
    await expect(y.data()).rejects.toThrow(
      /indexSelect: index 4 is out of bounds for dimension 0 with size 4/,
    );
  });
});

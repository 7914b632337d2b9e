import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

// fixtures/gen_nn.py: PyTorch 1.13's default initialisation and nn.init, drawn from the same generator.
const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/nn.json"), "utf8"));

interface LinearCase {
  seed: number;
  in: number;
  out: number;
  bias: boolean;
  weight: number[];
  biasValues: number[] | null;
  after: number[];
}

const values = (t: torch.Tensor) => [...t.toTypedArray()];

describe("nn.Linear's default initialisation equals PyTorch's exactly", () => {
  it.each(
    (fixture.init.linear as LinearCase[]).map(
      (c) => [`seed ${c.seed}, Linear(${c.in}, ${c.out}, bias=${c.bias})`, c] as const,
    ),
  )("%s", (_, c) => {
    torch.manualSeed(c.seed);
    const layer = new torch.nn.Linear(c.in, c.out, { bias: c.bias });
    expect(values(layer.weight)).toEqual(c.weight);
    if (c.biasValues) expect(values(layer.bias as torch.Tensor)).toEqual(c.biasValues);
    else expect(layer.bias).toBeNull();
    // The generator advanced exactly as PyTorch's did.
    expect(values(torch.randn(3))).toEqual(c.after);
  });

  it("torch.manualSeed(0); new nn.Linear(5, 7) (the example of the API contract)", () => {
    torch.manualSeed(0);
    const layer = new torch.nn.Linear(5, 7);
    const c = (fixture.init.linear as LinearCase[]).find((l) => l.seed === 0 && l.in === 5 && l.out === 7);
    expect(values(layer.weight)).toEqual(c?.weight);
    expect(layer.weight.requiresGrad && layer.weight.isLeaf).toBe(true);
  });
});

describe("nn.init equals PyTorch's", () => {
  const calls: Record<string, (t: torch.Tensor) => torch.Tensor> = {
    uniform_: (t) => torch.nn.init.uniform_(t, -0.3, 0.7),
    normal_: (t) => torch.nn.init.normal_(t, 0.5, 2.0),
    kaimingUniform_: (t) => torch.nn.init.kaimingUniform_(t),
    kaimingUniform_a: (t) => torch.nn.init.kaimingUniform_(t, { a: Math.sqrt(5) }),
    kaimingUniform_fanOutRelu: (t) =>
      torch.nn.init.kaimingUniform_(t, { mode: "fan_out", nonlinearity: "relu" }),
    kaimingNormal_: (t) => torch.nn.init.kaimingNormal_(t),
    xavierUniform_: (t) => torch.nn.init.xavierUniform_(t),
    xavierNormal_gain: (t) => torch.nn.init.xavierNormal_(t, { gain: torch.nn.init.calculateGain("tanh") }),
  };
  const cases = fixture.init.functions as { name: string; shape: number[]; values: number[] }[];
  it.each(cases.map((c) => [`${c.name} [${c.shape}]`, c] as const))("%s", (_, c) => {
    torch.manualSeed(7);
    const t = torch.zeros(c.shape);
    const call = calls[c.name];
    if (!call) throw new Error(`no call for ${c.name}`);
    expect(call(t)).toBe(t);
    expect(values(t)).toEqual(c.values);
  });

  it("refuses a tensor that requires grad outside noGrad only where PyTorch does (nn.init runs under no-grad)", () => {
    const w = torch.zeros([3, 4], { requiresGrad: true });
    expect(() => torch.nn.init.kaimingUniform_(w)).not.toThrow();
    expect(() => torch.uniform_(w, 0, 1)).toThrow(/uniform_: a tensor that requires grad/);
    expect(() => torch.nn.init.xavierUniform_(torch.zeros(3))).toThrow(/fewer than 2 dimensions/);
    expect(() => torch.nn.init.kaimingUniform_(torch.zeros(2, 2), { mode: "fan_avg" as "fan_in" })).toThrow(
      /fan_avg/,
    );
  });

  it("bumps the version counter of the tensor it fills", () => {
    const w = torch.zeros(2, 2);
    const before = w._version.value;
    torch.nn.init.normal_(w);
    expect(w._version.value).toBe(before + 1);
  });
});

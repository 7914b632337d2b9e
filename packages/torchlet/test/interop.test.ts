import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

const ioFixtures = join(__dirname, "..", "..", "io", "fixtures");
const { interop } = JSON.parse(readFileSync(join(ioFixtures, "io.json"), "utf8")) as {
  interop: { input: number[][]; output: number[][] };
};

const chapterNet = (hidden: number) =>
  new torch.nn.Sequential(
    new torch.nn.Linear(3, hidden),
    new torch.nn.ReLU(),
    new torch.nn.Linear(hidden, 1),
  );

describe("nn state dicts through PyTorch's file formats", () => {
  it("a state dict PyTorch saved loads into the same torchlet model and gives PyTorch's outputs", () => {
    const model = chapterNet(16);
    model.loadStateDict(
      torch.load(join(ioFixtures, "torch", "mlp_state_dict.pt")) as Record<string, torch.Tensor>,
    );
    const out = torch.noGrad(() => model.forward(torch.tensor(interop.input))) as torch.Tensor;
    const expected = interop.output.flat();
    (out.tolist() as number[][]).flat().forEach((v, i) => {
      expect(Math.abs(v - (expected[i] as number))).toBeLessThanOrEqual(
        1e-6 * Math.abs(expected[i] as number) + 1e-7,
      );
    });
  });

  it("a torchlet model's state dict survives save and load, into a model of the same shape", () => {
    torch.manualSeed(7);
    const a = chapterNet(4);
    const b = chapterNet(4);
    b.loadStateDict(torch.load(torch.save(a.stateDict())) as Record<string, torch.Tensor>);
    const x = torch.randn(5, 3);
    expect((b.forward(x) as torch.Tensor).tolist()).toEqual((a.forward(x) as torch.Tensor).tolist());
    expect(Object.keys(torch.safetensors.load(torch.safetensors.save(a.stateDict())))).toEqual(
      Object.keys(a.stateDict()).sort(),
    );
  });

  it("a state dict of another model is refused by loadStateDict, naming the keys", () => {
    const model = chapterNet(8);
    const sd = torch.load(join(ioFixtures, "torch", "mlp_state_dict.pt")) as Record<string, torch.Tensor>;
    expect(() => model.loadStateDict(sd)).toThrowError(/size mismatch|shape/);
  });
});

describe("a CNN's state dict through PyTorch's file format", () => {
  const nnFixtures = join(__dirname, "..", "..", "nn", "fixtures");
  const { stateDict } = JSON.parse(readFileSync(join(nnFixtures, "conv.json"), "utf8")) as {
    stateDict: { keys: string[]; input: number[]; output: number[] };
  };
  const cnn = () =>
    new torch.nn.Sequential(
      new torch.nn.Conv2d(1, 8, 3),
      new torch.nn.ReLU(),
      new torch.nn.MaxPool2d(2),
      new torch.nn.Conv2d(8, 16, 3),
      new torch.nn.ReLU(),
      new torch.nn.MaxPool2d(2),
      new torch.nn.Flatten(),
      new torch.nn.Linear(16 * 5 * 5, 10),
    );

  it("loads what PyTorch saved (nn/fixtures/cnn_state_dict.pt) and gives PyTorch's outputs", () => {
    const saved = torch.load(join(nnFixtures, "cnn_state_dict.pt")) as Record<string, torch.Tensor>;
    expect(Object.keys(saved)).toEqual(stateDict.keys);
    const model = cnn();
    model.loadStateDict(saved);
    const x = torch.tensor(stateDict.input).reshape(2, 1, 28, 28);
    const out = torch.noGrad(() => model.forward(x));
    const scale = Math.max(...stateDict.output.map(Math.abs));
    Array.from(out.toTypedArray() as Float32Array).forEach((v, i) => {
      expect(Math.abs(v - (stateDict.output[i] as number))).toBeLessThanOrEqual(1e-5 * scale);
    });
  });

  it("round-trips torchlet's own save and load", () => {
    torch.manualSeed(3);
    const a = cnn();
    const b = cnn();
    b.loadStateDict(torch.load(torch.save(a.stateDict())) as Record<string, torch.Tensor>);
    const x = torch.randn(2, 1, 28, 28);
    expect(b.forward(x).tolist()).toEqual(a.forward(x).tolist());
  });
});

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

import * as torch from "@torchlet/autograd";
import { manualSeed } from "@torchlet/data";
import { describe, expect, it } from "vitest";
import { DIGITS_MODELS, type DigitsModelName, digitsModel } from "../src/index.js";

describe("digits models", () => {
  it("the MLP is PyTorch's Sequential(Flatten, Linear(784, 128), ReLU, Linear(128, 10)), keys and all", () => {
    manualSeed(0);
    const model = digitsModel("mlp");
    expect(Object.keys(model.stateDict())).toEqual(["1.weight", "1.bias", "3.weight", "3.bias"]);
    expect(model.parameters().map((p) => p.shape)).toEqual([[128, 784], [128], [10, 128], [10]]);
    expect(model.forward(torch.zeros(5, 1, 28, 28)).shape).toEqual([5, 10]);
  });

  it("draws its initial weights from the global generator", () => {
    const weights = () => {
      manualSeed(3);
      return digitsModel("mlp").parameters()[2]?.tolist();
    };
    expect(weights()).toEqual(weights());
  });

  it("refuses an unknown name", () => {
    expect(DIGITS_MODELS).toContain("mlp");
    expect(() => digitsModel("rnn" as DigitsModelName)).toThrow('digitsModel: unknown model "rnn"');
  });
});

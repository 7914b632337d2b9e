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

  it("the CNN is PyTorch's conv-pool-conv-pool-linear Sequential, keys and all", () => {
    manualSeed(0);
    const model = digitsModel("cnn");
    expect(Object.keys(model.stateDict())).toEqual([
      "0.weight",
      "0.bias",
      "3.weight",
      "3.bias",
      "7.weight",
      "7.bias",
    ]);
    expect(model.parameters().map((p) => p.shape)).toEqual([
      [16, 1, 3, 3],
      [16],
      [32, 16, 3, 3],
      [32],
      [10, 1568],
      [10],
    ]);
    expect(model.forward(torch.zeros(2, 1, 28, 28)).shape).toEqual([2, 10]);
  });

  it("draws its initial weights from the global generator", () => {
    const weights = () => {
      manualSeed(3);
      return digitsModel("mlp").parameters()[2]?.tolist();
    };
    expect(weights()).toEqual(weights());
  });

  it("refuses an unknown name", () => {
    expect(DIGITS_MODELS).toEqual(["mlp", "cnn"]);
    expect(() => digitsModel("rnn" as DigitsModelName)).toThrow('digitsModel: unknown model "rnn"');
  });
});

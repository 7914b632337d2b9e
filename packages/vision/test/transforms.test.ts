import * as torch from "@torchlet/autograd";
import { describe, expect, it } from "vitest";
import { flatten, normalize } from "../src/index.js";

describe("normalize", () => {
  it("subtracts the mean and divides by the std of each channel, as torchvision's Normalize", () => {
    const x = torch.tensor([[[[1, 2]], [[3, 4]]]]); // [1, 2, 1, 2]
    expect(normalize(x, [1, 2], [2, 4]).tolist()).toEqual([[[[0, 0.5]], [[0.25, 0.5]]]]);
    expect(normalize(x.select(0, 0), 1, 2).tolist()).toEqual([[[0, 0.5]], [[1, 1.5]]]);
  });

  it("keeps float64 and passes gradients", () => {
    const x = torch.tensor([[[0.5]]], { dtype: "float64", requiresGrad: true });
    const y = normalize(x, 0.25, 0.5);
    expect(y.dtype).toBe("float64");
    y.sum().backward();
    expect(x.grad?.tolist()).toEqual([[[2]]]);
  });

  it("refuses a wrong shape, dtype, channel count, a zero or non-finite std", () => {
    const x = torch.zeros(2, 3, 4, 4);
    expect(() => normalize(torch.zeros(4, 4), 0, 1)).toThrow(
      "normalize: expected images [..., C, H, W], got shape [4, 4]",
    );
    expect(() => normalize(x.to("int64"), 0, 1)).toThrow(
      "normalize: expected float32 or float64 images, got int64",
    );
    expect(() => normalize(x, [0, 0], 1)).toThrow(
      "normalize: mean has 2 values for images of 3 channels (shape [2, 3, 4, 4])",
    );
    expect(() => normalize(x, 0, [1, 0, 1])).toThrow("normalize: std must not be 0, got [1,0,1]");
    expect(() => normalize(x, Number.NaN, 1)).toThrow("normalize: mean must be finite, got [NaN, NaN, NaN]");
  });
});

describe("flatten", () => {
  it("turns a batch of images into rows", () => {
    expect(flatten(torch.zeros(64, 1, 28, 28)).shape).toEqual([64, 784]);
    expect(flatten(torch.zeros(0, 1, 28, 28)).shape).toEqual([0, 784]);
    expect(() => flatten(torch.zeros(3))).toThrow("flatten: expected a batch [N, ...], got shape [3]");
  });
});

import { transfer } from "@torchlet/ops";
import { StridedArray } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { isAvailable, memory } from "../src/index.js";

// This file never calls init(): the state of a machine without an adapter, or before init().
describe("before init() (or where no adapter exists)", () => {
  it("the device is unavailable and using it is a TorchletError naming init()", () => {
    expect(isAvailable()).toBe(false);
    const a = StridedArray.fromFlat(new Float32Array([1]), [1]);
    expect(() => transfer("tensor", a, "webgpu")).toThrow(
      "tensor: no webgpu device is initialised; await torch.webgpu.init() first (it returns false where none exists)",
    );
    expect(() => memory()).toThrow(/await torch\.webgpu\.init\(\) first/);
  });
});

import { join } from "node:path";
import { TorchletError } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { load } from "../src/index.js";
import { cases, expectDescribed, FIXTURES, fixtureBytes } from "./fixtures.js";

describe("load reads what PyTorch 1.13's torch.save wrote", () => {
  for (const c of cases.filter((c) => c.expect)) {
    it(c.name, () => {
      expectDescribed(load(fixtureBytes(c.file)), c.expect as never);
    });
  }

  it("from a path, a Uint8Array at an odd offset, and an ArrayBuffer alike", () => {
    const file = "torch/mlp_state_dict.pt";
    const expected = cases.find((c) => c.file === file)?.expect as never;
    expectDescribed(load(join(FIXTURES, file)), expected);
    const bytes = fixtureBytes(file);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectDescribed(load(shifted.subarray(3)), expected);
    expectDescribed(load(bytes.slice().buffer), expected);
  });

  it("copies storages out of the file's bytes: changing the buffer later changes no tensor", () => {
    const bytes = fixtureBytes("torch/int32.pt");
    const t = load(bytes) as import("@torchlet/autograd").Tensor;
    bytes.fill(0);
    expect(t.tolist()).toEqual([-(2 ** 31), 2 ** 31 - 1, 0, 7]);
  });
});

describe("load refuses what it must not or cannot read, with a TorchletError naming why", () => {
  for (const c of cases.filter((c) => c.error)) {
    it(c.name, () => {
      expect(() => load(fixtureBytes(c.file))).toThrowError(TorchletError);
      expect(() => load(fixtureBytes(c.file))).toThrowError(
        c.error === "legacy" ? /legacy/ : new RegExp(c.error as string),
      );
    });
  }

  it("names a missing file and a wrong argument", () => {
    expect(() => load("/nonexistent/model.pt")).toThrowError(/load: cannot read \/nonexistent\/model.pt/);
    expect(() => load(42 as never)).toThrowError(
      /load: expected a path, a Uint8Array or an ArrayBuffer, got number 42/,
    );
    expect(() => load(new Uint8Array([1, 2, 3]))).toThrowError(/not a PyTorch file/);
  });
});

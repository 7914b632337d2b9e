import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

describe("uniform_ and normal_ fill in place with the samplers' numbers", () => {
  it("equal rand/randn drawn from the same state (contiguous: PyTorch's kernels)", () => {
    for (const n of [5, 40]) {
      torch.manualSeed(3);
      const expected = torch.randn(n).toTypedArray();
      torch.manualSeed(3);
      const t = torch.zeros(n);
      expect(torch.normal_(t)).toBe(t);
      expect(t.toTypedArray()).toEqual(expected);
      torch.manualSeed(3);
      const u = torch.rand(n).mul(2).sub(1).toTypedArray() as Float32Array;
      torch.manualSeed(3);
      expect([...torch.uniform_(torch.zeros(n), -1, 1).toTypedArray()]).toEqual([...u].map(Math.fround));
    }
  });

  it("bernoulli_ is 1 where a double uniform (rand's float64 draw) is below p, else 0", () => {
    torch.manualSeed(5);
    const u = torch.rand([50], { dtype: "float64" }).toTypedArray() as Float64Array;
    torch.manualSeed(5);
    const t = torch.bernoulli_(torch.zeros(50), 0.3);
    expect([...t.toTypedArray()]).toEqual([...u].map((v) => (v < 0.3 ? 1 : 0)));
    expect(() => torch.bernoulli_(torch.zeros(2), 1.5)).toThrow(
      /bernoulli_: expects 0 <= p <= 1, but got p=1.5/,
    );
  });

  it("writes through views into the base's storage and bumps the shared version counter", () => {
    const base = torch.zeros(4, 3);
    const view = base.t();
    const before = base._version.value;
    torch.uniform_(view, 1, 2);
    expect([...base.toTypedArray()].every((v) => v >= 1 && v < 2)).toBe(true);
    expect(base._version.value).toBe(before + 1);
  });

  it("refuses integer tensors, bad ranges and a tensor that requires grad while recording", () => {
    expect(() => torch.uniform_(torch.zeros([2], { dtype: "int32" }))).toThrow(
      /uniform_: expected a float32 or float64 tensor, got int32/,
    );
    expect(() => torch.uniform_(torch.zeros(2), 1, 0)).toThrow(
      /uniform_: to must be a finite number >= 1, got 0/,
    );
    expect(() => torch.normal_(torch.zeros(2), 0, -1)).toThrow(/normal_: std must be a finite number >= 0/);
    const w = torch.zeros([2], { requiresGrad: true });
    expect(() => torch.normal_(w)).toThrow(/normal_: a tensor that requires grad/);
    expect(() => torch.noGrad(() => torch.normal_(w))).not.toThrow();
  });
});

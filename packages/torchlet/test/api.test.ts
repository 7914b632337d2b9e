import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// The parts of the public API (FEATURES.md) that the PyTorch fixtures do not exercise: creation from JS data, properties,
// reading values, the two call spellings, and the chapter's in-place update idiom.

describe("creating tensors", () => {
  it("JS numbers give float32, booleans bool, typed arrays their own dtype; dtype overrides", () => {
    expect(
      torch.tensor([
        [1, 2],
        [3, 4],
      ]).dtype,
    ).toBe("float32");
    expect(torch.tensor(3).shape).toEqual([]);
    expect(torch.tensor([true, false]).dtype).toBe("bool");
    expect(torch.tensor(new Float64Array([1, 2])).dtype).toBe("float64");
    expect(torch.tensor(new Int32Array([1, 2])).dtype).toBe("int32");
    expect(torch.tensor([1.7, -1.7], { dtype: "int32" }).tolist()).toEqual([1, -1]);
    expect(torch.tensor([0.1]).item()).toBe(Math.fround(0.1));
  });

  it("accepts shapes as an array or as separate numbers", () => {
    expect(torch.zeros(2, 3).shape).toEqual([2, 3]);
    expect(torch.zeros([2, 3], { dtype: "float64" }).dtype).toBe("float64");
    const x = torch.arange(6);
    expect(x.reshape(2, 3).shape).toEqual(x.reshape([2, 3]).shape);
    expect(x.view(3, -1).shape).toEqual([3, 2]);
    expect(x.reshape(2, 3).permute(1, 0).shape).toEqual([3, 2]);
    expect(x.expand(2, 6).shape).toEqual([2, 6]);
  });

  it("factories take requiresGrad", () => {
    expect(torch.ones([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expect(torch.zerosLike(torch.ones(2, 2)).tolist()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

describe("properties and reading values", () => {
  it("shape, dtype, ndim, dim(), numel(), size()", () => {
    const x = torch.zeros(2, 3, 4);
    expect([x.ndim, x.dim(), x.numel(), x.size(-1)]).toEqual([3, 3, 24, 4]);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(() => x.size(3)).toThrow(/size: dimension 3 out of range for a 3-D tensor/);
  });

  it("item() of one element, tolist() as nested arrays (bool as booleans)", () => {
    expect(torch.tensor([[2.5]]).item()).toBe(2.5);
    expect(torch.tensor([1, 2]).gt(1).tolist()).toEqual([false, true]);
    expect(torch.arange(4).reshape(2, 2).t().tolist()).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });
});

describe("two spellings", () => {
  it("torch.NAME(a, ...) gives what a.NAME(...) gives", () => {
    const a = torch.tensor([
      [1, -2],
      [3, 4],
    ]);
    const b = torch.tensor([0.5, 2]);
    const pairs: [torch.Tensor, torch.Tensor][] = [
      [torch.add(a, b), a.add(b)],
      [torch.sub(a, 1), a.sub(1)],
      [torch.mul(a, b), a.mul(b)],
      [torch.div(a, b), a.div(b)],
      [torch.pow(a, 2), a.pow(2)],
      [torch.relu(a), a.relu()],
      [torch.matmul(a, b), a.matmul(b)],
      [torch.sum(a, 0, true), a.sum(0, true)],
      [torch.mean(a, [-1]), a.mean([-1])],
      [torch.transpose(a, 0, 1), a.transpose(0, 1)],
      [torch.le(a, b), a.le(b)],
    ];
    for (const [functional, method] of pairs) expect(functional.tolist()).toEqual(method.tolist());
  });
});

describe("in place", () => {
  it("returns this, so `w = w.sub_(...)` works, and bumps the version counter", () => {
    const w = torch.tensor([1, 2]);
    const before = w._version.value;
    expect(w.sub_(1)).toBe(w);
    expect(w.mul_(torch.tensor([2, 3])).tolist()).toEqual([0, 3]);
    expect(w.fill_(7).tolist()).toEqual([7, 7]);
    expect(w.zero_().tolist()).toEqual([0, 0]);
    expect(w._version.value).toBe(before + 4);
  });

  it("writes through views into the storage they share", () => {
    const base = torch.zeros(2, 3);
    base.t().add_(torch.tensor([1, 2]));
    expect(base.tolist()).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
  });

  it("runs the chapter's SGD step: noGrad update of leaves, then zero_ of their grads", () => {
    const w = torch.tensor([[0.5], [-0.25]], { requiresGrad: true });
    const x = torch.tensor([
      [1, 2],
      [3, 4],
    ]);
    const y = torch.tensor([[1], [2]]);
    const lossAt = () => x.mm(w).sub(y).pow(2).mean();
    const start = Number(lossAt().item());
    for (let step = 0; step < 20; step++) {
      lossAt().backward();
      torch.noGrad(() => w.sub_((w.grad as torch.Tensor).mul(0.02)));
      w.grad?.zero_();
    }
    expect(lossAt().item()).toBeLessThan(start / 10);
    expect(w.isLeaf && w.requiresGrad).toBe(true);
  });
});

describe("internals stay internal", () => {
  it("the umbrella exports no allocator: recycle could hand a live tensor's memory to another", () => {
    for (const name of ["recycle", "allocate", "collectAllocations"]) expect(name in torch).toBe(false);
  });
});

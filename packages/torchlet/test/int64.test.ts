import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// int64 beyond what the PyTorch fixtures can show: PyTorch's int64 is exact to 2^63, torchlet's to
// 2^53 - 1 (exact integers in a Float64Array). Where a result would leave that range PyTorch gives
// the exact number and torchlet a TorchletError naming the op and the value, never a rounded number,
// thrown before any tensor is written. The values inside the range are checked against PyTorch in
// fixtures/parity.json ("int64/...").

const BIG = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const i64 = (data: torch.NestedData) => torch.tensor(data, { dtype: "int64" });

interface OverflowCase {
  setup: () => { tensors: torch.Tensor[]; call: () => unknown };
  message: RegExp;
}

const OVERFLOWS: Record<string, OverflowCase> = {
  "add past 2^53 - 1": {
    setup: () => {
      const a = i64([BIG, 1]);
      return { tensors: [a], call: () => a.add(i64([1, 1])) };
    },
    message: /^add: an int64 result \(about 9007199254740992\) does not fit in int64 exactly/,
  },
  "sub past -(2^53 - 1)": {
    setup: () => {
      const a = i64([-BIG]);
      return { tensors: [a], call: () => a.sub(2) };
    },
    message: /^sub: an int64 result .* does not fit in int64 exactly/,
  },
  "mul past 2^53 - 1": {
    setup: () => {
      const a = i64([94906267, 2]);
      return { tensors: [a], call: () => a.mul(a) };
    },
    message: /^mul: an int64 result \(about 9007199\d{9}\) does not fit in int64 exactly/,
  },
  "pow past 2^53 - 1": {
    setup: () => {
      const a = i64([2, 3]);
      return { tensors: [a], call: () => a.pow(53) };
    },
    message: /^pow: an int64 result \(about 9007199254740992\)/,
  },
  "bool + int past the range (int64 by promotion)": {
    setup: () => {
      const m = torch.tensor([true]);
      return { tensors: [m], call: () => m.add(BIG) };
    },
    message: /^add: an int64 result/,
  },
  "a number operand beyond the range": {
    setup: () => {
      const a = i64([1]);
      return { tensors: [a], call: () => a.add(2 ** 60) };
    },
    message: /^add: 1152921504606846976 does not fit in int64 exactly/,
  },
  "sum whose running total leaves the range": {
    setup: () => {
      // The true total (2^53 - 1) is in range, but no summation order keeps every partial sum in it.
      const a = i64([BIG, 2, -2]);
      return { tensors: [a], call: () => a.sum() };
    },
    message: /^sum: a running int64 sum \(about 9007199254740992\) does not fit in int64 exactly/,
  },
  "sum of int32 past the range": {
    setup: () => {
      const a = torch.full([2 ** 23], 2 ** 31 - 1, { dtype: "int32" });
      return { tensors: [], call: () => a.sum() };
    },
    message: /^sum: a running int64 sum .* does not fit in int64 exactly/,
  },
  "matrix product whose dot products leave the range": {
    setup: () => {
      const a = i64([[2 ** 27, 2 ** 27]]);
      const b = i64([[2 ** 26], [2 ** 26]]);
      return { tensors: [a, b], call: () => a.mm(b) };
    },
    message: /^mm: an int64 product or partial sum \(about 9007199254740992\) does not fit/,
  },
  "in-place add leaves the tensor as it was": {
    setup: () => {
      const a = i64([1, BIG]);
      return { tensors: [a], call: () => a.add_(1) };
    },
    message: /^add_?: an int64 result/,
  },
  "tensor() of a number beyond the range": {
    setup: () => ({ tensors: [], call: () => i64([1, 2 ** 53]) }),
    message: /^tensor: 9007199254740992 does not fit in int64 exactly/,
  },
  "tensor() of a BigInt64Array value beyond the range": {
    setup: () => ({ tensors: [], call: () => torch.tensor(new BigInt64Array([1n, -(2n ** 60n)])) }),
    message: /^tensor: -1152921504606846976 does not fit in int64 exactly/,
  },
  "to('int64') of NaN (PyTorch gives -2^63)": {
    setup: () => {
      const x = torch.tensor([1.5, Number.NaN]);
      return { tensors: [x], call: () => x.to("int64") };
    },
    message: /^to: NaN does not fit in int64 exactly/,
  },
  "to('int64') of a float beyond the range": {
    setup: () => {
      const x = torch.tensor([1e18], { dtype: "float64" });
      return { tensors: [x], call: () => x.to("int64") };
    },
    message: /^to: 1000000000000000000 does not fit in int64 exactly/,
  },
  "fill_ beyond the range": {
    setup: () => {
      const a = i64([1, 2]);
      return { tensors: [a], call: () => a.fill_(-Infinity) };
    },
    message: /^fill_: value -Infinity cannot be converted to type int64 without overflow/,
  },
  "arange beyond the range": {
    setup: () => ({ tensors: [], call: () => torch.arange(BIG - 1, BIG + 3) }),
    message: /^arange: 9007199254740992 does not fit in int64 exactly/,
  },
  "requiresGrad on an int64 tensor": {
    setup: () => {
      const a = i64([1]);
      return { tensors: [a], call: () => a.requiresGrad_() };
    },
    message: /^requiresGrad_: only tensors of floating point dtype can require gradients, got int64/,
  },
};

describe("int64 beyond ±(2^53 - 1) is a TorchletError, never a rounded number", () => {
  it.each(Object.entries(OVERFLOWS))("%s", (_name, { setup, message }) => {
    const { tensors, call } = setup();
    const before = tensors.map((t) => ({ values: t.tolist(), version: t._version.value }));
    expect(call).toThrow(torch.TorchletError);
    expect(call).toThrow(message);
    expect(tensors.map((t) => ({ values: t.tolist(), version: t._version.value }))).toEqual(before);
  });

  it("computes exactly up to the limit, where float64 arithmetic alone would round", () => {
    expect(
      i64([BIG - 1])
        .add(1)
        .item(),
    ).toBe(BIG);
    expect(
      i64([-BIG + 1])
        .sub(1)
        .item(),
    ).toBe(-BIG);
    // 3^33 = 5559060566555523 needs all 53 bits
    expect(i64([3]).pow(33).item()).toBe(5559060566555523);
    expect(
      i64([BIG - 4, 2, 2])
        .sum()
        .item(),
    ).toBe(BIG);
    expect(
      i64([[2 ** 26, 2 ** 26]])
        .mm(i64([[2 ** 26 - 1], [2 ** 26]]))
        .item(),
    ).toBe(2 ** 53 - 2 ** 26);
  });
});

describe("int64 values", () => {
  it("never hold -0: neg(0), 0 * -3 and truncating -0.5 give 0, so 1 / x is +Infinity as in PyTorch", () => {
    const zeros = [
      i64([0]).neg(),
      i64([0]).mul(-3),
      torch.tensor([-0.5]).to("int64"),
      i64([-0]),
      i64([-5]).mul(0),
    ];
    for (const z of zeros) {
      expect(Object.is(z.item(), 0)).toBe(true);
      expect(torch.tensor([1]).div(z).item()).toBe(Number.POSITIVE_INFINITY);
      expect(z.toString()).toBe("torch_tensor\n 0\n[ CPULongType{1} ]");
    }
  });

  it("come out as exact numbers (item, tolist) and as a BigInt64Array (toTypedArray)", () => {
    const t = i64([
      [BIG, -BIG],
      [0, 7],
    ]);
    expect(t.dtype).toBe("int64");
    expect(t.tolist()).toEqual([
      [BIG, -BIG],
      [0, 7],
    ]);
    expect(t.sum(1).tolist()).toEqual([0, 7]);
    const typed = t.toTypedArray();
    expect(typed).toBeInstanceOf(BigInt64Array);
    expect(Array.from(typed as BigInt64Array)).toEqual([2n ** 53n - 1n, -(2n ** 53n - 1n), 0n, 7n]);
    // a BigInt64Array gives int64 back, the same values
    const back = torch.tensor(typed);
    expect(back.dtype).toBe("int64");
    expect(back.reshape(2, 2).tolist()).toEqual(t.tolist());
    expect(i64(-3).item()).toBe(-3);
  });

  it("are PyTorch's default integer: arange, randint, randperm, sum of int32/bool, bool + int", () => {
    expect(torch.arange(3).dtype).toBe("int64");
    expect(torch.arange(0, 1, 0.5).dtype).toBe("float32");
    expect(torch.randint(0, 5, [2]).dtype).toBe("int64");
    expect(torch.randperm(4).dtype).toBe("int64");
    expect(torch.tensor([1, 2], { dtype: "int32" }).sum().dtype).toBe("int64");
    expect(torch.tensor([true, true]).sum().toString()).toBe("torch_tensor\n2\n[ CPULongType{} ]");
    expect(torch.tensor([true]).add(1).dtype).toBe("int64");
    expect(torch.tensor([1], { dtype: "int32" }).add(1).dtype).toBe("int32");
  });
});

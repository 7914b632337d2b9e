import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// Issue 18, items 7, 8 and 11, one regression test each: what used to give NaN, a coerced value, a
// wrapped integer or an internal TypeError/RangeError is a TorchletError naming the op, the argument
// and what it got (PyTorch 1.13's wording where it has one), and changes no tensor.

// biome-ignore lint/suspicious/noExplicitAny: the calls pass values their types forbid
type Loose = any;
const x = () => torch.tensor([1, 2]);
const i32 = () => torch.zeros([2], { dtype: "int32" });
const leaf = () => torch.tensor([1, 2], { requiresGrad: true });

const CASES: Record<string, [(t: torch.Tensor) => unknown, RegExp]> = {
  // item 7: anything but a number, a boolean or a Tensor where an operand is expected
  "add([1, 2])": [
    (t) => t.add([1, 2] as Loose),
    /^add: argument 'other' must be a Tensor, a number or a boolean, got an array \[1,2\]$/,
  ],
  "add(undefined)": [(t) => t.add(undefined as Loose), /^add: argument 'other' .* got undefined$/],
  'add("1")': [(t) => t.add("1" as Loose), /^add: argument 'other' .* got the string "1"$/],
  "add(null)": [(t) => t.add(null as Loose), /^add: argument 'other' .* got null$/],
  'mul_("2")': [(t) => t.mul_("2" as Loose), /^mul_: argument 'other' .* got the string "2"$/],
  "pow({})": [(t) => t.pow({} as Loose), /^pow: argument 'exponent' .* got an object$/],
  'lt("1")': [(t) => t.lt("1" as Loose), /^lt: argument 'other' .* got the string "1"$/],
  'full([2], "a")': [
    () => torch.full([2], "a" as Loose),
    /^full: argument 'fill_value' must be a number or a boolean, got the string "a"$/,
  ],
  "fill_(undefined)": [
    (t) => t.fill_(undefined as Loose),
    /^fill_: argument 'value' must be a number or a boolean, got undefined$/,
  ],
  "torch.add(undefined, 1)": [
    () => torch.add(undefined as Loose, 1),
    /^add: argument 'input' must be a Tensor, got undefined$/,
  ],
  // item 8: values an integer dtype cannot hold ("value cannot be converted to type int32 without overflow")
  "tensor([3e9], int32)": [
    () => torch.tensor([3e9], { dtype: "int32" }),
    /^tensor: value 3000000000 cannot be converted to type int32 without overflow$/,
  ],
  "tensor([NaN], int32)": [
    () => torch.tensor([Number.NaN], { dtype: "int32" }),
    /^tensor: value NaN cannot be converted to type int32 without overflow$/,
  ],
  "tensor([2147483647.5], int32)": [
    () => torch.tensor([2147483647.5], { dtype: "int32" }),
    /^tensor: value 2147483647.5 cannot be converted/,
  ],
  "tensor([-Infinity], int64)": [
    () => torch.tensor([Number.NEGATIVE_INFINITY], { dtype: "int64" }),
    /^tensor: value -Infinity cannot be converted to type int64 without overflow$/,
  ],
  "full int32 3e9": [
    () => torch.full([2], 3e9, { dtype: "int32" }),
    /^full: value 3000000000 cannot be converted to type int32/,
  ],
  "full int64 2^53": [
    () => torch.full([2], 2 ** 53, { dtype: "int64" }),
    /^full: 9007199254740992 does not fit in int64 exactly/,
  ],
  "full float32 1e39": [
    () => torch.full([1], 1e39),
    /^full: value 1e\+39 cannot be converted to type float32 without overflow$/,
  ],
  "int32 fill_(NaN)": [() => i32().fill_(Number.NaN), /^fill_: value NaN cannot be converted to type int32/],
  "int32 maskedFill(3e9)": [
    () => i32().maskedFill(torch.tensor([true, false]), 3e9),
    /^maskedFill: value 3000000000 cannot be converted to type int32/,
  ],
  "int32 indexPut_(3e9)": [
    () => i32().indexPut_([0], 3e9),
    /^indexPut_: value 3000000000 cannot be converted to type int32/,
  ],
  "int32 scatter(3e9)": [
    () => i32().scatter(0, torch.tensor([0], { dtype: "int64" }), 3e9),
    /^scatter: value 3000000000 cannot be converted to type int32/,
  ],
  "linspace int32 to 3e9": [
    () => torch.linspace(0, 3e9, 3, { dtype: "int32" }),
    /^linspace: value 3000000000 cannot be converted to type int32/,
  ],
  // item 11: internal errors that leaked as TypeError/RangeError
  'zeros dtype "float16"': [
    () => torch.zeros([2], { dtype: "float16" as Loose }),
    /^zeros: unknown dtype "float16" \(torchlet's dtypes: float32, float64, int32, int64, bool\)$/,
  ],
  'tensor dtype "foo"': [() => torch.tensor([1], { dtype: "foo" as Loose }), /^tensor: unknown dtype "foo"/],
  'to("foo")': [(t) => t.to("foo" as Loose), /^to: unknown dtype "foo"/],
  "zeros([1e6, 1e6])": [
    () => torch.zeros([1e6, 1e6]),
    /^zeros: cannot allocate 1000000000000 float32 elements \(4000000000000 bytes\): a tensor holds at most 4294967295 elements and 8589934592 bytes$/,
  ],
  "arange(1e10)": [() => torch.arange(1e10), /^arange: cannot allocate 10000000000 int64 elements/],
  "expand then add beyond the limit": [
    () => torch.zeros(1).expand(3e5, 3e5).add(1),
    /cannot allocate 90000000000 float32 elements/,
  ],
  "backward(2)": [
    () =>
      leaf()
        .mul(2)
        .backward(2 as Loose),
    /^backward: argument 'gradient' must be a Tensor, got 2$/,
  ],
  "backward([1, 1])": [
    () =>
      leaf()
        .mul(2)
        .backward([1, 1] as Loose),
    /^backward: argument 'gradient' must be a Tensor, got an array \[1,1\]$/,
  ],
  "backward({ retainGraph: true })": [
    () =>
      leaf()
        .sum()
        .backward({ retainGraph: true } as Loose),
    /^backward: argument 'gradient' must be a Tensor, got an object; options go second: backward\(undefined, \{ retainGraph: true \}\)$/,
  ],
  'mean("0")': [
    (t) => t.mean("0" as Loose),
    /^mean: argument 'dim' must be an integer, an array of integers or null, got the string "0"$/,
  ],
  'softmax("0")': [
    (t) => t.softmax("0" as Loose),
    /^softmax: argument 'dim' must be an integer, got the string "0"$/,
  ],
  "add(1n)": [(t) => t.add(1n as Loose), /^add: argument 'other' .* got the bigint 1n$/],
};

describe("hostile arguments of issue 18 (items 7, 8, 11) are TorchletErrors naming op, argument and value", () => {
  it.each(Object.entries(CASES))("%s", (_name, [call, message]) => {
    const t = x();
    let thrown: unknown = null;
    try {
      call(t);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(torch.TorchletError);
    expect((thrown as Error).message).toMatch(message);
    expect(t.tolist()).toEqual([1, 2]);
    expect(t._version.value).toBe(0);
  });
});

describe("what stays allowed", () => {
  it("integer arithmetic with a number wraps as PyTorch's does (no checked conversion there)", () => {
    expect(i32().add(3e9).tolist()).toEqual([-1294967296, -1294967296]);
  });
  it("tensor() rounds a float32 beyond its range to Infinity, as PyTorch's does; bool takes NaN as true", () => {
    expect(torch.tensor([1e39]).tolist()).toEqual([Number.POSITIVE_INFINITY]);
    expect(torch.tensor([Number.NaN], { dtype: "bool" }).tolist()).toEqual([true]);
  });
  it("booleans are numbers where PyTorch takes a Scalar", () => {
    expect(
      x()
        .add(true as Loose)
        .tolist(),
    ).toEqual([2, 3]);
    const index = torch.tensor([1], { dtype: "int64" });
    expect(
      i32()
        .scatter(0, index, true as Loose)
        .tolist(),
    ).toEqual([0, 1]);
    expect(
      i32()
        .maskedFill(torch.tensor([true, false]), true as Loose)
        .tolist(),
    ).toEqual([1, 0]);
    expect(torch.full([1], true as Loose).tolist()).toEqual([true]);
  });
  it("the size limits are exported and documented values", () => {
    expect(torch.MAX_TENSOR_ELEMENTS).toBe(2 ** 32 - 1);
    expect(torch.MAX_TENSOR_BYTES).toBe(2 ** 33);
  });
});

import { TorchletError } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { noGrad, type Tensor, tensor } from "../src/index.js";

// add_/sub_/mul_/div_/fill_/zero_ outside the graph write straight into a contiguous tensor's storage;
// these cases check that this gives what the out-of-place op followed by a copy gives, and that every
// case the direct route declines still takes the general one (with its errors).

const values = (t: Tensor) => Array.from(t.toTypedArray(), Number);
type Op = "add_" | "sub_" | "mul_" | "div_";
const outOfPlace = { add_: "add", sub_: "sub", mul_: "mul", div_: "div" } as const;

function check(make: () => Tensor, op: Op, other: () => Tensor | number): void {
  const x = make();
  const want = (x[outOfPlace[op]] as (o: Tensor | number) => Tensor).call(x, other());
  const before = x._version.value;
  const y = make();
  const got = noGrad(() => (y[op] as (o: Tensor | number) => Tensor).call(y, other()));
  expect(got).toBe(y);
  expect(y._version.value).toBe(before + 1);
  expect(y.dtype).toBe(want.dtype);
  expect(values(y)).toEqual(values(want));
}

describe("in-place ops outside the graph", () => {
  const f32 = () =>
    tensor([
      [1.5, -2, 3e38],
      [Number.NaN, Number.POSITIVE_INFINITY, -0],
    ]);
  const i32 = () =>
    tensor(
      [
        [2147483647, -2147483648, 7],
        [0, -1, 5],
      ],
      { dtype: "int32" },
    );
  const bool = () =>
    tensor([
      [true, false, true],
      [false, false, true],
    ]);
  const ops: Op[] = ["add_", "sub_", "mul_", "div_"];

  it("match the out-of-place result for same-shape, broadcast row/column and scalar operands", () => {
    for (const op of ops) {
      check(f32, op, () =>
        tensor([
          [3, 0.5, 3e38],
          [1, Number.NEGATIVE_INFINITY, 0],
        ]),
      );
      check(f32, op, () => tensor([0.25, -1, 2]));
      check(f32, op, () => tensor([[2], [-3]]));
      check(f32, op, () => 1e-4);
      check(f32, op, () => tensor(2.5));
      if (op !== "div_") {
        check(i32, op, () =>
          tensor(
            [
              [1, -1, 2147483647],
              [3, 2, 1],
            ],
            { dtype: "int32" },
          ),
        );
        check(i32, op, () => 3);
      }
    }
    check(bool, "add_", () =>
      tensor([
        [true, true, false],
        [false, true, true],
      ]),
    );
    check(bool, "mul_", () => tensor([true, false, true]));
  });

  it("read before writing when the operand is the tensor itself", () => {
    const x = tensor([1, 2, 3]);
    noGrad(() => x.add_(x));
    expect(values(x)).toEqual([2, 4, 6]);
    const m = tensor([
      [1, 2],
      [3, 4],
    ]);
    noGrad(() => m.add_(m.t()));
    expect(values(m)).toEqual([2, 5, 5, 8]);
  });

  it("between neighbours in one slab write only their own tensor", () => {
    // 100 floats: allocated side by side in one shared buffer (storage's slab.ts)
    const a = tensor(Array.from({ length: 100 }, (_, i) => i)).mul(1);
    const b = tensor(Array.from({ length: 100 }, () => 1)).mul(1);
    expect(a._array.data.buffer).toBe(b._array.data.buffer);
    noGrad(() => a.add_(b));
    expect(values(a)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(values(b)).toEqual(Array.from({ length: 100 }, () => 1));
  });

  it("toTypedArray hands out an array that owns its whole buffer", () => {
    const a = tensor(Array.from({ length: 100 }, (_, i) => i)).mul(2);
    const out = a.toTypedArray();
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.byteLength);
    structuredClone(out.buffer, { transfer: [out.buffer] }); // detaches only the copy
    expect(values(a)[99]).toBe(198);
  });

  it("write through views into the shared storage, contiguous or not", () => {
    const base = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    noGrad(() => base.view(3, 2).mul_(10));
    expect(values(base)).toEqual([10, 20, 30, 40, 50, 60]);
    noGrad(() => base.t().sub_(tensor([1, 2])));
    expect(values(base)).toEqual([9, 19, 29, 38, 48, 58]);
    noGrad(() => base.t().fill_(0));
    expect(values(base)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("still raise the general route's errors", () => {
    expect(() => noGrad(() => i32().div_(2))).toThrow(TorchletError);
    expect(() => noGrad(() => i32().add_(0.5))).toThrow(TorchletError);
    expect(() => noGrad(() => bool().sub_(bool()))).toThrow(TorchletError);
    expect(() =>
      noGrad(() =>
        tensor([1, 2]).add_(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        ),
      ),
    ).toThrow(TorchletError);
    expect(() => noGrad(() => tensor([1, 2]).add_(tensor([1, 2, 3])))).toThrow(TorchletError);
    expect(() => noGrad(() => tensor([1]).expand(3).add_(1))).toThrow(TorchletError);
  });

  it("fill_ and zero_ cast the value as storing it does", () => {
    const x = tensor([1, 2, 3], { dtype: "int32" });
    noGrad(() => x.fill_(2.7));
    expect(values(x)).toEqual([2, 2, 2]);
    const y = tensor([1.5, 2.5]);
    noGrad(() => y.fill_(1 / 3));
    expect(values(y)).toEqual([Math.fround(1 / 3), Math.fround(1 / 3)]);
    noGrad(() => y.zero_());
    expect(values(y)).toEqual([0, 0]);
  });
});

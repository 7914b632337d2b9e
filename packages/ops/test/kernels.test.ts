import { StridedArray, TorchletError } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { backend, reductionDims, referenceBackend, setBackend } from "../src/index.js";

const arr = (values: number[], shape: number[]) => StridedArray.fromFlat(Float64Array.from(values), shape);

describe("elementwise kernels", () => {
  it("lay the output out like a transposed input (PyTorch's TensorIterator order)", () => {
    const a = arr([1, 2, 3, 4, 5, 6], [2, 3]).transpose(0, 1);
    const out = backend().unary("neg", a);
    expect(out.strides).toEqual([1, 3]);
    expect(out.toNested()).toEqual([
      [-1, -4],
      [-2, -5],
      [-3, -6],
    ]);
    const sum = backend().binary("add", a, arr([10, 20], [2]), "float64");
    expect(sum.strides).toEqual([1, 3]);
    expect(sum.toNested()).toEqual([
      [11, 24],
      [12, 25],
      [13, 26],
    ]);
  });

  it("give contiguous outputs for contiguous and broadcast inputs", () => {
    const out = backend().binary("mul", arr([1, 2, 3], [3, 1]), arr([1, 10], [1, 2]), "float64");
    expect(out.isContiguous()).toBe(true);
    expect(out.toNested()).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
  });

  it("give row-major outputs for operands expanded from one element (a mean's gradient)", () => {
    const g = arr([6], []).expand([2, 3]);
    const n = arr([3], []);
    for (const [x, y] of [
      [g, n],
      [n, g],
      [g, arr([2], [1, 1]).expand([1, 3])],
    ] as const) {
      const out = backend().binary("div", x, y, "float64");
      expect(out.strides).toEqual([3, 1]);
      const want = backend().binary("div", x.copy(), y.copy(), "float64");
      expect(out.toNested()).toEqual(want.toNested());
    }
    expect(backend().binary("div", g, n, "float64").toNested()).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
  });

  it("keep bool results 0 or 1 (true + true is true)", () => {
    const t = StridedArray.fromFlat(Uint8Array.from([1, 1, 0]), [3], "bool");
    expect(Array.from(backend().binary("add", t, t, "bool").data)).toEqual([1, 1, 0]);
  });

  it("name the op and both shapes when broadcasting fails", () => {
    expect(() => backend().binary("add", arr([1, 2], [2]), arr([1, 2, 3], [3]), "float64")).toThrow(
      new TorchletError("add: shapes [2] and [3] cannot be broadcast"),
    );
  });

  it("select with where across three broadcast operands", () => {
    const cond = StridedArray.fromFlat(Uint8Array.from([1, 0]), [2], "bool");
    const out = backend().where(cond, arr([1, 2, 3, 4], [2, 2]), arr([0], [1]), "float64");
    expect(out.toNested()).toEqual([
      [1, 0],
      [3, 0],
    ]);
  });
});

describe("reductions", () => {
  it("normalise, sort and validate dims; an empty list means every dim; a 0-d tensor reduces nothing", () => {
    expect(reductionDims("sum", [-1, 0], 3)).toEqual([0, 2]);
    expect(reductionDims("sum", [], 2)).toEqual([0, 1]);
    expect(reductionDims("sum", 0, 0)).toEqual([]);
    expect(() => reductionDims("sum", [1, -1], 2)).toThrow(/sum: dim \[1,-1\] appears multiple times/);
    expect(() => reductionDims("mean", 2, 2)).toThrow(/mean: dimension 2 out of range/);
  });

  it("sum, mean, max and min over strided inputs, with keepdim", () => {
    const a = arr([1, 2, 3, 4, 5, 6], [2, 3]).transpose(0, 1); // [[1,4],[2,5],[3,6]]
    expect(backend().reduce("sum", a, [1], false).toNested()).toEqual([5, 7, 9]);
    expect(backend().reduce("mean", a, [0], true).toNested()).toEqual([[2, 5]]);
    expect(backend().reduce("max", a, [0, 1], false).toNested()).toBe(6);
    expect(backend().reduce("min", a, [0, 1], false).toNested()).toBe(1);
  });

  it("propagate NaN through max and give NaN for the mean of nothing", () => {
    expect(
      backend()
        .reduce("max", arr([1, Number.NaN, 3], [3]), [0], false)
        .toNested(),
    ).toBeNaN();
    expect(
      backend()
        .reduce("mean", arr([], [0, 2]), [0], false)
        .toNested(),
    ).toEqual([Number.NaN, Number.NaN]);
  });
});

describe("matmul kernels", () => {
  it("multiply strided and broadcast batches", () => {
    const a = arr([1, 2, 3, 4], [2, 2]).transpose(0, 1).unsqueeze(0).expand([2, 2, 2]);
    const b = arr([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    expect(backend().bmm(a, b, "float64").toNested()).toEqual([
      [
        [1, 3],
        [2, 4],
      ],
      [
        [2, 6],
        [4, 8],
      ],
    ]);
  });

  it("reject mismatched inner sizes naming the op and shapes", () => {
    expect(() => backend().mm(arr([1, 2], [1, 2]), arr([1, 2], [1, 2]), "float64")).toThrow(
      "mm: cannot multiply shapes [1,2] and [1,2]",
    );
  });
});

describe("the backend seam", () => {
  it("routes every kernel call through the installed backend", () => {
    let calls = 0;
    const counting = {
      ...referenceBackend,
      name: "counting",
      unary: (...args: Parameters<typeof referenceBackend.unary>) => {
        calls++;
        return referenceBackend.unary(...args);
      },
    };
    const previous = setBackend(counting);
    try {
      backend().unary("exp", arr([0], [1]));
      expect(calls).toBe(1);
    } finally {
      setBackend(previous);
    }
    expect(backend()).toBe(previous);
  });
});

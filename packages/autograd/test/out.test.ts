import { fastBackend, referenceBackend, setBackend } from "@torchlet/ops";
import { collectAllocations } from "@torchlet/storage/internal";
import { afterEach, describe, expect, it } from "vitest";
import { add, noGrad, type Tensor, tensor, zeros } from "../src/index.js";

// out= beyond the PyTorch fixtures (packages/torchlet/test/out.test.ts): that the streaming ops write
// straight into out's storage, that the version counter guards saved tensors, and the cases where
// torchlet deliberately differs from PyTorch 1.13.

const values = (t: Tensor) => Array.from(t.toTypedArray(), Number);

describe.each([
  ["fast", fastBackend],
  ["reference", referenceBackend],
] as const)("out= on the %s backend", (_name, backend) => {
  const previous = setBackend(backend);
  afterEach(() => void setBackend(previous));

  const n = 100_000;
  /** n values in [-2, 2], some negative (relu), none large (exp). */
  const wave = (phase: number) => tensor(Array.from({ length: n }, (_, i) => 2 * Math.sin(i + phase)));
  const cases: [string, (a: Tensor, b: Tensor, out: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ["add", (a, b, out) => a.add(b, { out }), (x, y) => x + y],
    ["mul by a number", (a, _b, out) => a.mul(3, { out }), (x) => x * 3],
    ["relu", (a, _b, out) => a.relu({ out }), (x) => Math.max(x, 0)],
    ["exp", (a, _b, out) => a.exp({ out }), (x) => Math.exp(x)],
    ["add into its own input", (a, b) => a.add(b, { out: a }), (x, y) => x + y],
  ];
  it.each(cases)("%s writes into out's storage without allocating", (_op, run, f) => {
    setBackend(backend);
    const a = wave(0);
    const b = wave(1);
    const [x, y] = [values(a), values(b)];
    const out = zeros(n);
    let written: Tensor = out;
    const created = collectAllocations((fresh) => {
      written = run(a, b, out);
      return fresh.size;
    });
    expect(created).toBe(0);
    expect(written === out || written === a).toBe(true);
    const got = values(written);
    for (const i of [0, 1, n - 1])
      expect(got[i]).toBeCloseTo(Math.fround(f(x[i] as number, y[i] as number)), 5);
  });

  it("writes a comparison into a bool out without allocating", () => {
    setBackend(backend);
    const a = wave(0);
    const out = zeros([n], { dtype: "bool" });
    const created = collectAllocations((fresh) => {
      a.gt(0, { out });
      return fresh.size;
    });
    expect(created).toBe(0);
    expect(values(out)).toEqual(values(a).map((v) => (v > 0 ? 1 : 0)));
  });
});

describe("out= and autograd", () => {
  it("bumps the version counter, so a backward through an overwritten saved tensor fails", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.exp(); // ExpBackward0 saves its result
    noGrad(() => add(tensor([0, 0, 0]), 1, { out: y }));
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it("leaves out's place in the graph alone under noGrad, as PyTorch does", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    noGrad(() => tensor([5, 6]).neg({ out: y }));
    expect(y.gradFn?.name).toBe("MulBackward0");
    expect(values(y)).toEqual([-5, -6]);
  });
});

describe("out= where torchlet differs from PyTorch 1.13", () => {
  it("resizes an empty out, and refuses a non-empty out of another shape (PyTorch resizes it with a warning)", () => {
    const out = zeros(0);
    const a = tensor([[1, 2, 3]]);
    expect(a.add(1, { out })).toBe(out);
    expect(out.shape).toEqual([1, 3]);
    expect(values(out)).toEqual([2, 3, 4]);
    expect(() => a.add(1, { out: zeros(2) })).toThrow(
      /add: out has shape \[2\], but the result has shape \[1,3\]/,
    );
  });

  it("computes mm into one of its inputs correctly (PyTorch 1.13 clears out first and writes zeros)", () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [0, 1],
      [1, 0],
    ]);
    expect(a.mm(b, { out: a }).tolist()).toEqual([
      [2, 1],
      [4, 3],
    ]);
  });
});

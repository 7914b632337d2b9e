import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// Finite-difference gradient checks in float64 (PyTorch's gradcheck and gradgradcheck): the engine's
// gradients, for a random upstream gradient, against central differences of the forward pass.

type Fn = (...xs: torch.Tensor[]) => torch.Tensor;

/** An index tensor (PyTorch's int64). */
const long = (data: number[] | number[][]) => torch.tensor(data, { dtype: "int64" });

/** A small deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Values in ±[0.2, 1.7], away from the kinks of relu/abs and the poles of div/log; or, given a
 * record's domain, uniform in it but at least 0.1 from 0 (a kink of relu, abs and sign).
 */
function input(
  shape: number[],
  rand: () => number,
  positive = false,
  domain?: readonly [number, number],
): torch.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => {
    if (domain) {
      const [lo, hi] = domain;
      let v = 0;
      do v = lo + (hi - lo) * rand();
      while (Math.abs(v) < 0.1);
      return v;
    }
    const m = 0.2 + 1.5 * rand();
    return positive || rand() < 0.5 ? m : -m;
  });
  return torch.tensor(data).reshape(shape).requiresGrad_();
}

/** sum(f(xs) * v): a scalar whose gradient is the vector-Jacobian product with the upstream v. */
function project(f: Fn, xs: torch.Tensor[], v: torch.Tensor): torch.Tensor {
  return f(...xs)
    .mul(v)
    .sum();
}

/** Central differences of `scalar` with respect to every element of every input. */
function numericGrads(scalar: () => number, xs: torch.Tensor[], eps = 1e-6): number[][] {
  return xs.map((x) => {
    const data = x._array.data;
    return Array.from({ length: x.numel() }, (_, i) => {
      const saved = data[i] as number;
      data[i] = saved + eps;
      const up = scalar();
      data[i] = saved - eps;
      const down = scalar();
      data[i] = saved;
      return (up - down) / (2 * eps);
    });
  });
}

function expectGradsClose(analytic: (torch.Tensor | null)[], numeric: number[][], what: string): void {
  numeric.forEach((want, k) => {
    const got = Array.from(analytic[k]?.toTypedArray() ?? [], Number);
    expect(got.length, `${what}: input ${k}`).toBe(want.length);
    got.forEach((g, i) => {
      const w = want[i] as number;
      if (Math.abs(g - w) > 1e-5 + 1e-4 * Math.abs(w)) {
        expect.fail(`${what}: input ${k} element ${i}: analytic ${g}, numeric ${w}`);
      }
    });
  });
}

/** Every grad_fn name a gradcheck's graphs reached, to check that every derivative row was run. */
const reached = new Set<string>();
function collectNames(fn: torch.GradFn | null, seen = new Set<torch.GradFn>()): void {
  if (fn === null || seen.has(fn)) return;
  seen.add(fn);
  reached.add(fn.name);
  for (const [next] of fn.nextFunctions) collectNames(next, seen);
}

function gradcheck(
  f: Fn,
  shapes: number[][],
  positive = false,
  seed = 1,
  domain?: readonly [number, number],
): void {
  const rand = lcg(seed);
  const xs = shapes.map((s) => input(s, rand, positive, domain));
  collectNames(f(...xs).gradFn);
  const outShape = f(...xs).shape as number[];
  const v = input(outShape, rand).detach();
  const analytic = torch.autograd.grad(project(f, xs, v), xs);
  const numeric = numericGrads(() => torch.noGrad(() => Number(project(f, xs, v).item())), xs);
  expectGradsClose(analytic, numeric, "first order");
  // Second order: differentiate <grad, w> built with createGraph, against differences of the gradient.
  const w = xs.map((x) => input(x.shape as number[], rand).detach());
  const gradDotW = () =>
    torch.autograd
      .grad(project(f, xs, v), xs, { createGraph: true })
      .reduce<torch.Tensor>(
        (acc, g, k) => acc.add((g as torch.Tensor).mul(w[k] as torch.Tensor).sum()),
        torch.zeros([], { dtype: "float64" }),
      );
  // A gradient that does not depend on the inputs (linear ops) has a zero second derivative.
  const s = gradDotW();
  const second = s.requiresGrad ? torch.autograd.grad(s, xs, { allowUnused: true }) : xs.map(() => null);
  const numeric2 = numericGrads(() => Number(gradDotW().item()), xs);
  const filled = second.map((g, k) => g ?? torch.zerosLike(xs[k] as torch.Tensor));
  expectGradsClose(filled, numeric2, "second order");
}

const CASES: [string, Fn, number[][], boolean?][] = [
  ["add broadcast", (a, b) => a.add(b), [[2, 3], [3]]],
  ["sub rank difference", (a, b) => a.sub(b), [[3], [2, 1, 3]]],
  [
    "mul col x row",
    (a, b) => a.mul(b),
    [
      [3, 1],
      [1, 4],
    ],
  ],
  [
    "div",
    (a, b) => a.div(b),
    [
      [2, 3],
      [2, 3],
    ],
  ],
  ["div by number", (a) => a.div(1.5), [[4]]],
  ["pow tensor exponent", (a, b) => a.pow(b), [[2, 3], [3]], true],
  ["pow number exponent", (a) => a.pow(3), [[5]]],
  ["remainder by number", (a) => a.remainder(0.7), [[5]]],
  ["clamp", (a) => a.clamp(-0.5, 0.5), [[5]]],
  ["clamp min only", (a) => a.clamp(0.3, null), [[5]]],
  ["pow fractional exponent", (a) => a.pow(2.5), [[5]], true],
  [
    "mm",
    (a, b) => a.mm(b),
    [
      [2, 3],
      [3, 4],
    ],
  ],
  [
    "bmm",
    (a, b) => a.bmm(b),
    [
      [2, 2, 3],
      [2, 3, 2],
    ],
  ],
  ["dot", (a, b) => a.dot(b), [[4], [4]]],
  ["mv", (a, b) => a.mv(b), [[3, 4], [4]]],
  ["matmul 1-D x 2-D", (a, b) => a.matmul(b), [[3], [3, 2]]],
  [
    "matmul batched broadcast",
    (a, b) => a.matmul(b),
    [
      [2, 1, 2, 3],
      [3, 3, 2],
    ],
  ],
  [
    "matmul 2-D x 3-D",
    (a, b) => a.matmul(b),
    [
      [2, 3],
      [2, 3, 2],
    ],
  ],
  ["matmul 3-D x 1-D", (a, b) => a.matmul(b), [[2, 2, 3], [3]]],
  ["sum all", (a) => a.sum(), [[2, 3]]],
  ["sum dims keepdim", (a) => a.sum([0, -1], true), [[2, 3, 2]]],
  ["mean dim", (a) => a.mean(1), [[2, 3]]],
  ["mean all", (a) => a.mean(), [[2, 3]]],
  ["max", (a) => a.max(), [[2, 3]]],
  ["min", (a) => a.min(), [[2, 3]]],
  ["reshape of transposed", (a) => a.t().reshape(6), [[2, 3]]],
  ["view", (a) => a.view(3, 2), [[2, 3]]],
  ["unsqueeze/squeeze", (a) => a.unsqueeze(1).squeeze(), [[2, 3]]],
  ["transpose", (a) => a.transpose(0, 2), [[2, 3, 2]]],
  ["permute", (a) => a.permute(2, 0, 1), [[2, 3, 2]]],
  ["expand", (a) => a.expand(2, 3, 4), [[3, 1]]],
  ["flatten of permuted", (a) => a.permute(1, 0).flatten(), [[2, 3]]],
  ["contiguous/clone", (a) => a.t().contiguous().clone(), [[2, 3]]],
  ["where", (a, b) => torch.where(a.gt(0), a, b), [[2, 3], [3]]],
  [
    "two-layer net loss",
    (x, w1, w2) => x.mm(w1).relu().mm(w2).sub(1).pow(2).mean(),
    [
      [4, 3],
      [3, 5],
      [5, 1],
    ],
  ],
  ["log-softmax", (x) => x.sub(x.exp().sum(1, true).log()), [[2, 4]]],
  ["sigmoid of a Gram matrix", (x) => x.t().matmul(x).sigmoid().sum(0), [[3, 2]]],
  [
    "in-place on non-leaves",
    (x) => {
      const y = x.mul(1);
      y.mul_(x).add_(x.exp());
      return y.div_(2);
    },
    [[3]],
  ],
  [
    "tanh of a broadcast product",
    (a, b) => a.mul(b).tanh().mean([0]),
    [
      [2, 1, 3],
      [4, 1],
    ],
  ],
  // softmax family, reductions by dim
  ["softmax", (a) => a.softmax(1), [[2, 4]]],
  ["logSoftmax", (a) => a.logSoftmax(0), [[3, 2]]],
  ["logsumexp dims", (a) => a.logsumexp([0, 2]), [[2, 3, 2]]],
  ["logsumexp keepdim", (a) => a.logsumexp(1, true), [[2, 3]]],
  ["max(dim)", (a) => a.max(1).values, [[3, 4]]],
  ["min(dim, keepdim)", (a) => a.min(0, true).values, [[3, 4]]],
  ["amax", (a) => a.amax([0, 2]), [[2, 3, 2]]],
  ["amin", (a) => a.amin(1, true), [[3, 4]]],
  ["prod all", (a) => a.prod(), [[2, 3]]],
  ["prod dim", (a) => a.prod(1, true), [[2, 3]]],
  ["var", (a) => a.var(1), [[2, 4]]],
  ["var correction 0, dims", (a) => a.var([0, 1], { correction: 0, keepdim: true }), [[2, 3]]],
  ["std", (a) => a.std(0), [[3, 2]]],
  ["norm 2", (a) => a.norm(), [[2, 3]]],
  ["norm 3 dim", (a) => a.norm(3, 1), [[2, 3]]],
  ["norm 1 dim", (a) => a.norm(1, 0, true), [[2, 3]]],
  ["norm inf", (a) => a.norm(Number.POSITIVE_INFINITY, 1), [[2, 3]]],
  ["cumsum", (a) => a.cumsum(1), [[2, 4]]],
  // indexing
  [
    "gather",
    (a) =>
      a.gather(
        1,
        long([
          [2, 0, 0],
          [1, 1, 2],
        ]),
      ),
    [[2, 3]],
  ],
  ["indexSelect", (a) => a.indexSelect(0, long([2, 0, 2])), [[3, 2]]],
  [
    "scatter",
    (a, b) => a.scatter(0, long([[1, 0, 2]]), b),
    [
      [3, 3],
      [1, 3],
    ],
  ],
  ["scatter a number", (a) => a.scatter(1, long([[1], [0]]), 2), [[2, 3]]],
  [
    "scatterAdd with repeats",
    (a, b) =>
      a.scatterAdd(
        0,
        long([
          [1, 0],
          [1, 1],
        ]),
        b,
      ),
    [
      [2, 2],
      [2, 2],
    ],
  ],
  ["maskedFill", (a) => a.maskedFill(torch.tensor([true, false, true]), 0.5), [[2, 3]]],
  ["maskedFill with a tensor", (a, v) => a.maskedFill(torch.tensor([false, true]), v), [[3, 2], []]],
  [
    "maskedSelect",
    (a) =>
      a.maskedSelect(
        torch.tensor([
          [true, false],
          [true, true],
        ]),
      ),
    [[2, 2]],
  ],
  [
    "maskedSelect transposed",
    (a) =>
      a.t().maskedSelect(
        torch.tensor([
          [true, false, true],
          [false, true, true],
        ]),
      ),
    [[3, 2]],
  ],
  ["maskedScatter", (a, b) => a.maskedScatter(torch.tensor([false, true, true]), b), [[2, 3], [5]]],
  ["select", (a) => a.select(1, -1), [[2, 3]]],
  ["narrow", (a) => a.narrow(0, 1, 2), [[4, 2]]],
  ["index: a strided slice and a number", (a) => a.index([torch.Slice(null, null, 2), 1]), [[4, 3]]],
  ["index: an int64 tensor", (a) => a.index([torch.Slice(), long([2, 0, 2])]), [[2, 3]]],
  [
    "index: a bool mask",
    (a) =>
      a.index([
        torch.tensor([
          [true, false],
          [true, true],
        ]),
      ]),
    [[2, 2]],
  ],
  [
    "indexPut_",
    (a, v) => a.mul(1).indexPut_([long([1, 0])], v),
    [
      [3, 2],
      [2, 2],
    ],
  ],
  ["indexPut_ accumulating repeats", (a, v) => a.mul(1).indexPut_([long([1, 1])], v, true), [[3], [2]]],
  // joining
  [
    "cat",
    (a, b) => torch.cat([a, b], 1),
    [
      [2, 1],
      [2, 3],
    ],
  ],
  [
    "stack",
    (a, b) => torch.stack([a, b], 1),
    [
      [2, 3],
      [2, 3],
    ],
  ],
  ["split", (a) => a.split(2)[1] as torch.Tensor, [[5, 2]]],
  ["split with sizes", (a) => a.split([1, 2], 1)[1] as torch.Tensor, [[2, 3]]],
  ["chunk", (a) => (a.chunk(2)[0] as torch.Tensor).mul(a.chunk(2)[1] as torch.Tensor), [[4, 2]]],
  ["unbind", (a) => (a.unbind(1)[0] as torch.Tensor).mul(a.unbind(1)[2] as torch.Tensor), [[2, 3]]],
  // convolution and pooling
  ["conv2d", (x, w, b) => torch.conv2d(x, w, b), [[2, 2, 4, 4], [3, 2, 2, 2], [3]]],
  [
    "conv2d strided, padded, dilated, grouped",
    (x, w) => torch.conv2d(x, w, null, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
    [
      [1, 4, 5, 4],
      [2, 2, 3, 2],
    ],
  ],
  [
    "conv2d unbatched, padding same",
    (x, w) => torch.conv2d(x, w, null, { padding: "same" }),
    [
      [1, 3, 4],
      [2, 1, 2, 3],
    ],
  ],
  // conv2d's input gradient as a function of the weight (Col2ImBackward0), its weight gradient as
  // one of the input (Im2ColBackward0): the double backward, checked to the third order (grad mode on
  // inside, as the finite differences run under noGrad)
  [
    "conv2d input gradient",
    (x, w) =>
      torch.enableGrad(() => {
        const [gx] = torch.autograd.grad(torch.conv2d(x, w, null, { padding: 1 }).square().sum(), [x], {
          createGraph: true,
        });
        return gx as torch.Tensor;
      }),
    [
      [1, 2, 3, 3],
      [2, 2, 2, 2],
    ],
  ],
  [
    "conv2d weight gradient",
    (x, w) =>
      torch.enableGrad(() => {
        const [gw] = torch.autograd.grad(torch.conv2d(x, w, null, { stride: 2 }).square().sum(), [w], {
          createGraph: true,
        });
        return gw as torch.Tensor;
      }),
    [
      [1, 2, 4, 4],
      [2, 2, 2, 2],
    ],
  ],
  ["maxPool2d", (x) => torch.maxPool2d(x, 2), [[1, 2, 4, 4]]],
  [
    "maxPool2d overlapping, padded, dilated, ceil",
    (x) => torch.maxPool2d(x, 3, { stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }),
    [[2, 6, 7]],
  ],
  ["avgPool2d", (x) => torch.avgPool2d(x, 2), [[1, 2, 4, 4]]],
  [
    "avgPool2d overlapping, padded, ceil, padding excluded",
    (x) => torch.avgPool2d(x, [3, 2], { stride: [2, 1], padding: 1, ceilMode: true, countIncludePad: false }),
    [[2, 6, 5]],
  ],
  [
    "batchNorm training",
    (x, w, b) => torch.batchNorm(x, null, null, w, b, { training: true }),
    [[3, 2, 2, 2], [2], [2]],
  ],
  [
    "batchNorm training without weight, [N, C]",
    (x) => torch.batchNorm(x, null, null, null, null, { training: true }),
    [[4, 3]],
  ],
  [
    "batchNorm evaluation",
    (x, w, b) =>
      torch.batchNorm(
        x,
        torch.tensor([0.5, -0.2], { dtype: "float64" }),
        torch.tensor([1.5, 0.7], { dtype: "float64" }),
        w,
        b,
      ),
    [[3, 2, 3], [2], [2]],
  ],
];

/** Every differentiable op of the registry, on inputs from its domain (binary ones broadcast a row). */
const REGISTERED = (Object.keys(torch.ELEMENTWISE) as torch.ElementwiseOp[])
  .filter((op) => torch.ELEMENTWISE[op].differentiable)
  .map((op) => {
    const record = torch.ELEMENTWISE[op];
    const f: Fn = (a, ...rest) => Reflect.apply(Reflect.get(a as torch.Tensor, op), a, rest);
    return [op, f, record.arity === 1 ? [[2, 3]] : [[2, 3], [3]], record.domain] as const;
  });

describe("finite-difference gradient check (float64, first and second order)", () => {
  it.each(REGISTERED)("%s (from the op registry)", (_name, f, shapes, domain) => {
    gradcheck(f, shapes, false, 1, domain);
  });
  it.each(CASES)("%s", (_name, f, shapes, positive) => {
    gradcheck(f, shapes, positive ?? false);
  });
  it("ran every row of the derivative table with a fixed grad_fn name", () => {
    // float32 rounding swamps float64 finite differences; parity.json checks this gradient against PyTorch
    const exempt = ["ToCopyBackward0"];
    const names = Object.values(torch.derivatives)
      .map((row) => row.name)
      .filter((name): name is string => typeof name === "string" && !exempt.includes(name));
    expect(names.filter((name) => !reached.has(name))).toEqual([]);
  });
});

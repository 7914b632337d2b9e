import { afterAll, describe, expect, it, vi } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

// The reductions, index reductions and line ops with WGSL kernels, on webgpu against the CPU on the same
// values. The GPU adds in float32 (in another order) where the CPU adds in double and rounds once, so
// values agree within RTOL relative plus ATOL absolute (README "Tolerances"); max, min and the indices
// agree exactly. None of these ops may run through the CPU: every fallback warning of the file is kept
// and checked at the end.
const RTOL = 1e-5;
const ATOL = 1e-6;
const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

const warnings: string[] = [];
const warn = vi.spyOn(console, "warn").mockImplementation((message: unknown) => {
  warnings.push(String(message));
});

/** The fallbacks these kernels replace: a warning `torchlet webgpu: <op> (<kernel>)` naming one fails. */
const OWN_KERNELS = ["argReduce", "extremumDim", "alongDim", "softmaxBackward"];
const OWN_OPS = ["max", "min", "amax", "amin", "prod", "logsumexp", "softmax", "logSoftmax", "cumsum"];

const gpu = (t: torch.Tensor) => t.to("webgpu");

async function expectLike(got: torch.Tensor, want: torch.Tensor, rtol = RTOL): Promise<void> {
  expect(got.device).toBe("webgpu");
  const back = await got.cpuAsync();
  expect(back.shape).toEqual(want.shape);
  expect(back.dtype).toBe(want.dtype);
  const g = Array.from(back.toTypedArray(), Number);
  const w = Array.from(want.toTypedArray(), Number);
  w.forEach((v, i) => {
    const at = g[i] as number;
    if (Number.isNaN(v)) expect(at, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(v)) expect(at, `element ${i}`).toBe(v);
    else
      expect(Math.abs(at - v), `element ${i}: ${at} vs ${v}`).toBeLessThanOrEqual(ATOL + rtol * Math.abs(v));
  });
}

/** The op on the CPU tensor and on its webgpu copy (a view made the same way on each). */
async function same(
  x: torch.Tensor,
  op: (t: torch.Tensor) => torch.Tensor | { values: torch.Tensor; indices: torch.Tensor },
  rtol = RTOL,
): Promise<void> {
  const want = op(x);
  const got = op(gpu(x));
  if (want instanceof torch.Tensor) return expectLike(got as torch.Tensor, want, rtol);
  const pair = got as { values: torch.Tensor; indices: torch.Tensor };
  await expectLike(pair.values, want.values, rtol);
  await expectLike(pair.indices, want.indices, rtol);
}

/** The same TorchletError (message included) on webgpu as on the CPU. */
function sameError(x: torch.Tensor, op: (t: torch.Tensor) => unknown): void {
  let message = "";
  try {
    op(x);
  } catch (error) {
    expect(error).toBeInstanceOf(torch.TorchletError);
    message = (error as Error).message;
  }
  expect(message, "the CPU raises").not.toBe("");
  const onGpu = gpu(x);
  expect(() => op(onGpu)).toThrow(torch.TorchletError);
  expect(() => op(onGpu)).toThrow(message);
}

// SwiftShader runs a test here in 1 to 4 s; a machine under load may take several times that.
describe.skipIf(!available)(`reductions and line ops on webgpu${skipNote}`, { timeout: 60_000 }, () => {
  torch.manualSeed(7);
  const x = torch.randn([3, 70, 5]);
  // strided inputs: a transposed view, and a narrowed one with an offset
  const views: [string, (t: torch.Tensor) => torch.Tensor][] = [
    ["contiguous", (t) => t],
    ["transposed", (t) => t.transpose(0, 2)],
    ["narrowed", (t) => t.narrow(1, 3, 60)],
  ];
  // many ties: small integers
  const ties = torch.randn([6, 9]).mul(1.5).round();
  const withNan = torch.tensor([
    [1, NAN, 3, NAN],
    [2, 5, 5, -1],
    [-INF, -INF, -INF, -INF],
    [0, INF, 1, -INF],
  ]);
  const scalar = torch.tensor(2.5);

  afterAll(() => {
    warn.mockRestore();
  });

  for (const [what, view] of views) {
    it(`max, min, argmax, argmin of the whole tensor and by dim (${what})`, async () => {
      for (const op of ["max", "min"] as const) {
        await same(x, (t) => view(t)[op]());
        for (const dim of [0, 1, 2, -1]) {
          for (const keepdim of [false, true]) await same(x, (t) => view(t)[op](dim, keepdim));
        }
      }
      for (const op of ["argmax", "argmin"] as const) {
        await same(x, (t) => view(t)[op]());
        await same(x, (t) => view(t)[op](null, true));
        for (const dim of [0, 1, -1]) await same(x, (t) => view(t)[op](dim, dim === 1));
      }
    });

    it(`amax, amin, prod, logsumexp over dims (${what})`, async () => {
      for (const op of ["amax", "amin"] as const) {
        await same(x, (t) => view(t)[op]());
        await same(x, (t) => view(t)[op]([0, 2], true));
        await same(x, (t) => view(t)[op](-2));
      }
      // products of 70 factors near 1 in float32
      const near1 = (t: torch.Tensor) => view(t).mul(0.05).add(1);
      await same(x, (t) => near1(t).prod(), 1e-4);
      await same(x, (t) => near1(t).prod(1, true), 1e-4);
      await same(x, (t) => view(t).prod(-1));
      await same(x, (t) => view(t).mul(30).logsumexp([0, 1]));
      await same(x, (t) => view(t).logsumexp(-1, true));
    });

    it(`softmax, logSoftmax, cumsum along every dim, and softmax's backward (${what})`, async () => {
      for (const dim of [0, 1, 2, -1]) {
        // logits of 1e3: a softmax that does not subtract the maximum overflows
        await same(x, (t) => view(t).mul(1e3).softmax(dim));
        await same(x, (t) => view(t).mul(1e3).logSoftmax(dim));
        await same(x, (t) => view(t).cumsum(dim), 1e-4);
      }
      for (const op of ["softmax", "logSoftmax"] as const) {
        const w = torch.randn(view(x).shape);
        const grad = (t: torch.Tensor, ww: torch.Tensor) => {
          const leaf = torch.noGrad(() => view(t).clone()).requiresGrad_(true);
          leaf[op](1).mul(ww).sum().backward();
          return leaf.grad as torch.Tensor;
        };
        await expectLike(grad(gpu(x), gpu(w)), grad(x, w));
      }
    });
  }

  it("ties give the first index, as on the CPU", async () => {
    for (const dim of [0, 1]) {
      await same(ties, (t) => t.max(dim));
      await same(ties, (t) => t.min(dim, true));
      await same(ties, (t) => t.argmax(dim));
      await same(ties, (t) => t.t().argmin(dim));
    }
    await same(ties, (t) => t.argmax());
    await same(ties, (t) => t.argmin());
    await same(torch.ones([5, 3]), (t) => t.argmax());
  });

  it("long lines (a workgroup per line, its threads' results meeting as a tree): values, ties, NaN", async () => {
    const long = torch.randn([2, 600, 3]);
    // small integers in lines of 700: equal maxima fall to different threads
    const longTies = torch.randn([3, 700]).mul(1.5).round();
    const rows = longTies.tolist() as number[][];
    for (const [row, at] of [
      [0, 650],
      [0, 400],
      [1, 70],
    ] as const) {
      (rows[row] as number[])[at] = NAN;
    }
    const longNan = torch.tensor(rows);
    for (const view of [(t: torch.Tensor) => t, (t: torch.Tensor) => t.transpose(0, 2)]) {
      await same(long, (t) => view(t).max(1));
      await same(long, (t) => view(t).argmin(1, true));
      await same(long, (t) => view(t).amin(1));
      await same(long, (t) => view(t).mul(0.01).add(1).prod(1), 1e-4);
      await same(long, (t) => view(t).mul(1e3).logsumexp(1));
      await same(long, (t) => view(t).mul(1e3).softmax(1));
      await same(long, (t) => view(t).mul(1e3).logSoftmax(1));
      await same(long, (t) => view(t).sum(1));
      await same(long, (t) => view(t).cumsum(1), 1e-4);
    }
    for (const op of ["softmax", "logSoftmax"] as const) {
      const w = torch.randn(long.shape);
      const grad = (t: torch.Tensor, ww: torch.Tensor) => {
        const leaf = torch.noGrad(() => t.clone()).requiresGrad_(true);
        leaf[op](1).mul(ww).sum().backward();
        return leaf.grad as torch.Tensor;
      };
      await expectLike(grad(gpu(long), gpu(w)), grad(long, w));
    }
    for (const t of [longTies, longNan]) {
      await same(t, (u) => u.max(1));
      await same(t, (u) => u.min(1));
      await same(t, (u) => u.argmax(1));
      await same(t, (u) => u.argmin());
      await same(t, (u) => u.amax(1));
      await same(t, (u) => u.logsumexp(1));
      await same(t, (u) => u.softmax(1));
    }
  });

  it("NaN wins in max, min and the index reductions (the first NaN); infinities as on the CPU", async () => {
    for (const op of ["max", "min"] as const) {
      await same(withNan, (t) => t[op]());
      await same(withNan, (t) => t[op](1));
      await same(withNan, (t) => t[op](0, true));
    }
    for (const op of ["argmax", "argmin"] as const) {
      await same(withNan, (t) => t[op]());
      await same(withNan, (t) => t[op](1));
      await same(withNan, (t) => t[op](0));
    }
    for (const op of ["amax", "amin"] as const) await same(withNan, (t) => t[op](1));
    await same(withNan, (t) => t.logsumexp(1));
    await same(withNan, (t) => t.softmax(1));
    await same(withNan, (t) => t.logSoftmax(1));
    await same(withNan, (t) => t.prod(1));
    await same(withNan, (t) => t.cumsum(1));
  });

  it("0-d tensors, and results of one element", async () => {
    await same(scalar, (t) => t.max());
    await same(scalar, (t) => t.max(0));
    await same(scalar, (t) => t.argmax(-1, true));
    await same(scalar, (t) => t.amax());
    await same(scalar, (t) => t.softmax(0));
    await same(scalar, (t) => t.cumsum(0));
    await same(torch.tensor([3]), (t) => t.logsumexp(0));
  });

  it("empty inputs give the CPU's results and errors; dims out of range the CPU's errors", async () => {
    const empty = torch.zeros([0, 3]);
    sameError(empty, (t) => t.max());
    sameError(empty, (t) => t.max(0));
    sameError(empty, (t) => t.amax(0));
    sameError(empty, (t) => t.argmax());
    sameError(empty, (t) => t.argmin(0));
    sameError(x, (t) => t.argmax(3));
    sameError(x, (t) => t.max(-4));
    sameError(x, (t) => t.softmax(3));
    await same(empty, (t) => t.max(1));
    await same(empty, (t) => t.argmax(1));
    await same(empty, (t) => t.prod(0));
    await same(empty, (t) => t.logsumexp(0));
    await same(empty, (t) => t.softmax(0));
    await same(empty, (t) => t.amax(1, true));
  });

  it("cross entropy as logSoftmax, gather and mean: the CPU's loss and gradients", async () => {
    torch.manualSeed(11);
    const logits = torch.randn([16, 10]).mul(3);
    const target = torch.randint(0, 10, [16]);
    const run = (l: torch.Tensor, t: torch.Tensor) => {
      const leaf = torch.noGrad(() => l.clone()).requiresGrad_(true);
      const loss = leaf.logSoftmax(1).gather(1, t.unsqueeze(1)).mean().neg();
      loss.backward();
      return { loss, grad: leaf.grad as torch.Tensor };
    };
    const want = run(logits, target);
    const got = run(gpu(logits), gpu(target));
    await expectLike(got.loss, want.loss);
    await expectLike(got.grad, want.grad);
  });

  it("gradients through max, amax, prod, logsumexp and cumsum: the CPU's", async () => {
    torch.manualSeed(12);
    const a = torch.randn([4, 6]);
    const loss = (t: torch.Tensor) =>
      t
        .max(1)
        .values.sum()
        .add(t.amax(0).sum())
        .add(t.prod(1).sum())
        .add(t.logsumexp(1).sum())
        .add(t.cumsum(0).sum())
        .add(t.max());
    const grad = (t: torch.Tensor) => {
      const leaf = torch.noGrad(() => t.clone()).requiresGrad_(true);
      loss(leaf).backward();
      return leaf.grad as torch.Tensor;
    };
    await expectLike(grad(gpu(a)), grad(a), 1e-4);
  });

  it("none of these ops ran through the CPU", () => {
    const own = warnings
      .map((m) => /torchlet webgpu: (\S+) \((\w+)\)/.exec(m))
      .filter((m) => m !== null && (OWN_KERNELS.includes(m[2] as string) || OWN_OPS.includes(m[1] as string)))
      .map((m) => m?.[0]);
    expect(own).toEqual([]);
  });
});

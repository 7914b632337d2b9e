import { type Backend, backend, setBackend } from "@torchlet/ops";
import { recycledBytes, TorchletError } from "@torchlet/storage";
import { allocate } from "@torchlet/storage/internal";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";
import {
  autograd,
  enableGrad,
  isGradEnabled,
  noGrad,
  ones,
  type Tensor,
  tensor,
  zeros,
} from "../src/index.js";

const leaf = (data: number[], dtype: "float32" | "float64" = "float64") =>
  tensor(data, { dtype, requiresGrad: true });
const values = (t: Tensor | null) => (t === null ? null : Array.from(t.toTypedArray(), Number));

describe("backward", () => {
  it("accumulates into .grad of leaves across calls until zero_()", () => {
    const x = leaf([1, 2, 3]);
    x.mul(x).sum().backward();
    x.mul(3).sum().backward();
    expect(values(x.grad)).toEqual([5, 7, 9]);
    x.grad?.zero_();
    x.sum().backward();
    expect(values(x.grad)).toEqual([1, 1, 1]);
  });

  it("runs a shared subexpression once with the gradients of all its uses summed", () => {
    const x = leaf([2]);
    const y = x.mul(x); // used twice below
    const z = y.add(y.mul(y));
    z.backward(ones([1], { dtype: "float64" }));
    expect(values(x.grad)).toEqual([2 * 2 + 4 * 8]); // d(x^2 + x^4)/dx = 2x + 4x^3
  });

  it("frees the graph: a second backward is PyTorch's error unless retainGraph", () => {
    const x = leaf([1, 2]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(values(x.grad)).toEqual(values(x.exp().mul(2)));
    expect(() => y.backward()).toThrow(/backward through the graph a second time.*retainGraph/);
  });

  it("leaves nothing of a failed backward in the nodes a later one runs through", () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const w = x.mul(3);
    const a = y.mul(w); // saves w at version 0
    w.add_(1);
    // b's branch runs first and hands y's node a gradient; a's node then fails, before y's node runs
    expect(() => a.sum().add(y.sum()).backward()).toThrow(/modified by an inplace operation/);
    expect(x.grad).toBeNull();
    y.sum().backward();
    expect(values(x.grad)).toEqual([2, 2]);
  });

  it("needs an explicit gradient for non-scalar outputs, of the output's shape", () => {
    const x = leaf([1, 2]);
    expect(() => x.mul(2).backward()).toThrow(
      /backward: grad can be implicitly created only for scalar outputs, got shape \[2\]/,
    );
    expect(() => x.mul(2).backward(ones([3], { dtype: "float64" }))).toThrow(
      /backward: mismatch in shape: gradient has shape \[3\] and output has shape \[2\]/,
    );
  });

  it("refuses tensors that do not require grad", () => {
    expect(() => tensor([1, 2]).sum().backward()).toThrow(
      new TorchletError("backward: the tensor (shape []) does not require grad and does not have a grad_fn"),
    );
  });
});

describe("requiresGrad propagation, leaves, retainGrad, detach", () => {
  it("marks results of ops on tensors that require grad, not others", () => {
    const x = leaf([1]);
    const c = tensor([2], { dtype: "float64" });
    expect(x.mul(c).requiresGrad).toBe(true);
    expect(x.mul(c).isLeaf).toBe(false);
    expect(c.mul(c).requiresGrad).toBe(false);
    expect(c.mul(c).gradFn).toBeNull();
    expect(x.gt(0).requiresGrad).toBe(false); // comparisons are never recorded
    expect(noGrad(() => x.mul(2)).requiresGrad).toBe(false);
  });

  it("keeps .grad of non-leaves null unless retainGrad()", () => {
    const x = leaf([1, 2]);
    const h = x.mul(3);
    const k = x.mul(4).retainGrad();
    h.add(k).sum().backward();
    expect(h.grad).toBeNull();
    expect(values(k.grad)).toEqual([1, 1]);
    expect(k.retainsGrad).toBe(true);
  });

  it("gives retained non-leaves gradients of their own that zero_() can clear", () => {
    const x = leaf([1, 2]);
    const a = x.mul(1).retainGrad();
    const b = x.mul(1).retainGrad();
    const s = a.add(b); // add passes one gradient tensor to both inputs
    s.sum().backward();
    a.grad?.zero_();
    expect(values(a.grad)).toEqual([0, 0]);
    expect(values(b.grad)).toEqual([1, 1]);
    expect(values(x.grad)).toEqual([2, 2]);
  });

  it("detach shares storage but cuts the graph", () => {
    const x = leaf([1, 2]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    d.fill_(5);
    expect(values(x)).toEqual([5, 5]);
  });

  it("only floating leaves may require grad", () => {
    expect(() => tensor([1, 2], { dtype: "int32", requiresGrad: true })).toThrow(
      /requiresGrad_: only tensors of floating point dtype can require gradients, got int32/,
    );
    expect(() => leaf([1]).mul(2).requiresGrad_(false)).toThrow(
      /only change requiresGrad flags of leaf tensors/,
    );
  });

  it("grad mode nests and restores", () => {
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      enableGrad(() => expect(isGradEnabled()).toBe(true));
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });
});

describe("in-place ops and version counters", () => {
  it("forbid an in-place change to a leaf that requires grad, leaving it unchanged", () => {
    const w = leaf([1, 2]);
    expect(() => w.sub_(1)).toThrow(
      /sub_: a leaf tensor that requires grad \(shape \[2\]\) is being used in an in-place operation/,
    );
    expect(values(w)).toEqual([1, 2]);
    noGrad(() => w.sub_(1)); // the SGD update
    expect(values(w)).toEqual([0, 1]);
    expect(w.isLeaf && w.requiresGrad).toBe(true);
  });

  it("detect an in-place change to a tensor backward still needs (PyTorch's version error)", () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const z = y.mul(y); // saves y at version 0
    y.add_(1);
    expect(() => z.sum().backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[CPUDoubleType\[2\]\] is at version 1; expected version 0 instead/,
    );
  });

  it("do not object when only a saved shape was needed (sum saves sizes, not the tensor)", () => {
    const x = leaf([1, 2]);
    const y = x.mul(1);
    const loss = y.sum();
    y.add_(5);
    loss.backward();
    expect(values(x.grad)).toEqual([1, 1]);
  });

  it("shares the version counter between a tensor and its views", () => {
    const x = leaf([1, 2, 3, 4]);
    const y = x.mul(1);
    const z = y.exp(); // saves its result
    const v = z.view(2, 2);
    noGrad(() => v.mul_(2));
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation/);
  });

  it("record an in-place op on a detached tensor (no view for autograd), and refuse one on a view while recording", () => {
    const w = leaf([1, 2]);
    const d = zeros([2], { dtype: "float64" }).detach();
    d.add_(w);
    expect(d.gradFn?.name).toBe("AddBackward0");
    d.sum().backward();
    expect(values(w.grad)).toEqual([1, 1]);
    const base = zeros([2, 1], { dtype: "float64" });
    expect(() => base.view(2).add_(w)).toThrow(
      /add_: in-place changes to a view of a tensor, with an operand that requires grad, are not supported while recording \(shape \[2\]\)/,
    );
    expect(values(base)).toEqual([0, 0]);
  });

  it("records in-place ops on non-leaves so gradients flow through them", () => {
    const x = leaf([1, 2]);
    const y = x.mul(1);
    y.mul_(x); // y = x * x
    expect(y.gradFn?.name).toBe("MulBackward0");
    y.sum().backward();
    expect(values(x.grad)).toEqual([2, 4]);
  });
});

describe("autograd.grad and higher order", () => {
  it("returns gradients without touching .grad", () => {
    const x = leaf([1, 2]);
    const [g] = autograd.grad(x.pow(3).sum(), x);
    expect(values(g ?? null)).toEqual([3, 12]);
    expect(x.grad).toBeNull();
  });

  it("with createGraph gives differentiable gradients (second and third derivatives)", () => {
    const x = leaf([1, 2]);
    const [g] = autograd.grad(x.pow(3).sum(), x, { createGraph: true });
    const [g2] = autograd.grad((g as Tensor).sum(), x, { createGraph: true });
    expect(values(g2 ?? null)).toEqual([6, 12]);
    const [g3] = autograd.grad((g2 as Tensor).sum(), x);
    expect(values(g3 ?? null)).toEqual([6, 6]);
  });

  it("backward with createGraph leaves a differentiable .grad", () => {
    const x = leaf([3]);
    x.tanh().sum().backward(undefined, { createGraph: true });
    const gx = x.grad as Tensor;
    expect(gx.requiresGrad).toBe(true);
    const [h] = autograd.grad(gx.sum(), x);
    const t = Math.tanh(3);
    expect(values(h ?? null)?.[0]).toBeCloseTo(-2 * t * (1 - t * t), 12);
  });

  it("errors for unused inputs unless allowUnused, and for inputs that do not require grad", () => {
    const x = leaf([1]);
    const y = leaf([1]);
    expect(() => autograd.grad(x.mul(2).sum(), [x, y])).toThrow(/input 1 appears to not have been used/);
    expect(autograd.grad(x.mul(2).sum(), [x, y], { allowUnused: true })[1]).toBeNull();
    expect(() => autograd.grad(x.sum(), zeros(1))).toThrow(/autograd.grad: input 0 does not require grad/);
  });
});

describe("recycling of dead gradients", () => {
  /** Takes every recycled array of these lengths and scribbles on it, as later ops would. */
  const scribble = (...lengths: number[]) => {
    for (let round = 0; round < 4; round++)
      for (const n of lengths) {
        allocate("float64", n).fill(Number.NaN);
        allocate("float32", n).fill(Number.NaN);
      }
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => (i % 7) - 3);

  it("hands gradients the engine created and consumed back to storage", () => {
    const x = leaf(range(3000));
    const before = recycledBytes();
    x.mul(2).exp().mul(3).sum().backward();
    expect(recycledBytes()).toBeGreaterThan(before);
  });

  it("never recycles what stays reachable: leaf grads, retained grads, autograd.grad results", () => {
    const n = 3000;
    const x = leaf(range(n));
    const y = x.mul(2);
    y.retainGrad();
    const z = y.mul(y).add(y);
    z.sum().backward();
    scribble(n);
    expect(values(x.grad)).toEqual(range(n).map((v) => 2 * (4 * v + 1)));
    expect(values(y.grad)).toEqual(range(n).map((v) => 4 * v + 1));
    const [gx] = autograd.grad([x.mul(3).mul(x).sum()], [x]);
    scribble(n);
    expect(values(gx ?? null)).toEqual(range(n).map((v) => 6 * v));
  });

  it("never recycles the gradient handed to backward", () => {
    const n = 3000;
    const x = leaf(range(n));
    const seed = tensor(
      range(n).map((v) => v / 2),
      { dtype: "float64" },
    );
    x.mul(3).exp().backward(seed);
    scribble(n);
    expect(values(seed)).toEqual(range(n).map((v) => v / 2));
  });

  it("keeps a gradient forwarded by a pass-through formula to several nodes until the last one used it", () => {
    const n = 3000;
    const x = leaf(range(n));
    const w = leaf(range(n).map((v) => v + 10));
    // add forwards the same tensor to both of its inputs; x reaches the loss along three paths
    const s = x.mul(w).add(x.exp());
    s.add(s.mul(x)).sum().backward();
    scribble(n);
    const want = range(n).map((v) => {
      const wv = v + 10;
      const sv = v * wv + Math.exp(v);
      return (wv + Math.exp(v)) * (1 + v) + sv;
    });
    const got = values(x.grad) as number[];
    got.forEach((g, i) => {
      expect(g).toBeCloseTo(want[i] as number, 9);
    });
    expect(values(w.grad)).toEqual(range(n).map((v) => v * (1 + v)));
  });

  it("lets relu's backward write over the gradient the engine owns, and only that one", () => {
    const n = 3000;
    const x = leaf(range(n).map((v) => v - 0.5));
    const overwrites: boolean[] = [];
    const fast = backend();
    const watching: Backend = {
      ...backend(),
      thresholdBackward: (grad, input, threshold, into) => {
        overwrites.push(into === grad);
        return fast.thresholdBackward(grad, input, threshold, into);
      },
    };
    const previous = setBackend(watching);
    try {
      // mul(3)'s gradient is the engine's own: relu's backward may write over it.
      x.mul(2).relu().mul(3).sum().backward();
      expect(values(x.grad)).toEqual(range(n).map((v) => (v - 0.5 > 0 ? 6 : 0)));
      // A gradient handed to backward belongs to the caller: relu's backward must not touch it.
      x.grad?.zero_();
      const seed = tensor(
        range(n).map(() => 1),
        { dtype: "float64" },
      );
      x.mul(2).relu().backward(seed);
      expect(values(seed)).toEqual(range(n).map(() => 1));
      expect(values(x.grad)).toEqual(range(n).map((v) => (v - 0.5 > 0 ? 2 : 0)));
    } finally {
      setBackend(previous);
    }
    expect(overwrites).toEqual([true, false]);
  });

  it("gives the same gradients twice over a retained graph and leaves saved tensors intact", () => {
    const x = leaf(range(3000));
    const loss = x.mul(x).mul(x).sum();
    loss.backward(undefined, { retainGraph: true });
    const first = values(x.grad);
    scribble(3000);
    x.grad?.zero_();
    loss.backward();
    expect(values(x.grad)).toEqual(first);
  });
});

describe("grad mode", () => {
  it("refuses an async function: the mode would be restored before its awaited part runs", async () => {
    let inside: boolean | null = null;
    const run = () =>
      torch.noGrad(async () => {
        await Promise.resolve();
        inside = torch.isGradEnabled();
      });
    expect(run).toThrow(TorchletError);
    expect(run).toThrow(/^noGrad: fn returned a Promise/);
    expect(() => torch.enableGrad(async () => 1)).toThrow(/^enableGrad: /);
    await Promise.resolve();
    expect(torch.isGradEnabled()).toBe(true);
    expect(inside).toBe(true); // what the error prevents from going unnoticed
  });
});

/** Whether `target` can be reached from `root` through object properties and array elements. */
function reaches(root: unknown, target: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === target) return true;
    if (typeof v !== "object" || v === null || seen.has(v) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    for (const key of Reflect.ownKeys(v)) stack.push((v as Record<PropertyKey, unknown>)[key]);
  }
  return false;
}

describe("what the graph keeps (each derivative row's saves)", () => {
  it("keeps only the tensors a formula reads: an intermediate nothing reads is not reachable", () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const scaled = x.mul(2); // mul saves its inputs: x and the 0-d 2
    const shifted = scaled.add(1); // add's formulas read nothing: `scaled` is not kept by this node
    const y = shifted.exp(); // exp reads its result only: `shifted` is not kept
    const loss = y.sum(); // sum reads only its input's shape
    expect(reaches(loss, x)).toBe(true); // through mul, which reads it, and the leaf's AccumulateGrad
    expect(reaches(loss, y)).toBe(true); // exp's result, saved for its formula
    expect(reaches(loss, shifted)).toBe(false);
    expect(reaches(loss, scaled)).toBe(false);
    loss.backward();
    expect(x.grad?.tolist()).toEqual(
      [1, 2, 3].map((v) => Math.fround(2 * Math.fround(Math.exp(Math.fround(2 * v + 1))))),
    );
  });

  it("a formula that reads what its row does not save is an error naming the node", () => {
    const row: torch.Derivative<undefined> = {
      name: "BadBackward0",
      grads: [(g, c) => g.mul(c.input(0))],
      saves: [],
    };
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(1);
    const node = new torch.GradFn(
      "BadBackward0",
      [y.gradFn],
      row.grads as never,
      [y],
      y,
      undefined,
      row.saves,
    );
    expect(() => node.apply(torch.ones(2))).toThrow(
      /^BadBackward0: the formula reads input 0, which its derivative row does not save/,
    );
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

// packages/optim/fixtures/gen_optim.py: 25 full-batch steps of every optimizer variant on one model
// (Sequential(Linear(3, 16), ReLU, Linear(16, 1)) after torch.manual_seed(0)) and data, a resumed
// run, the schedulers' rates and clip_grad_norm_, from PyTorch 1.13.
const fixture = JSON.parse(readFileSync(join(__dirname, "../../optim/fixtures/optim.json"), "utf8"));

type OptimizerName = "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const optionsOf = (options: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), v]));

function makeOptimizer(name: OptimizerName, params: torch.Tensor[], options: Record<string, unknown>) {
  const Class = torch.optim[name] as unknown as new (p: torch.Tensor[], o: unknown) => torch.optim.Optimizer;
  return new Class(params, optionsOf(options));
}

const x = torch.tensor(fixture.trajectories.x as number[]).reshape([64, 3]);
const y = torch.tensor(fixture.trajectories.y as number[]).reshape([64, 1]);

function model(seed = 0) {
  torch.manualSeed(seed);
  return new torch.nn.Sequential(new torch.nn.Linear(3, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 1));
}

function train(net: torch.nn.Module, opt: torch.optim.Optimizer, steps: number): number[] {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = torch.nn.functional.mseLoss(net.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(Number(loss.item()));
  }
  return losses;
}

function worstRelative(actual: number[], expected: number[]): number {
  return Math.max(
    ...expected.map((e, i) => Math.abs((actual[i] as number) - e) / Math.max(Math.abs(e), 1e-12)),
  );
}

// The optimizers' arithmetic is PyTorch's bit for bit (packages/optim/test/steps.test.ts); the forward
// and backward differ from PyTorch's in the last bits of a few sums (matmul then add against addmm).
// Over 25 steps those differences stay within 2.1e-6 of each loss (RMSprop without momentum, whose
// early steps divide by the square root of tiny averages; 1.2e-7 to 7e-7 for the others).
const TRAJECTORY_TOLERANCE = 5e-6;

describe("25-step loss trajectories equal PyTorch's (every optimizer variant)", () => {
  const cases = fixture.trajectories.cases as {
    optimizer: OptimizerName;
    options: Record<string, unknown>;
    losses: number[];
  }[];
  it.each(cases.map((c) => [`${c.optimizer} ${JSON.stringify(c.options)}`, c] as const))("%s", (_, c) => {
    const net = model();
    const losses = train(net, makeOptimizer(c.optimizer, net.parameters(), c.options), 25);
    expect(worstRelative(losses, c.losses)).toBeLessThanOrEqual(TRAJECTORY_TOLERANCE);
  });

  it("parameter groups with their own lr and momentum", () => {
    const net = model();
    const [first, , second] = net.children() as [torch.nn.Module, torch.nn.Module, torch.nn.Module];
    const opt = new torch.optim.SGD(
      [{ params: first.parameters() }, { params: second.parameters(), lr: 0.01, momentum: 0.9 }],
      { lr: 0.05 },
    );
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.05, 0],
      [0.01, 0.9],
    ]);
    expect(worstRelative(train(net, opt, 25), fixture.trajectories.groups)).toBeLessThanOrEqual(
      TRAJECTORY_TOLERANCE,
    );
  });
});

describe("resuming from stateDict continues the same trajectory", () => {
  const cases = Object.entries(fixture.resumed) as [
    OptimizerName,
    { options: Record<string, unknown>; losses: number[] },
  ][];
  it.each(cases)("%s", (name, c) => {
    const whole = (() => {
      const net = model();
      return train(net, makeOptimizer(name, net.parameters(), c.options), 25);
    })();
    const net = model();
    const opt = makeOptimizer(name, net.parameters(), c.options);
    const first = train(net, opt, 10);
    // The model's state dict shares storage with the parameters (as PyTorch's does): clone it, as
    // saving it to a file would. The optimizer's is a snapshot already.
    const weights = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.clone()]));
    const saved = { model: weights, opt: opt.stateDict() };
    train(net, opt, 3);
    const net2 = model(99);
    const opt2 = makeOptimizer(name, net2.parameters(), { ...c.options, lr: 123 });
    net2.loadStateDict(saved.model);
    opt2.loadStateDict(saved.opt);
    const rest = train(net2, opt2, 15);
    expect([...first, ...rest]).toEqual(whole);
    expect(worstRelative(whole, c.losses)).toBeLessThanOrEqual(TRAJECTORY_TOLERANCE);
  });

  it("uses PyTorch's state_dict layout and refuses a mismatched one, changing nothing", () => {
    const net = model();
    const opt = new torch.optim.Adam(net.parameters(), { lr: 0.01, amsgrad: true });
    train(net, opt, 1);
    const sd = opt.stateDict();
    expect(Object.keys(sd.state[0] ?? {})).toEqual(["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]);
    expect((sd.state[0]?.step as torch.Tensor | undefined)?.item()).toBe(1);
    expect(sd.param_groups[0]).toMatchObject({
      lr: 0.01,
      betas: [0.9, 0.999],
      weight_decay: 0,
      params: [0, 1, 2, 3],
    });
    const other = new torch.optim.Adam(model().parameters().slice(0, 2));
    expect(() => other.loadStateDict(sd)).toThrow(/group 0 holds 2 parameters, the state dict's 4/);
    expect(other.state.size).toBe(0);
  });
});

describe("learning-rate schedulers give PyTorch's rates", () => {
  const cases = fixture.schedulers as {
    scheduler: string;
    options: Record<string, unknown>;
    lrs: number[];
  }[];
  it.each(cases.map((c) => [`${c.scheduler} ${JSON.stringify(c.options)}`, c] as const))("%s", (_, c) => {
    const p = torch.zeros([1], { requiresGrad: true });
    const opt = new torch.optim.SGD([p], { lr: 0.1 });
    const options = optionsOf(c.options);
    if ("TMax" in options) {
      options.tMax = options.TMax;
      delete options.TMax;
    }
    const Class = torch.optim.lrScheduler[c.scheduler as "StepLR"] as unknown as new (
      o: torch.optim.Optimizer,
      options: unknown,
    ) => torch.optim.lrScheduler.LRScheduler;
    const sched = new Class(opt, options);
    const lrs: number[] = [];
    for (let epoch = 0; epoch < 20; epoch++) {
      lrs.push(sched.getLastLr()[0] as number);
      opt.step();
      sched.step();
    }
    // Python's and V8's cos may differ in the last bit of a double.
    expect(worstRelative(lrs, c.lrs)).toBeLessThanOrEqual(1e-15);
    expect(opt.paramGroups[0]?.lr).toBe(sched.getLastLr()[0]);
  });
});

describe("clipGradNorm_ as PyTorch's", () => {
  it.each(
    (fixture.clip as { maxNorm: number; grads: number[][]; norm: number; clipped: number[][] }[]).map(
      (c) => [c.maxNorm, c] as const,
    ),
  )("maxNorm %s", (_, c) => {
    const a = torch.zeros([4, 3], { requiresGrad: true });
    const b = torch.zeros([7], { requiresGrad: true });
    a.grad = torch.tensor(c.grads[0] as number[]).reshape([4, 3]);
    b.grad = torch.tensor(c.grads[1] as number[]);
    const norm = torch.nn.utils.clipGradNorm_([a, b], c.maxNorm);
    // PyTorch sums the squares in float32, torchlet in float64: the norm may differ in its last bit.
    expect(Math.abs(Number(norm.item()) - c.norm) / c.norm).toBeLessThanOrEqual(2 ** -23);
    expect(
      worstRelative(
        [...(a.grad.toTypedArray() as Float32Array), ...(b.grad.toTypedArray() as Float32Array)],
        [...(c.clipped[0] as number[]), ...(c.clipped[1] as number[])],
      ),
    ).toBeLessThanOrEqual(2 ** -23);
  });
});

describe("optimizers refuse what PyTorch refuses (and what cannot be trained)", () => {
  it("a non-leaf, a tensor without requiresGrad, a duplicate, bad hyperparameters", () => {
    const w = torch.zeros([2], { requiresGrad: true });
    expect(() => new torch.optim.SGD([w.mul(2)], { lr: 0.1 })).toThrow(
      /SGD: can't optimize a non-leaf Tensor: parameter 0 \(shape \[2\]\)/,
    );
    expect(() => new torch.optim.Adam([torch.zeros(3)])).toThrow(
      /Adam: parameter 0 \(shape \[3\]\) does not require grad/,
    );
    expect(() => new torch.optim.SGD([{ params: [w] }, { params: [w] }], { lr: 0.1 })).toThrow(
      /more than one parameter group/,
    );
    expect(() => new torch.optim.SGD([w], { lr: -1 })).toThrow(/SGD: invalid lr -1/);
    expect(() => new torch.optim.SGD([w], { lr: 0.1, nesterov: true })).toThrow(
      /Nesterov momentum requires a momentum/,
    );
    expect(() => new torch.optim.Adam([w], { betas: [1, 0.9] })).toThrow(
      /invalid beta parameter at index 0 1/,
    );
    expect(() => new torch.optim.RMSprop([])).toThrow(/empty parameter list/);
    const transposed = torch.zeros(2, 3).t().requiresGrad_();
    expect(() => new torch.optim.Adagrad([transposed])).toThrow(
      /Adagrad: parameter 0 \(shape \[3, 2\]\) is not contiguous/,
    );
  });

  it("an update bumps the version counter: a graph that saved the old values refuses backward", () => {
    const w = torch.tensor([1, 2], { requiresGrad: true });
    const opt = new torch.optim.SGD([w], { lr: 0.1 });
    const loss = w.pow(2).sum();
    w.sum().backward();
    opt.step();
    expect(() => loss.backward()).toThrow(/modified by an inplace operation|version/);
  });
});

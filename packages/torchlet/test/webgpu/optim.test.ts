import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

// packages/optim/fixtures/gen_optim.py's cases (PyTorch 1.13) on webgpu parameters. On the CPU the
// updates are PyTorch's bit for bit; on the device they are the same formulas as tensor ops in float32
// without fused multiply-adds, so each value is within a few float32 roundings per step of PyTorch's.
const fixture = JSON.parse(readFileSync(join(__dirname, "../../../optim/fixtures/optim.json"), "utf8"));

/** 25 updates of one parameter from stored gradients: worst difference relative to the largest value. */
const STEP_TOLERANCE = 1e-5;
/** 25 full-batch steps of a 3-16-1 network: each loss within this relative difference of PyTorch's. */
const TRAJECTORY_TOLERANCE = 1e-4;

type OptimizerName = "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
interface Case {
  optimizer: OptimizerName;
  options: Record<string, unknown>;
}
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const optionsOf = (options: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), v]));
const label = (c: Case) => `${c.optimizer} ${JSON.stringify(c.options)}`;

function makeOptimizer(name: OptimizerName, params: torch.Tensor[], options: Record<string, unknown>) {
  const Class = torch.optim[name] as unknown as new (p: torch.Tensor[], o: unknown) => torch.optim.Optimizer;
  return new Class(params, optionsOf(options));
}

function worstRelative(actual: ArrayLike<number>, expected: readonly number[]): number {
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...expected.map((e, i) => Math.abs((actual[i] as number) - e) / scale));
}

function model(seed = 0) {
  torch.manualSeed(seed);
  return new torch.nn.Sequential(
    new torch.nn.Linear(3, 16),
    new torch.nn.ReLU(),
    new torch.nn.Linear(16, 1),
  ).to("webgpu");
}

const x = torch.tensor(fixture.trajectories.x as number[]).reshape([64, 3]);
const y = torch.tensor(fixture.trajectories.y as number[]).reshape([64, 1]);

/** `steps` full-batch steps on webgpu; the losses, read back after the last one. */
async function train(net: torch.nn.Module, opt: torch.optim.Optimizer, steps: number): Promise<number[]> {
  const [xd, yd] = [x.to("webgpu"), y.to("webgpu")];
  const losses: torch.Tensor[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = torch.nn.functional.mseLoss(net.forward(xd), yd);
    loss.backward();
    opt.step();
    losses.push(loss);
  }
  return Promise.all(losses.map(async (l) => Number(await l.itemAsync())));
}

describe.skipIf(!available)(`optimizer updates of webgpu parameters equal PyTorch's${skipNote}`, () => {
  const steps: { p0: number[]; grads: number[][]; cases: (Case & { params: number[][] })[] } = fixture.steps;
  it.each(steps.cases.map((c) => [label(c), c] as const))(`%s (within ${STEP_TOLERANCE})`, async (_, c) => {
    const p = torch.tensor(steps.p0, { requiresGrad: true, device: "webgpu" });
    const opt = makeOptimizer(c.optimizer, [p], c.options);
    for (const [t, grad] of steps.grads.entries()) {
      p.grad = torch.tensor(grad, { device: "webgpu" });
      opt.step();
      for (const buffer of Object.values(opt.state.get(p) ?? {}))
        if (buffer instanceof torch.Tensor) expect(buffer.device).toBe("webgpu");
      expect(
        worstRelative((await p.data()) as Float32Array, c.params[t] as number[]),
        `step ${t + 1}`,
      ).toBeLessThanOrEqual(STEP_TOLERANCE);
    }
  });

  const trajectories = fixture.trajectories.cases as (Case & { losses: number[] })[];
  it.each(trajectories.map((c) => [label(c), c] as const))(
    `25-step loss trajectory %s (within ${TRAJECTORY_TOLERANCE})`,
    async (_, c) => {
      const net = model();
      const losses = await train(net, makeOptimizer(c.optimizer, net.parameters(), c.options), 25);
      expect(worstRelative(losses, c.losses)).toBeLessThanOrEqual(TRAJECTORY_TOLERANCE);
    },
    60_000,
  );
});

describe.skipIf(!available)(`optimizer state on webgpu${skipNote}`, () => {
  const resumed = Object.entries(fixture.resumed) as [OptimizerName, { options: Record<string, unknown> }][];
  it.each(resumed)(
    "%s resumes from stateDict (GPU state and a CPU copy of it) on the same trajectory",
    async (name, c) => {
      const whole = await (async () => {
        const net = model();
        return train(net, makeOptimizer(name, net.parameters(), c.options), 16);
      })();
      const net = model();
      const opt = makeOptimizer(name, net.parameters(), c.options);
      const first = await train(net, opt, 10);
      const weights = Object.fromEntries(Object.entries(net.stateDict()).map(([k, v]) => [k, v.clone()]));
      const saved = opt.stateDict();
      for (const s of Object.values(saved.state))
        for (const v of Object.values(s))
          if (v instanceof torch.Tensor && v.numel() > 1) expect(v.device).toBe("webgpu");
      // The same state read back to the CPU, as saving it to a file would, uploaded again on load.
      const onCpu = {
        param_groups: saved.param_groups,
        state: Object.fromEntries(
          await Promise.all(
            Object.entries(saved.state).map(async ([k, s]) => [
              k,
              Object.fromEntries(
                await Promise.all(
                  Object.entries(s).map(async ([key, v]) => [
                    key,
                    v instanceof torch.Tensor ? await v.cpuAsync() : v,
                  ]),
                ),
              ),
            ]),
          ),
        ),
      };
      await train(net, opt, 3);
      for (const dict of [saved, onCpu]) {
        const net2 = model(99);
        const opt2 = makeOptimizer(name, net2.parameters(), { ...c.options, lr: 123 });
        net2.loadStateDict(weights);
        opt2.loadStateDict(dict);
        const rest = await train(net2, opt2, 6);
        expect(worstRelative([...first, ...rest], whole)).toBeLessThanOrEqual(1e-6);
      }
    },
    60_000,
  );

  it("a webgpu state tensor for a CPU parameter is refused, naming cpuAsync, and changes nothing", () => {
    const gpu = torch.tensor([1, 2], { requiresGrad: true, device: "webgpu" });
    const opt = new torch.optim.SGD([gpu], { lr: 0.1, momentum: 0.9 });
    gpu.grad = torch.ones([2], { device: "webgpu" });
    opt.step();
    const cpuOpt = new torch.optim.SGD([torch.tensor([1, 2], { requiresGrad: true })], { lr: 0.5 });
    expect(() => cpuOpt.loadStateDict(opt.stateDict())).toThrow(
      /SGD.loadStateDict: state momentum_buffer of parameter 0 is on webgpu.*cpuAsync/,
    );
    expect(cpuOpt.state.size).toBe(0);
    expect(cpuOpt.paramGroups[0]?.lr).toBe(0.5);
  });

  it("zeroGrad zeroes webgpu gradients; schedulers set the rate the device update uses", async () => {
    const p = torch.tensor([1, 2], { requiresGrad: true, device: "webgpu" });
    const opt = new torch.optim.SGD([p], { lr: 1 });
    const sched = new torch.optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    const rates: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      opt.zeroGrad();
      p.sum().backward();
      rates.push(opt.paramGroups[0]?.lr as number);
      opt.step();
      sched.step();
    }
    expect(rates).toEqual([1, 0.5, 0.25]);
    expect(await p.tolistAsync()).toEqual([1 - 1.75, 2 - 1.75]);
    opt.zeroGrad();
    expect(p.grad?.device).toBe("webgpu");
    expect(await p.grad?.tolistAsync()).toEqual([0, 0]);
  });
});

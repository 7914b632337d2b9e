import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

// fixtures/gen_optim.py: each optimizer variant updates one float32 parameter 25 times from stored
// gradients; torchlet's updates must equal PyTorch's bit for bit.
interface StepCase {
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options: Record<string, unknown>;
  params: number[][];
}
const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/optim.json"), "utf8"));
const steps: { p0: number[]; grads: number[][]; cases: StepCase[] } = fixture.steps;

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** PyTorch's keyword arguments as torchlet's options object. */
export function optionsOf(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), v]));
}

export function makeOptimizer(
  name: StepCase["optimizer"],
  params: torch.Tensor[],
  options: Record<string, unknown>,
) {
  const Class = torch.optim[name] as unknown as new (p: torch.Tensor[], o: unknown) => torch.optim.Optimizer;
  return new Class(params, optionsOf(options));
}

const label = (c: StepCase) => `${c.optimizer} ${JSON.stringify(c.options)}`;

describe("optimizer updates equal PyTorch 1.13's bit for bit (float32)", () => {
  it.each(steps.cases.map((c) => [label(c), c] as const))("%s", (_, c) => {
    const p = torch.tensor(steps.p0, { requiresGrad: true });
    const opt = makeOptimizer(c.optimizer, [p], c.options);
    for (const [t, grad] of steps.grads.entries()) {
      p.grad = torch.tensor(grad);
      opt.step();
      expect([...p.toTypedArray()], `step ${t + 1}`).toEqual(c.params[t]);
    }
  });

  const steps64: { p0: number[]; grads: number[][]; cases: StepCase[] } = fixture.steps64;
  it.each(steps64.cases.map((c) => [`float64 ${label(c)}`, c] as const))("%s", (_, c) => {
    const p = torch.tensor(steps64.p0, { dtype: "float64", requiresGrad: true });
    const opt = makeOptimizer(c.optimizer, [p], c.options);
    for (const [t, grad] of steps64.grads.entries()) {
      p.grad = torch.tensor(grad, { dtype: "float64" });
      opt.step();
      expect([...p.toTypedArray()], `step ${t + 1}`).toEqual(c.params[t]);
    }
  });

  it("would notice an update rounded twice where PyTorch fuses it (the check is not vacuous)", () => {
    const sgd = steps.cases.find((c) => c.optimizer === "SGD" && c.options.momentum === 0.9) as StepCase;
    const p = torch.tensor(steps.p0);
    const buf = torch.tensor(steps.grads[0] as number[]);
    // p - lr·d with two roundings (torch.sub(p, d.mul(lr))) differs from PyTorch's fused add.
    let values = p.sub(buf.mul(0.05));
    let differs = false;
    for (let t = 1; t < steps.grads.length; t++) {
      buf.mul_(0.9).add_(torch.tensor(steps.grads[t] as number[]));
      values = values.sub(buf.mul(0.05));
      differs ||= [...values.toTypedArray()].some((v, i) => v !== (sgd.params[t] as number[])[i]);
    }
    expect(differs).toBe(true);
  });
});

import type { Tensor } from "@torchlet/autograd";
import { floatMath } from "./float-math.js";
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState } from "./optimizer.js";
import { buffer, readable, touched, writable } from "./values.js";

/**
 * Options of `Adagrad`.
 *
 * @example
 * const options: AdagradOptions = { lr: 0.1, lrDecay: 0.01 };
 * new torch.optim.Adagrad([torch.zeros([1], { requiresGrad: true })], options).paramGroups[0]!.eps; // 1e-10
 */
export interface AdagradOptions {
  /** The learning rate (default 1e-2). */
  lr?: number;
  /** The learning rate at step t is lr / (1 + (t - 1)·lrDecay) (default 0). */
  lrDecay?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** The starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue?: number;
  /** Added to the denominator (default 1e-10). */
  eps?: number;
}

/**
 * Adagrad (`torch.optim.Adagrad`), in PyTorch 1.13's order of float32 operations:
 * `sum += g²`, `p -= clr · g / (√sum + eps)` with `clr = lr / (1 + (t - 1)·lrDecay)`.
 *
 * @example
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.Adagrad([w], { lr: 0.1 });
 * w.pow(2).sum().backward();
 * opt.step();
 * w.tolist(); // [0.9, -0.9]
 */
export class Adagrad extends Optimizer {
  constructor(params: readonly Tensor[] | readonly ParamGroupInput[], options: AdagradOptions = {}) {
    super("Adagrad", params, {
      lr: options.lr ?? 1e-2,
      lrDecay: options.lrDecay ?? 0,
      weightDecay: options.weightDecay ?? 0,
      initialAccumulatorValue: options.initialAccumulatorValue ?? 0,
      eps: options.eps ?? 1e-10,
    });
  }

  protected validate(group: ParamGroup): void {
    for (const key of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"])
      this.checkRange(key, group[key]);
  }

  protected override tensorCounters(): readonly string[] {
    return ["step"];
  }

  // PyTorch creates Adagrad's state in the constructor; created on the first step here, it holds the
  // same values (nothing reads it earlier).
  protected initState(p: Tensor, group: ParamGroup): ParamState {
    return { step: 0, sum: buffer(p, group.initialAccumulatorValue as number) };
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const { round, fma } = floatMath(p.dtype);
    const step = (state.step as number) + 1;
    state.step = step;
    const weightDecay = group.weightDecay as number;
    const clr = group.lr / (1 + (step - 1) * (group.lrDecay as number));
    const [negClr, wd, eps] = [round(-clr), round(weightDecay), round(group.eps as number)];
    const values = writable("Adagrad", p);
    const g = readable(grad);
    const sum = writable("Adagrad", state.sum as Tensor);
    for (let i = 0; i < values.length; i++) {
      const pi = values[i] as number;
      let gi = g[i] as number;
      if (weightDecay !== 0) gi = fma(wd, pi, gi);
      const si = fma(gi, gi, sum[i] as number);
      sum[i] = si;
      const std = round(round(Math.sqrt(si)) + eps);
      values[i] = round(pi + round(round(negClr * gi) / std));
    }
    touched(p);
  }

  protected updateOnDevice(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const step = (state.step as number) + 1;
    state.step = step;
    const weightDecay = group.weightDecay as number;
    const clr = group.lr / (1 + (step - 1) * (group.lrDecay as number));
    const g = weightDecay !== 0 ? grad.add(p.mul(weightDecay)) : grad;
    const sum = (state.sum as Tensor).add_(g.mul(g));
    p.sub_(g.div(sum.sqrt().add(group.eps as number)).mul(clr));
  }
}

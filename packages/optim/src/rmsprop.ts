import type { Tensor } from "@torchlet/autograd";
import { floatMath } from "./float-math.js";
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState } from "./optimizer.js";
import { buffer, readable, touched, writable } from "./values.js";

/**
 * Options of `RMSprop`.
 *
 * @example
 * const options: RMSpropOptions = { lr: 0.01, momentum: 0.9, centered: true };
 * new torch.optim.RMSprop([torch.zeros([1], { requiresGrad: true })], options).paramGroups[0]!.alpha; // 0.99
 */
export interface RMSpropOptions {
  /** The learning rate (default 1e-2). */
  lr?: number;
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the variance estimate instead of the second moment (default false). */
  centered?: boolean;
}

/**
 * RMSprop (`torch.optim.RMSprop`), with momentum, centering and weight decay, in PyTorch 1.13's order
 * of float32 operations: `s = α·s + (1-α)·g²`; centered: `a = α·a + (1-α)·g`, `avg = √(s - a²) + eps`,
 * else `avg = √s + eps`; with momentum `buf = μ·buf + g / avg`, `p -= lr·buf`, else `p -= lr·g / avg`.
 *
 * @example
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.RMSprop([w], { lr: 0.01 });
 * w.pow(2).sum().backward();
 * opt.step();
 * w.tolist(); // [0.9, -0.9]
 */
export class RMSprop extends Optimizer {
  constructor(params: readonly Tensor[] | readonly ParamGroupInput[], options: RMSpropOptions = {}) {
    super("RMSprop", params, {
      lr: options.lr ?? 1e-2,
      alpha: options.alpha ?? 0.99,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      momentum: options.momentum ?? 0,
      centered: options.centered ?? false,
    });
  }

  protected validate(group: ParamGroup): void {
    for (const key of ["lr", "alpha", "eps", "weightDecay", "momentum"]) this.checkRange(key, group[key]);
  }

  protected initState(p: Tensor, group: ParamGroup): ParamState {
    const state: ParamState = { step: 0, square_avg: buffer(p) };
    if ((group.momentum as number) > 0) state.momentum_buffer = buffer(p);
    if (group.centered) state.grad_avg = buffer(p);
    return state;
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const { round, fma } = floatMath(p.dtype);
    state.step = (state.step as number) + 1;
    const [alpha, momentum, weightDecay] = [group.alpha, group.momentum, group.weightDecay] as [
      number,
      number,
      number,
    ];
    const [a, keep, wd, eps] = [
      round(alpha),
      round(1 - alpha),
      round(weightDecay),
      round(group.eps as number),
    ];
    const [mom, negLr] = [round(momentum), round(-group.lr)];
    const values = writable("RMSprop", p);
    const g = readable(grad);
    const square = writable("RMSprop", state.square_avg as Tensor);
    const mean = group.centered ? writable("RMSprop", state.grad_avg as Tensor) : null;
    const buf = momentum > 0 ? writable("RMSprop", state.momentum_buffer as Tensor) : null;
    for (let i = 0; i < values.length; i++) {
      const pi = values[i] as number;
      let gi = g[i] as number;
      if (weightDecay !== 0) gi = fma(wd, pi, gi);
      const si = fma(round(keep * gi), gi, round((square[i] as number) * a));
      square[i] = si;
      let avg: number;
      if (mean) {
        const mi = fma(keep, gi, round((mean[i] as number) * a));
        mean[i] = mi;
        avg = round(Math.sqrt(fma(-mi, mi, si)));
      } else avg = round(Math.sqrt(si));
      avg = round(avg + eps);
      if (buf) {
        const bi = round(round((buf[i] as number) * mom) + round(gi / avg));
        buf[i] = bi;
        values[i] = fma(negLr, bi, pi);
      } else values[i] = round(pi + round(round(negLr * gi) / avg));
    }
    touched(p);
  }

  protected updateOnDevice(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    state.step = (state.step as number) + 1;
    const [alpha, momentum, weightDecay] = [group.alpha, group.momentum, group.weightDecay] as [
      number,
      number,
      number,
    ];
    const g = weightDecay !== 0 ? grad.add(p.mul(weightDecay)) : grad;
    const square = (state.square_avg as Tensor).mul_(alpha).add_(g.mul(g).mul(1 - alpha));
    let avg: Tensor;
    if (group.centered) {
      const mean = (state.grad_avg as Tensor).mul_(alpha).add_(g.mul(1 - alpha));
      avg = square.sub(mean.mul(mean)).sqrt();
    } else avg = square.sqrt();
    avg = avg.add(group.eps as number);
    if (momentum > 0) {
      const buf = (state.momentum_buffer as Tensor).mul_(momentum).add_(g.div(avg));
      p.sub_(buf.mul(group.lr));
    } else p.sub_(g.div(avg).mul(group.lr));
  }
}

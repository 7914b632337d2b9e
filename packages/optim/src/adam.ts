import type { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { floatMath, powInt } from "./float-math.js";
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState } from "./optimizer.js";
import { buffer, readable, touched, writable } from "./values.js";

/**
 * Options of `Adam` and `AdamW`.
 *
 * @example
 * const options: AdamOptions = { lr: 0.01, betas: [0.9, 0.99], amsgrad: true };
 * new torch.optim.Adam([torch.zeros([1], { requiresGrad: true })], options).paramGroups[0]!.amsgrad; // true
 */
export interface AdamOptions {
  /** The learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0); AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  /** Keep the running maximum of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

/** The options with PyTorch's defaults; only the default weight decay differs between Adam and AdamW. */
function adamDefaults(options: AdamOptions, weightDecay: number): Required<AdamOptions> {
  return {
    lr: options.lr ?? 1e-3,
    betas: options.betas ?? [0.9, 0.999],
    eps: options.eps ?? 1e-8,
    weightDecay: options.weightDecay ?? weightDecay,
    amsgrad: options.amsgrad ?? false,
  };
}

// Adam and AdamW differ only in where weight decay enters (PyTorch 1.13's _single_tensor_adam and
// _single_tensor_adamw, non-capturable path).
abstract class AdamBase extends Optimizer {
  /** AdamW's decoupled weight decay (`p *= 1 - lr·wd`) instead of Adam's L2 term in the gradient. */
  protected abstract readonly decoupled: boolean;

  protected validate(group: ParamGroup): void {
    this.checkRange("lr", group.lr);
    this.checkRange("eps", group.eps);
    this.checkRange("weightDecay", group.weightDecay);
    const betas = group.betas;
    if (!Array.isArray(betas) || betas.length !== 2)
      throw new TorchletError(`${this.constructor.name}: betas must be [beta1, beta2], got ${String(betas)}`);
    this.checkRange("beta parameter at index 0", betas[0], 1);
    this.checkRange("beta parameter at index 1", betas[1], 1);
  }

  protected override tensorCounters(): readonly string[] {
    return ["step"];
  }

  protected initState(p: Tensor, group: ParamGroup): ParamState {
    const state: ParamState = { step: 0, exp_avg: buffer(p), exp_avg_sq: buffer(p) };
    if (group.amsgrad) state.max_exp_avg_sq = buffer(p);
    return state;
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const { round, fma } = floatMath(p.dtype);
    const [beta1, beta2] = group.betas as [number, number];
    const { lr } = group;
    const weightDecay = group.weightDecay as number;
    const step = (state.step as number) + 1;
    state.step = step;
    const bias1 = 1 - powInt(beta1, step);
    const bias2Sqrt = round(Math.sqrt(1 - powInt(beta2, step)));
    const negStepSize = round(-(lr / bias1));
    const [b1, b2, keep1, keep2] = [round(beta1), round(beta2), round(1 - beta1), round(1 - beta2)];
    const [wd, eps, shrink] = [round(weightDecay), round(group.eps as number), round(1 - lr * weightDecay)];
    const name = this.constructor.name;
    const values = writable(name, p);
    const g = readable(grad);
    const m = writable(name, state.exp_avg as Tensor);
    const v = writable(name, state.exp_avg_sq as Tensor);
    const vMax = group.amsgrad ? writable(name, state.max_exp_avg_sq as Tensor) : null;
    for (let i = 0; i < values.length; i++) {
      let pi = values[i] as number;
      let gi = g[i] as number;
      if (this.decoupled) pi = round(pi * shrink);
      else if (weightDecay !== 0) gi = fma(wd, pi, gi);
      const mi = fma(keep1, gi, round((m[i] as number) * b1));
      const vi = fma(round(keep2 * gi), gi, round((v[i] as number) * b2));
      m[i] = mi;
      v[i] = vi;
      let second = vi;
      if (vMax) {
        // torch.maximum: NaN wins, as Math.max's does.
        second = Math.max(vMax[i] as number, vi);
        vMax[i] = second;
      }
      const denom = round(round(round(Math.sqrt(second)) / bias2Sqrt) + eps);
      values[i] = round(pi + round(round(negStepSize * mi) / denom));
    }
    touched(p);
  }

  protected updateOnDevice(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const { lr } = group;
    const weightDecay = group.weightDecay as number;
    const step = (state.step as number) + 1;
    state.step = step;
    let g = grad;
    if (this.decoupled) p.mul_(1 - lr * weightDecay);
    else if (weightDecay !== 0) g = g.add(p.mul(weightDecay));
    const [m, v] = [state.exp_avg as Tensor, state.exp_avg_sq as Tensor];
    m.mul_(beta1).add_(g.mul(1 - beta1));
    v.mul_(beta2).add_(g.mul(g).mul(1 - beta2));
    let second = v;
    if (group.amsgrad) {
      // torch.maximum(max, v, out=max) as a new state tensor: the same values, no aliasing out=.
      second = (state.max_exp_avg_sq as Tensor).maximum(v);
      state.max_exp_avg_sq = second;
    }
    const bias2Sqrt = Math.sqrt(1 - powInt(beta2, step));
    const denom = second
      .sqrt()
      .div(bias2Sqrt)
      .add(group.eps as number);
    p.sub_(m.div(denom).mul(lr / (1 - powInt(beta1, step))));
  }
}

/**
 * Adam (`torch.optim.Adam`), with L2 weight decay and AMSGrad, in PyTorch 1.13's order of float32
 * operations: `g += wd·p`, `m = β1·m + (1-β1)·g`, `v = β2·v + (1-β2)·g²`,
 * `p -= lr / (1-β1ᵗ) · m / (√v / √(1-β2ᵗ) + eps)` (with AMSGrad, the running max of v).
 *
 * @example
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.Adam([w], { lr: 0.1 });
 * w.pow(2).sum().backward();
 * opt.step();
 * w.tolist(); // [0.9, -0.9]
 */
export class Adam extends AdamBase {
  /** Adam adds weight decay to the gradient. */
  protected readonly decoupled = false;
  constructor(params: readonly Tensor[] | readonly ParamGroupInput[], options: AdamOptions = {}) {
    super("Adam", params, adamDefaults(options, 0));
  }
}

/**
 * AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay, `p *= 1 - lr·wd` before the Adam
 * update (default `weightDecay` 1e-2).
 *
 * @example
 * const w = torch.tensor([1, -1], { requiresGrad: true });
 * const opt = new torch.optim.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
 * w.pow(2).sum().backward();
 * opt.step();
 * w.tolist(); // [0.85, -0.85]
 */
export class AdamW extends AdamBase {
  /** AdamW shrinks the parameters instead. */
  protected readonly decoupled = true;
  constructor(params: readonly Tensor[] | readonly ParamGroupInput[], options: AdamOptions = {}) {
    super("AdamW", params, adamDefaults(options, 1e-2));
  }
}

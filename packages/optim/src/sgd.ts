import type { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { floatMath } from "./float-math.js";
import { Optimizer, type ParamGroup, type ParamGroupInput, type ParamState } from "./optimizer.js";
import { buffer, readable, touched, writable } from "./values.js";

/**
 * Options of `SGD` (PyTorch's keyword arguments in camelCase).
 *
 * @example
 * const options: SGDOptions = { lr: 0.1, momentum: 0.9, nesterov: true };
 * new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], options).paramGroups[0]!.nesterov; // true
 */
export interface SGDOptions {
  /** The learning rate (required). */
  lr: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay
 * (`torch.optim.SGD`). Each step is PyTorch 1.13's `_single_tensor_sgd`, in PyTorch's float32
 * operations: `d = g + wd·p`, `buf = momentum·buf + (1 - dampening)·d` (the first step's buf is d),
 * `d = nesterov ? d + momentum·buf : buf`, `p = p - lr·d`.
 *
 * @example
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * for (let i = 0; i < 2; i++) {
 *   opt.zeroGrad();
 *   w.pow(2).sum().backward();
 *   opt.step();
 * }
 * w.tolist(); // [0.46, 0.92]
 */
export class SGD extends Optimizer {
  constructor(params: readonly Tensor[] | readonly ParamGroupInput[], options: SGDOptions) {
    super("SGD", params, {
      lr: options?.lr,
      momentum: options?.momentum ?? 0,
      dampening: options?.dampening ?? 0,
      weightDecay: options?.weightDecay ?? 0,
      nesterov: options?.nesterov ?? false,
    });
  }

  protected validate(group: ParamGroup): void {
    this.checkRange("lr", group.lr);
    this.checkRange("momentum", group.momentum);
    this.checkRange("weightDecay", group.weightDecay);
    if (typeof group.dampening !== "number")
      throw new TorchletError(`SGD: invalid dampening ${String(group.dampening)}`);
    if (group.nesterov && ((group.momentum as number) <= 0 || group.dampening !== 0))
      throw new TorchletError("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected initState(): ParamState {
    return {};
  }

  protected update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const { round, fma } = floatMath(p.dtype);
    const [weightDecay, momentum] = [group.weightDecay as number, group.momentum as number];
    const wd = round(weightDecay);
    const mom = round(momentum);
    const keep = round(1 - (group.dampening as number));
    const negLr = round(-group.lr);
    const nesterov = group.nesterov as boolean;
    const first = momentum !== 0 && state.momentum_buffer === undefined;
    if (first) state.momentum_buffer = buffer(p);
    const buf = momentum !== 0 ? writable("SGD", state.momentum_buffer as Tensor) : null;
    const values = writable("SGD", p);
    const g = readable(grad);
    for (let i = 0; i < values.length; i++) {
      const pi = values[i] as number;
      let d = g[i] as number;
      if (weightDecay !== 0) d = fma(wd, pi, d);
      if (buf) {
        const b = first ? d : fma(keep, d, round((buf[i] as number) * mom));
        buf[i] = b;
        d = nesterov ? fma(mom, b, d) : b;
      }
      values[i] = fma(negLr, d, pi);
    }
    touched(p);
  }

  protected updateOnDevice(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void {
    const [weightDecay, momentum] = [group.weightDecay as number, group.momentum as number];
    let d = weightDecay !== 0 ? grad.add(p.mul(weightDecay)) : grad;
    if (momentum !== 0) {
      const buf = state.momentum_buffer as Tensor | undefined;
      if (buf === undefined) state.momentum_buffer = d.clone();
      else buf.mul_(momentum).add_(d.mul(1 - (group.dampening as number)));
      const b = state.momentum_buffer as Tensor;
      d = group.nesterov ? d.add(b.mul(momentum)) : b;
    }
    p.sub_(d.mul(group.lr));
  }
}

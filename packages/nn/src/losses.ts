import type { Tensor } from "@torchlet/autograd";
import { type LossOptions, l1Loss, mseLoss, type Reduction } from "./functional.js";
import { Module } from "./module.js";

/** What every loss module holds: its reduction (PyTorch's `_Loss`). */
abstract class Loss extends Module {
  /** `"mean"`, `"sum"` or `"none"`. */
  readonly reduction: Reduction;
  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
  }
}

/**
 * The mean (or summed, or elementwise) squared error (`torch.nn.MSELoss`); call
 * `lossFn.forward(input, target)`.
 *
 * @example
 * const lossFn = new torch.nn.MSELoss();
 * lossFn.forward(torch.tensor([1, 2]), torch.tensor([0, 0])).item(); // 2.5
 * new torch.nn.MSELoss({ reduction: "sum" }).forward(torch.tensor([1, 2]), torch.tensor([0, 0])).item(); // 5
 */
export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/**
 * The mean (or summed, or elementwise) absolute error (`torch.nn.L1Loss`).
 *
 * @example
 * new torch.nn.L1Loss().forward(torch.tensor([1, -2]), torch.tensor([0, 0])).item(); // 1.5
 */
export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

import type { Tensor } from "@torchlet/autograd";
import {
  type BinaryLossOptions,
  type BinaryWithLogitsOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type ClassLossOptions,
  type CrossEntropyOptions,
  crossEntropy,
  type LossOptions,
  l1Loss,
  mseLoss,
  nllLoss,
  type Reduction,
} from "./functional.js";
import { Module } from "./module.js";

/** What every loss module holds: its reduction and options (PyTorch's `_Loss`). */
abstract class Loss<Options extends LossOptions = LossOptions> extends Module {
  /** `"mean"`, `"sum"` or `"none"`. */
  readonly reduction: Reduction;
  /** The options given, passed to the functional form. */
  readonly options: Options;
  constructor(options: Options = {} as Options) {
    super();
    this.reduction = options.reduction ?? "mean";
    this.options = { ...options };
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

/**
 * The negative log likelihood of log-probabilities at int64 class indices (`torch.nn.NLLLoss`); see
 * `functional.nllLoss`.
 *
 * @example
 * const lossFn = new torch.nn.NLLLoss({ weight: torch.tensor([1, 3]) });
 * lossFn.forward(torch.tensor([[-0.5, -1], [-2, -0.1]]), torch.tensor([0, 1], { dtype: "int64" })).item(); // 0.2
 * lossFn.toString(); // "NLLLoss()"
 */
export class NLLLoss extends Loss<ClassLossOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}

/**
 * The cross entropy of logits against int64 class indices or class probabilities
 * (`torch.nn.CrossEntropyLoss`); see `functional.crossEntropy`.
 *
 * @example
 * const lossFn = new torch.nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * lossFn.forward(torch.tensor([[2, 0, 0]]), torch.tensor([0], { dtype: "int64" })).item(); // 0.3729
 * lossFn.toString(); // "CrossEntropyLoss()"
 */
export class CrossEntropyLoss extends Loss<CrossEntropyOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }
}

/**
 * The binary cross entropy of probabilities (`torch.nn.BCELoss`); see `functional.binaryCrossEntropy`.
 *
 * @example
 * new torch.nn.BCELoss().forward(torch.tensor([0.8, 0.1]), torch.tensor([1, 0])).item(); // 0.1643
 */
export class BCELoss extends Loss<BinaryLossOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.options);
  }
}

/**
 * The binary cross entropy of logits, in a stable form (`torch.nn.BCEWithLogitsLoss`); see
 * `functional.binaryCrossEntropyWithLogits`.
 *
 * @example
 * new torch.nn.BCEWithLogitsLoss().forward(torch.tensor([0, 1e4]), torch.tensor([1, 1])).item(); // 0.3466
 */
export class BCEWithLogitsLoss extends Loss<BinaryWithLogitsOptions> {
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

import type { Tensor } from "@torchlet/autograd";
import { checkProbability } from "./checks.js";
import {
  dropout,
  elu,
  type GeluApproximate,
  gelu,
  leakyRelu,
  logSoftmax,
  relu,
  sigmoid,
  silu,
  softmax,
  tanh,
} from "./functional.js";
import { Module } from "./module.js";
import { py } from "./repr.js";

/**
 * max(x, 0) (`torch.nn.ReLU`).
 *
 * @example
 * new torch.nn.ReLU().forward(torch.tensor([-1, 2])).tolist(); // [0, 2]
 */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/**
 * x where x > 0, else `negativeSlope · x` (`torch.nn.LeakyReLU`).
 *
 * @example
 * new torch.nn.LeakyReLU(0.1).forward(torch.tensor([-2, 3])).tolist(); // [-0.2, 3]
 * new torch.nn.LeakyReLU().toString(); // "LeakyReLU(negative_slope=0.01)"
 */
export class LeakyReLU extends Module {
  constructor(
    /** The slope for x < 0 (default 0.01). */
    readonly negativeSlope = 0.01,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${this.negativeSlope}`;
  }
}

/**
 * x where x > 0, else `alpha · (exp(x) - 1)` (`torch.nn.ELU`).
 *
 * @example
 * new torch.nn.ELU().forward(torch.tensor([-1, 2])).tolist(); // [-0.6321, 2]
 * new torch.nn.ELU(0.5).toString(); // "ELU(alpha=0.5)"
 */
export class ELU extends Module {
  constructor(
    /** The value that the output approaches as x goes to -∞ is -alpha (default 1). */
    readonly alpha = 1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/**
 * The Gaussian error linear unit `x · Φ(x)` (`torch.nn.GELU`), exact or with `approximate: "tanh"`.
 *
 * @example
 * new torch.nn.GELU().forward(torch.tensor([1])).tolist(); // [0.8413]
 * new torch.nn.GELU({ approximate: "tanh" }).toString(); // "GELU(approximate='tanh')"
 */
export class GELU extends Module {
  /** "none" (exact, through erf) or "tanh". */
  readonly approximate: GeluApproximate;
  constructor(options: { approximate?: GeluApproximate } = {}) {
    super();
    this.approximate = options.approximate ?? "none";
  }
  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/**
 * `x · sigmoid(x)` (`torch.nn.SiLU`).
 *
 * @example
 * new torch.nn.SiLU().forward(torch.tensor([1])).tolist(); // [0.7311]
 */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/**
 * 1 / (1 + exp(-x)) (`torch.nn.Sigmoid`).
 *
 * @example
 * new torch.nn.Sigmoid().forward(torch.tensor([0])).tolist(); // [0.5]
 */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/**
 * The hyperbolic tangent (`torch.nn.Tanh`).
 *
 * @example
 * new torch.nn.Tanh().forward(torch.tensor([0])).tolist(); // [0]
 */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/**
 * Dropout (`torch.nn.Dropout`): in training mode zeroes each element with probability p and scales the
 * rest by 1 / (1 - p), with PyTorch's mask for the same seed; in evaluation mode (`eval()`) the identity.
 *
 * @example
 * const drop = new torch.nn.Dropout(0.3);
 * torch.manualSeed(0);
 * drop.forward(torch.ones(6)).tolist(); // [0, 0, 1.4286, 0, 1.4286, 0]
 * drop.eval().forward(torch.ones(2)).tolist(); // [1, 1]
 * drop.toString(); // "Dropout(p=0.3, inplace=False)"
 */
export class Dropout extends Module {
  constructor(
    /** The probability of zeroing an element (default 0.5). */
    readonly p = 0.5,
  ) {
    super();
    checkProbability("Dropout", p);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training });
  }
  override extraRepr(): string {
    return `p=${this.p}, inplace=${py(false)}`;
  }
}

/**
 * `exp(x) / sum(exp(x))` along `dim` (`torch.nn.Softmax`).
 *
 * @example
 * new torch.nn.Softmax(1).forward(torch.tensor([[0, Math.log(3)]])).tolist(); // [[0.25, 0.75]]
 * new torch.nn.Softmax(1).toString(); // "Softmax(dim=1)"
 */
export class Softmax extends Module {
  constructor(
    /** The dim along which the values sum to 1. */
    readonly dim: number,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * `x - logsumexp(x)` along `dim` (`torch.nn.LogSoftmax`).
 *
 * @example
 * new torch.nn.LogSoftmax(0).forward(torch.tensor([0, 0])).tolist(); // [-0.6931, -0.6931]
 * new torch.nn.LogSoftmax(-1).toString(); // "LogSoftmax(dim=-1)"
 */
export class LogSoftmax extends Module {
  constructor(
    /** The dim along which exp of the values sums to 1. */
    readonly dim: number,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

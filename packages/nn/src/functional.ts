import { noGrad, type Tensor, where, zeros } from "@torchlet/autograd";
import { bernoulli_ } from "@torchlet/data";
import { TorchletError } from "@torchlet/storage";
import { checkInput, checkNumber, checkProbability } from "./checks.js";
import { checkReduction, type LossOptions, reduce } from "./reduction.js";

// The convolution family's options types are the umbrella's (torch.Conv2dOptions, ...): a type
// re-exported here from another package would reach the bundled .d.ts as a value.
export { avgPool2d, batchNorm, conv2d, maxPool2d, maxPool2dWithIndices } from "@torchlet/autograd";
export {
  type BinaryLossOptions,
  type BinaryWithLogitsOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type ClassLossOptions,
  type CrossEntropyOptions,
  crossEntropy,
  nllLoss,
} from "./class-losses.js";
export { embedding, oneHot } from "./indices.js";
export type { LossOptions, Reduction } from "./reduction.js";

/**
 * `torch.nn.functional`: the layers and losses as functions of tensors. Each is built from torchlet's
 * differentiable tensor ops, so gradients flow through autograd.
 */

/**
 * `x · weightᵀ + bias` (`torch.nn.functional.linear`); `weight` is `[out, in]`, `bias` `[out]` or null.
 *
 * @example
 * const w = torch.tensor([[1, 2], [3, 4], [5, 6]]);
 * torch.nn.functional.linear(torch.tensor([[1, 1]]), w, torch.tensor([0, 0, 1])).tolist(); // [[3, 7, 12]]
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkInput("linear", "input", x);
  checkInput("linear", "weight", weight);
  if (bias !== null) checkInput("linear", "bias", bias);
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new TorchletError(
      `linear: input [${x.shape.join(", ")}] and weight [${weight.shape.join(", ")}]: the input's last dim must equal the weight's dim 1`,
    );
  }
  const product = x.matmul(weight.t());
  return bias === null ? product : product.add(bias);
}

/**
 * max(x, 0) (`torch.nn.functional.relu`).
 *
 * @example
 * torch.nn.functional.relu(torch.tensor([-1, 2])).tolist(); // [0, 2]
 */
export function relu(x: Tensor): Tensor {
  checkInput("relu", "input", x);
  return x.relu();
}

/**
 * x where x > 0, else `negativeSlope · x` (`torch.nn.functional.leaky_relu`).
 *
 * @example
 * torch.nn.functional.leakyRelu(torch.tensor([-2, 3]), 0.1).tolist(); // [-0.2, 3]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkInput("leakyRelu", "input", x);
  checkNumber("leakyRelu", "negativeSlope", negativeSlope);
  return where(x.gt(0), x, x.mul(negativeSlope));
}

/**
 * x where x > 0, else `alpha · (exp(x) - 1)` (`torch.nn.functional.elu`), in the order of PyTorch's
 * kernel (and of its derivative, `grad · alpha · exp(x)`).
 *
 * @example
 * torch.nn.functional.elu(torch.tensor([-1, 2])).tolist(); // [-0.6321, 2]
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkInput("elu", "input", x);
  checkNumber("elu", "alpha", alpha);
  const positive = x.gt(0);
  // exp of the negative part only: where x > 0 the unused branch would overflow, and its zero
  // gradient times exp(x) = Infinity would be NaN.
  const negative = where(positive, 0, x).exp().sub(1).mul(alpha);
  return where(positive, x, negative);
}

/**
 * GELU's two forms: the exact one through erf, or PyTorch's tanh approximation.
 *
 * @example
 * const approximate: torch.nn.functional.GeluApproximate = "tanh";
 * new torch.nn.GELU({ approximate }).approximate; // "tanh"
 */
export type GeluApproximate = "none" | "tanh";

/**
 * The Gaussian error linear unit `x · Φ(x)` (`torch.nn.functional.gelu`): `0.5 · x · (1 + erf(x / √2))`,
 * or with `approximate: "tanh"` `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
 *
 * @example
 * torch.nn.functional.gelu(torch.tensor([-1, 0, 1])).tolist(); // [-0.1587, 0, 0.8413]
 * torch.nn.functional.gelu(torch.tensor([1]), { approximate: "tanh" }).tolist(); // [0.8412]
 */
export function gelu(x: Tensor, options: { approximate?: GeluApproximate } = {}): Tensor {
  checkInput("gelu", "input", x);
  const approximate = options.approximate ?? "none";
  if (approximate === "none") return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
  if (approximate !== "tanh") {
    throw new TorchletError(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  }
  const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
  return x.mul(0.5).mul(inner.tanh().add(1));
}

/**
 * `x · sigmoid(x)`, computed as PyTorch's kernel does: `x / (1 + exp(-x))` (`torch.nn.functional.silu`).
 *
 * @example
 * torch.nn.functional.silu(torch.tensor([0, 1])).tolist(); // [0, 0.7311]
 */
export function silu(x: Tensor): Tensor {
  checkInput("silu", "input", x);
  return x.div(x.neg().exp().add(1));
}

/**
 * 1 / (1 + exp(-x)) (`torch.nn.functional.sigmoid`).
 *
 * @example
 * torch.nn.functional.sigmoid(torch.tensor([0])).tolist(); // [0.5]
 */
export function sigmoid(x: Tensor): Tensor {
  checkInput("sigmoid", "input", x);
  return x.sigmoid();
}

/**
 * The hyperbolic tangent (`torch.nn.functional.tanh`).
 *
 * @example
 * torch.nn.functional.tanh(torch.tensor([0])).tolist(); // [0]
 */
export function tanh(x: Tensor): Tensor {
  checkInput("tanh", "input", x);
  return x.tanh();
}

/**
 * `exp(x) / sum(exp(x))` along `dim`, stable for large values (`torch.nn.functional.softmax`).
 *
 * @example
 * torch.nn.functional.softmax(torch.tensor([[1, 2, 3]]), 1).tolist(); // [[0.0900, 0.2447, 0.6652]]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  checkInput("softmax", "input", x);
  return x.softmax(dim);
}

/**
 * `x - logsumexp(x)` along `dim`, stable for large values (`torch.nn.functional.log_softmax`).
 *
 * @example
 * torch.nn.functional.logSoftmax(torch.tensor([1e4, 0]), 0).tolist(); // [0, -10000]
 */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  checkInput("logSoftmax", "input", x);
  return x.logSoftmax(dim);
}

/**
 * `log(1 + exp(beta · x)) / beta`, and x itself where `beta · x > threshold` (PyTorch's kernel, for
 * stability) (`torch.nn.functional.softplus`).
 *
 * @example
 * torch.nn.functional.softplus(torch.tensor([0, 30])).tolist(); // [0.6931, 30]
 * torch.nn.functional.softplus(torch.tensor([1]), 2).tolist(); // [1.0635]
 */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  checkInput("softplus", "input", x);
  checkNumber("softplus", "beta", beta);
  checkNumber("softplus", "threshold", threshold);
  const scaled = x.mul(beta);
  const linear = scaled.gt(threshold);
  // exp only where it is used: elsewhere exp(beta · x) could overflow, and 0 · Infinity in its
  // derivative would be NaN.
  const smooth = where(linear, 0, scaled).exp().log1p().div(beta);
  return where(linear, x, smooth);
}

/**
 * Options of `dropout`.
 *
 * @example
 * const options: DropoutOptions = { training: false };
 * torch.nn.functional.dropout(torch.ones(3), 0.5, options).tolist(); // [1, 1, 1]
 */
export interface DropoutOptions {
  /** Drop (true, the default) or pass the input through unchanged (evaluation). */
  training?: boolean;
}

/**
 * Zeroes each element with probability p and scales the rest by 1 / (1 - p) while training
 * (`torch.nn.functional.dropout`). As PyTorch's CPU kernel: a mask `bernoulli_(1 - p)` drawn from the
 * global generator, divided by 1 - p, times x (the gradient is the mask times the upstream gradient).
 *
 * @example
 * torch.manualSeed(0);
 * torch.nn.functional.dropout(torch.ones(6), 0.3).tolist(); // [0, 0, 1.4286, 0, 1.4286, 0]
 * torch.nn.functional.dropout(torch.ones(2), 0.3, { training: false }).tolist(); // [1, 1]
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkInput("dropout", "input", x);
  checkProbability("dropout", p);
  if (!(options.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  // the generator lives on the CPU: a device's mask is the CPU's for the same seed, uploaded
  const noise = noGrad(() => bernoulli_(zeros(x.shape, { dtype: x.dtype }), 1 - p).div_(1 - p));
  return x.mul(noise.to(x.device));
}

/**
 * The squared error `(input - target)²` (broadcasting, as PyTorch does), reduced (`torch.nn.functional.mse_loss`).
 *
 * @example
 * torch.nn.functional.mseLoss(torch.tensor([1, 2]), torch.tensor([0, 0])).item(); // 2.5
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkInput("mseLoss", "input", input);
  checkInput("mseLoss", "target", target);
  const reduction = checkReduction("mseLoss", options.reduction ?? "mean");
  return reduce(input.sub(target).pow(2), reduction);
}

/**
 * The absolute error `|input - target|`, reduced (`torch.nn.functional.l1_loss`).
 *
 * @example
 * torch.nn.functional.l1Loss(torch.tensor([1, -2]), torch.tensor([0, 0])).item(); // 1.5
 */
export function l1Loss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkInput("l1Loss", "input", input);
  checkInput("l1Loss", "target", target);
  const reduction = checkReduction("l1Loss", options.reduction ?? "mean");
  return reduce(input.sub(target).abs(), reduction);
}

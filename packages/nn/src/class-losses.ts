import { noGrad, type Tensor, where } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { checkReduction, type LossOptions, type Reduction, reduce } from "./reduction.js";

/**
 * Options of `nllLoss` and `crossEntropy`.
 *
 * @example
 * const options: torch.nn.functional.ClassLossOptions = { ignoreIndex: 0, reduction: "sum" };
 * const logp = torch.tensor([[0, -1], [-2, -3]]);
 * torch.nn.functional.nllLoss(logp, torch.tensor([0, 1], { dtype: "int64" }), options).item(); // 3
 */
export interface ClassLossOptions extends LossOptions {
  /** A `[C]` rescaling weight for each class (default: all ones). */
  weight?: Tensor | null;
  /** A target class index whose elements count for nothing, in the loss or the mean (default -100). */
  ignoreIndex?: number;
}

/**
 * Options of `crossEntropy`.
 *
 * @example
 * const options: torch.nn.functional.CrossEntropyOptions = { labelSmoothing: 0.1 };
 * torch.nn.functional.crossEntropy(torch.zeros(1, 2), torch.tensor([0], { dtype: "int64" }), options).item(); // 0.6931
 */
export interface CrossEntropyOptions extends ClassLossOptions {
  /** In [0, 1]: the target becomes `(1 - labelSmoothing)` on its class plus `labelSmoothing / C` on every class. */
  labelSmoothing?: number;
}

const shape = (t: Tensor): string => `[${t.shape.join(", ")}]`;

/** The class dim of an input: 0 for an unbatched `[C]` input, else 1 (`[N, C, d1, ...]`). */
function classDim(input: Tensor): number {
  return input.ndim === 1 ? 0 : 1;
}

/** Class-index targets must be int64, shaped as the input without its class dim, within [0, C) or ignored. */
function checkClassTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): void {
  if (input.ndim === 0) throw new TorchletError(`${op}: input must have a class dim, got a 0-d tensor`);
  if (target.dtype !== "int64")
    throw new TorchletError(`${op}: expected an int64 class-index target, got ${target.dtype}`);
  const dim = classDim(input);
  const expected = input.shape.filter((_, i) => i !== dim);
  if (expected.length !== target.ndim || expected.some((s, i) => s !== target.shape[i])) {
    throw new TorchletError(
      `${op}: input ${shape(input)} needs a target of shape [${expected.join(", ")}], got ${shape(target)}`,
    );
  }
  const classes = input.shape[dim] as number;
  // A device's values cannot be read synchronously: there an index out of range is reported by the
  // gather that uses it, at the next read (see @torchlet/webgpu's README).
  if (target.device !== "cpu") return;
  for (const value of target.toTypedArray()) {
    const index = Number(value);
    if (index !== ignoreIndex && (index < 0 || index >= classes))
      throw new TorchletError(`${op}: Target ${index} is out of bounds (${classes} classes)`);
  }
}

function checkWeight(op: string, weight: Tensor | null, classes: number): void {
  if (weight !== null && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new TorchletError(`${op}: weight ${shape(weight)} must be [${classes}], one per class`);
  }
}

/** Each element's class weight (0 where ignored) and the ignored mask, shaped as the target. */
function targetWeights(
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
): { ignored: Tensor; safeTarget: Tensor; weights: Tensor } {
  const ignored = target.eq(ignoreIndex);
  const safeTarget = target.maskedFill(ignored, 0);
  const perElement =
    weight === null
      ? target.ne(ignoreIndex).to(input.dtype)
      : weight
          .indexSelect(0, safeTarget.flatten())
          .reshape([...target.shape])
          .maskedFill(ignored, 0);
  return { ignored, safeTarget, weights: perElement };
}

/**
 * The negative log likelihood of log-probabilities `input` (`[C]`, `[N, C]` or `[N, C, d1, ...]`) at the
 * int64 class indices `target` (`torch.nn.functional.nll_loss`): `-weight[t] · input[t]`; the mean divides
 * by the sum of the weights of the elements not ignored, as PyTorch does.
 *
 * @example
 * const logp = torch.tensor([[-0.5, -1], [-2, -0.1]]);
 * torch.nn.functional.nllLoss(logp, torch.tensor([0, 1], { dtype: "int64" })).item(); // 0.3
 * torch.nn.functional.nllLoss(logp, torch.tensor([0, 2], { dtype: "int64" })); // throws Target 2 is out of bounds
 */
export function nllLoss(input: Tensor, target: Tensor, options: ClassLossOptions = {}): Tensor {
  const reduction = checkReduction("nllLoss", options.reduction ?? "mean");
  checkWeight(
    "nllLoss",
    options.weight ?? null,
    input.ndim === 0 ? 0 : (input.shape[classDim(input)] as number),
  );
  return negativeLogLikelihood(
    "nllLoss",
    input,
    target,
    options.weight ?? null,
    options.ignoreIndex ?? -100,
    reduction,
  );
}

/** `nllLoss` once the reduction and weight are checked; `op` names the caller in errors. */
function negativeLogLikelihood(
  op: string,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
  reduction: Reduction,
): Tensor {
  checkClassTarget(op, input, target, ignoreIndex);
  const dim = classDim(input);
  const { safeTarget, weights } = targetWeights(input, target, weight, ignoreIndex);
  const picked = input.gather(dim, safeTarget.unsqueeze(dim)).squeeze(dim);
  const losses = picked.mul(weights).neg();
  if (reduction === "mean") return losses.sum().div(weights.sum());
  return reduce(losses, reduction);
}

/**
 * The cross entropy of logits `input` (`[C]`, `[N, C]` or `[N, C, d1, ...]`) against int64 class indices
 * (or, shaped as the input, class probabilities) `target` (`torch.nn.functional.cross_entropy`):
 * `nllLoss(logSoftmax(input, classDim), target)`, stable for large logits, with PyTorch 1.13's label
 * smoothing `(1 - ε) · nll + ε / C · Σ_c -weight[c] · logp[c]`.
 *
 * @example
 * const logits = torch.tensor([[2, 0, 0], [0, 0, 1e4]]);
 * const target = torch.tensor([0, 2], { dtype: "int64" });
 * torch.nn.functional.crossEntropy(logits, target).item(); // 0.1198
 * torch.nn.functional.crossEntropy(logits, target, { reduction: "none" }).tolist(); // [0.2395, 0]
 * torch.nn.functional.crossEntropy(logits, torch.tensor([[1, 0, 0], [0, 0, 1]])).item(); // 0.1198
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const reduction = checkReduction("crossEntropy", options.reduction ?? "mean");
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1))
    throw new TorchletError(`crossEntropy: labelSmoothing must be in [0, 1], got ${String(smoothing)}`);
  if (input.ndim === 0)
    throw new TorchletError("crossEntropy: input must have a class dim, got a 0-d tensor");
  const dim = classDim(input);
  const classes = input.shape[dim] as number;
  const weight = options.weight ?? null;
  checkWeight("crossEntropy", weight, classes);
  const logp = input.logSoftmax(dim);
  // Per class, broadcast along the class dim.
  const classWeight = weight?.reshape(input.shape.map((s, i) => (i === dim ? s : 1)));
  const weighted = classWeight === undefined ? logp : logp.mul(classWeight);
  if (target.dtype !== "int64" && target.dtype !== "int32") {
    if (target.ndim !== input.ndim || target.shape.some((s, i) => s !== input.shape[i]))
      throw new TorchletError(
        `crossEntropy: probability target ${shape(target)} must have the input's shape ${shape(input)}`,
      );
    const smoothed = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
    const losses = weighted.mul(smoothed).sum(dim).neg();
    if (reduction === "mean") return losses.sum().div(input.numel() / classes);
    return reduce(losses, reduction);
  }
  const ignoreIndex = options.ignoreIndex ?? -100;
  const nll = negativeLogLikelihood("crossEntropy", logp, target, weight, ignoreIndex, reduction);
  if (smoothing === 0) return nll;
  const { ignored, weights } = targetWeights(input, target, weight, ignoreIndex);
  const smooth = weighted.sum(dim).neg().maskedFill(ignored, 0);
  const reduced = reduction === "mean" ? smooth.sum().div(weights.sum()) : reduce(smooth, reduction);
  return nll.mul(1 - smoothing).add(reduced.mul(smoothing / classes));
}

/** Same shapes, probabilities in [0, 1] where required. */
function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i]))
    throw new TorchletError(
      `${op}: target ${shape(target)} must have the same shape as input ${shape(input)}`,
    );
}

/**
 * Options of `binaryCrossEntropy` and `binaryCrossEntropyWithLogits`.
 *
 * @example
 * const options: torch.nn.functional.BinaryLossOptions = { weight: torch.tensor([2, 0]) };
 * torch.nn.functional.binaryCrossEntropy(torch.tensor([0.5, 0.5]), torch.tensor([1, 1]), options).item(); // 0.6931
 */
export interface BinaryLossOptions extends LossOptions {
  /** A weight for each element, broadcast against the input (default: none). */
  weight?: Tensor | null;
}

/**
 * The binary cross entropy of probabilities `input` against targets in [0, 1]
 * (`torch.nn.functional.binary_cross_entropy`): `-weight · (t · log(x) + (1 - t) · log(1 - x))`, each log
 * clamped at -100 as PyTorch does, so that x = 0 or 1 gives a finite loss.
 *
 * @example
 * torch.nn.functional.binaryCrossEntropy(torch.tensor([0.8, 0.1]), torch.tensor([1, 0])).item(); // 0.1643
 * torch.nn.functional.binaryCrossEntropy(torch.tensor([0]), torch.tensor([1])).item(); // 100
 * torch.nn.functional.binaryCrossEntropy(torch.tensor([2]), torch.tensor([1])); // throws between 0 and 1
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BinaryLossOptions = {}): Tensor {
  const reduction = checkReduction("binaryCrossEntropy", options.reduction ?? "mean");
  checkSameShape("binaryCrossEntropy", input, target);
  // A device's values cannot be read synchronously: there, as on PyTorch's GPUs, the range goes
  // unchecked (an input outside [0, 1] gives NaN where its log is undefined).
  const outside =
    input.device === "cpu" && noGrad(() => input.lt(0).any().item() || input.gt(1).any().item());
  if (outside) throw new TorchletError("binaryCrossEntropy: all elements of input should be between 0 and 1");
  // PyTorch's kernel: (t - 1) · max(log1p(-x), -100) - t · max(log(x), -100), each log taken only where
  // it is finite, so that the branch not taken has no infinite derivative.
  const clampedLog = (p: Tensor, log: (q: Tensor) => Tensor, edge: number): Tensor => {
    const inside = p.ne(edge);
    const value = where(inside, log(where(inside, p, edge === 0 ? 1 : 0)), -100);
    return where(value.lt(-100), -100, value);
  };
  const logX = clampedLog(input, (q) => q.log(), 0);
  const log1mX = clampedLog(input, (q) => q.neg().log1p(), 1);
  const losses = target.sub(1).mul(log1mX).sub(target.mul(logX));
  const weighted = options.weight ? losses.mul(options.weight) : losses;
  return reduce(weighted, reduction);
}

/**
 * Options of `binaryCrossEntropyWithLogits`.
 *
 * @example
 * const options: torch.nn.functional.BinaryWithLogitsOptions = { posWeight: torch.tensor([3]) };
 * torch.nn.functional.binaryCrossEntropyWithLogits(torch.tensor([0]), torch.tensor([1]), options).item(); // 2.0794
 */
export interface BinaryWithLogitsOptions extends BinaryLossOptions {
  /** A weight of the positive term for each class, broadcast against the input's last dims (default: none). */
  posWeight?: Tensor | null;
}

/**
 * `binaryCrossEntropy(sigmoid(input), target)` computed from the logits in PyTorch's stable form
 * (`torch.nn.functional.binary_cross_entropy_with_logits`): with m = max(-x, 0),
 * `(1 - t) · x + m + log(exp(-m) + exp(-x - m))`, the log term times `1 + (posWeight - 1) · t` when
 * `posWeight` is given.
 *
 * @example
 * torch.nn.functional.binaryCrossEntropyWithLogits(torch.tensor([1e4, -1e4]), torch.tensor([1, 0])).item(); // 0
 * torch.nn.functional.binaryCrossEntropyWithLogits(torch.tensor([0]), torch.tensor([1])).item(); // 0.6931
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options: BinaryWithLogitsOptions = {},
): Tensor {
  const reduction = checkReduction("binaryCrossEntropyWithLogits", options.reduction ?? "mean");
  checkSameShape("binaryCrossEntropyWithLogits", input, target);
  const maxVal = input.neg().relu();
  const logTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log();
  const linearTerm = target.neg().add(1).mul(input);
  const posWeight = options.posWeight ?? null;
  const losses =
    posWeight === null
      ? linearTerm.add(maxVal).add(logTerm)
      : linearTerm.add(posWeight.sub(1).mul(target).add(1).mul(logTerm.add(maxVal)));
  const weighted = options.weight ? losses.mul(options.weight) : losses;
  return reduce(weighted, reduction);
}

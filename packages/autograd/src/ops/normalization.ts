import { copyInto, fmtShape, isFloating, StridedArray, TorchletError } from "@torchlet/storage";
import { noGrad } from "../grad-mode.js";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";

/**
 * Options of `batchNorm` (PyTorch's keyword arguments): `training` (normalise with the batch's
 * statistics and update the running ones, default false), `momentum` (the running statistics' update
 * weight, default 0.1) and `eps` (added to the variance, default 1e-5).
 *
 * @example
 * const options: BatchNormOptions = { training: true, momentum: 0.1 };
 * const mean = torch.zeros(2);
 * torch.batchNorm(torch.tensor([[1, 2], [3, 6]]), mean, torch.ones(2), null, null, options);
 * mean.tolist(); // [0.2, 0.4]
 */
export interface BatchNormOptions {
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/** What batchNorm's derivative row reads: the reduced dims, and in evaluation the statistics used. */
export interface BatchNormAttrs {
  training: boolean;
  eps: number;
  /** Every dim but the channels' (1). */
  dims: number[];
  /** Evaluation only: the running mean and 1/sqrt(running var + eps) as used, shaped to broadcast. */
  mean: Tensor | null;
  invstd: Tensor | null;
}

/**
 * Batch normalisation over dim 1 (PyTorch's `batch_norm`): `(x - mean) / sqrt(var + eps) * weight + bias`
 * with the batch's mean and biased variance when training (then the running statistics move towards
 * them, the variance unbiased, in place), the running ones otherwise. On the CPU the statistics are
 * computed in float64, as PyTorch's CPU kernel accumulates; on a device in the input's dtype (WGSL has
 * no float64, and PyTorch's GPU kernels accumulate in float32 too).
 */
export function batchNorm(
  kit: OpKit,
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null,
  bias: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  const op = "batchNorm";
  const { training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (x.ndim < 2 || !isFloating(x.dtype)) {
    throw new TorchletError(
      `${op}: expected a float input of at least 2 dims, got ${x.dtype} ${fmtShape(x.shape)}`,
    );
  }
  const channels = x.shape[1] as number;
  for (const [name, t] of [
    ["running_mean", runningMean],
    ["running_var", runningVar],
    ["weight", weight],
    ["bias", bias],
  ] as const) {
    if (t !== null && t.numel() !== channels) {
      throw new TorchletError(
        `${op}: ${name} should contain ${channels} elements not ${t.numel()} (input ${fmtShape(x.shape)})`,
      );
    }
  }
  if (!training && (runningMean === null || runningVar === null)) {
    throw new TorchletError(`${op}: running_mean and running_var must be defined in evaluation mode`);
  }
  const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
  const count = x.numel() / Math.max(channels, 1);
  if (training && count <= 1) {
    throw new TorchletError(
      `${op}: Expected more than 1 value per channel when training, got input size ${fmtShape(x.shape)}`,
    );
  }
  const perChannel = x.shape.map((s, d) => (d === 1 ? s : 1));
  const acc = x.device === "cpu" ? "float64" : x.dtype;
  const { out, mean, invstd } = noGrad(() => {
    const x64 = x.to(acc);
    const mean = training ? x64.mean(dims, true) : (runningMean as Tensor).to(acc).reshape(perChannel);
    const variance = training
      ? x64.var(dims, { correction: 0, keepdim: true })
      : (runningVar as Tensor).to(acc).reshape(perChannel);
    const invstd = variance.add(eps).rsqrt();
    const alpha = weight === null ? invstd : invstd.mul(weight.to(acc).reshape(perChannel));
    const shift =
      bias === null ? mean.mul(alpha).neg() : bias.to(acc).reshape(perChannel).sub(mean.mul(alpha));
    const out = x.mul(alpha.to(x.dtype)).add(shift.to(x.dtype));
    if (training && runningMean !== null && runningVar !== null) {
      const unbiased = variance.mul(count / (count - 1));
      update(runningMean, mean, momentum);
      update(runningVar, unbiased, momentum);
    }
    return { out, mean: mean.to(x.dtype), invstd: invstd.to(x.dtype) };
  });
  // absent weight and bias act as ones and zeros, outside the graph
  const w =
    weight ??
    kit
      .wrap(StridedArray.zeros([channels], x.dtype))
      .add(1)
      .to(x.device);
  const b = bias ?? kit.wrap(StridedArray.zeros([channels], x.dtype)).to(x.device);
  const attrs: BatchNormAttrs = {
    training,
    eps,
    dims,
    // copies: the running statistics may change before backward runs
    mean: training ? null : mean.clone(),
    invstd: training ? null : invstd.clone(),
  };
  return kit.record("batchNorm", [x, w, b], out._array, attrs);
}

/** `running = (1 - momentum) * running + momentum * value`, in float64 on the CPU, written in place. */
function update(running: Tensor, value: Tensor, momentum: number): void {
  if (running.device !== "cpu") {
    running.mul_(1 - momentum).add_(value.reshape(running.shape).mul(momentum));
    return;
  }
  const next = running
    .to("float64")
    .mul(1 - momentum)
    .add(value.reshape(running.shape).mul(momentum));
  copyInto(running._array, next._array);
  running._version.value++;
}

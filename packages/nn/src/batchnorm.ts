import { batchNorm, full, noGrad, type Tensor, zeros, zerosLike } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { py, pyFloat } from "./repr.js";

/**
 * Options of `BatchNorm1d`/`BatchNorm2d`, PyTorch's: `eps` (1e-5), `momentum` (0.1; null: a cumulative
 * average over the batches seen), `affine` (learnable weight and bias, default true) and
 * `trackRunningStats` (keep running statistics for evaluation, default true).
 *
 * @example
 * const options: BatchNormModuleOptions = { momentum: null, affine: false };
 * new torch.nn.BatchNorm1d(4, options).weight; // null
 */
export interface BatchNormModuleOptions {
  eps?: number;
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * PyTorch's `_BatchNorm`: weight ones, bias zeros, buffers `running_mean` (zeros), `running_var` (ones)
 * and `num_batches_tracked` (int64), saved in `stateDict()` after the parameters under PyTorch's names.
 * In training mode it normalises with the batch's statistics and updates the running ones (the
 * variance unbiased); in evaluation mode it normalises with the running ones.
 */
abstract class BatchNorm extends Module {
  /** The channels (dim 1 of the input). */
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** `[numFeatures]`, or null without `affine`. */
  weight: Tensor | null;
  /** `[numFeatures]`, or null without `affine`. */
  bias: Tensor | null;

  constructor(numFeatures: number, options: BatchNormModuleOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new TorchletError(
        `${new.target.name}: num_features must be a positive integer, got ${numFeatures}`,
      );
    }
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? Parameter(full([numFeatures], 1)) : null;
    this.bias = this.affine ? Parameter(zeros([numFeatures])) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures]));
      this.registerBuffer("running_var", full([numFeatures], 1));
      this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int64" }));
    }
  }

  /** The running mean (`running_mean`), or null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return this.trackRunningStats ? this.buffer("running_mean") : null;
  }

  /** The running (unbiased) variance (`running_var`), or null without `trackRunningStats`. */
  get runningVar(): Tensor | null {
    return this.trackRunningStats ? this.buffer("running_var") : null;
  }

  /** The training batches seen (`num_batches_tracked`, int64 0-d), or null without `trackRunningStats`. */
  get numBatchesTracked(): Tensor | null {
    return this.trackRunningStats ? this.buffer("num_batches_tracked") : null;
  }

  /** Refuses an input of the wrong rank (PyTorch's `_check_input_dim`). */
  protected abstract checkInputDim(x: Tensor): void;

  forward(x: Tensor): Tensor {
    this.checkInputDim(x);
    let momentum = this.momentum ?? 0;
    const tracked = this.numBatchesTracked;
    if (this.training && tracked !== null) {
      noGrad(() => tracked.add_(1));
      if (this.momentum === null) {
        // off the CPU the count stays on the device, where a synchronous item() cannot read it
        if (tracked.device !== "cpu") return this.cumulativeOnDevice(x, tracked);
        momentum = 1 / Number(tracked.item());
      }
    }
    // in evaluation without running statistics, the batch's are used, as PyTorch does
    const training = this.training || this.runningMean === null;
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training,
      momentum,
      eps: this.eps,
    });
  }

  /**
   * Training with `momentum: null` on a device: the running statistics move towards the batch's by
   * 1/num_batches_tracked, a tensor there. batchNorm with momentum 1 leaves the batch's statistics in
   * the zeros it is given.
   */
  private cumulativeOnDevice(x: Tensor, tracked: Tensor): Tensor {
    const mean = this.runningMean as Tensor;
    const variance = this.runningVar as Tensor;
    const [batchMean, batchVar] = [zerosLike(mean), zerosLike(variance)];
    const y = batchNorm(x, batchMean, batchVar, this.weight, this.bias, {
      training: true,
      momentum: 1,
      eps: this.eps,
    });
    noGrad(() => {
      const weight = tracked.to(mean.dtype).reciprocal();
      const keep = weight.neg().add(1);
      mean.mul_(keep).add_(batchMean.mul(weight));
      variance.mul_(keep).add_(batchVar.mul(weight));
    });
    return y;
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${py(this.affine)}, track_running_stats=${py(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation of `[batch, features]` or `[batch, features, length]` inputs (`torch.nn.BatchNorm1d`).
 *
 * @example
 * const bn = new torch.nn.BatchNorm1d(2);
 * bn.forward(torch.tensor([[1, 10], [3, 30]])).tolist(); // [[-1, -1], [1, 1]]
 * bn.runningMean!.tolist(); // [0.2, 2]
 * Object.keys(bn.stateDict()); // ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
 * bn.toString(); // "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
 */
export class BatchNorm1d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new TorchletError(
        `BatchNorm1d(${this.numFeatures}): expected 2D or 3D input (got ${x.ndim}D input)`,
      );
    }
  }
}

/**
 * Batch normalisation of `[batch, channels, h, w]` inputs, per channel (`torch.nn.BatchNorm2d`).
 *
 * @example
 * const bn = new torch.nn.BatchNorm2d(8);
 * bn.forward(torch.randn(4, 8, 5, 5)).shape; // [4, 8, 5, 5]
 * bn.numBatchesTracked!.item(); // 1
 * bn.forward(torch.zeros(4, 8)); // throws TorchletError: BatchNorm2d(8): expected 4D input (got 2D input)
 */
export class BatchNorm2d extends BatchNorm {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) {
      throw new TorchletError(`BatchNorm2d(${this.numFeatures}): expected 4D input (got ${x.ndim}D input)`);
    }
  }
}

import { TorchletError } from "@torchlet/storage";
import { Optimizer, type ParamGroup } from "./optimizer.js";

/**
 * `torch.optim.lr_scheduler`: learning-rate schedules that rewrite each group's `lr` on `step()`, with
 * PyTorch 1.13's recursive (chainable) formulas, so the rates are PyTorch's doubles.
 */

/**
 * The base of the schedulers (`torch.optim.lr_scheduler._LRScheduler`): on construction it records
 * each group's `initialLr` and takes the first step (epoch 0); `step()` advances one epoch.
 *
 * @example
 * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
 * const sched: LRScheduler = new torch.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.5 });
 * sched.lastEpoch; // 0
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's learning rate when the schedule started. */
  readonly baseLrs: number[];
  /** The number of `step()` calls so far (0 after construction). */
  lastEpoch = -1;
  /** PyTorch's `_step_count`: calls of `step()`, the constructor's included. */
  protected stepCount = 0;
  private lastLr: number[] = [];

  protected constructor(optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer))
      throw new TorchletError(`${new.target.name}: expected an Optimizer, got ${typeof optimizer}`);
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /** The first step, taken by each subclass's constructor once its own fields are set. */
  protected start(): void {
    this.step();
  }

  /** The groups' next learning rates (`get_lr`), from their current ones. */
  protected abstract nextLr(group: ParamGroup, baseLr: number): number;

  /**
   * Advances the schedule one epoch and sets every group's `lr`.
   *
   * @example
   * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
   * const sched = new torch.optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.1 });
   * sched.step();
   * sched.step();
   * sched.getLastLr(); // [0.1]
   */
  step(): void {
    this.stepCount++;
    this.lastEpoch++;
    const groups = this.optimizer.paramGroups;
    const rates = groups.map((g, i) => this.nextLr(g, this.baseLrs[i] as number));
    for (const [i, g] of groups.entries()) g.lr = rates[i] as number;
    this.lastLr = rates;
  }

  /**
   * The learning rates the last `step()` set, one per group.
   *
   * @example
   * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.5 });
   * new torch.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.9 }).getLastLr(); // [0.5]
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }
}

function positive(op: string, name: string, value: unknown, integer = false): number {
  if (typeof value !== "number" || !(value > 0) || (integer && !Number.isSafeInteger(value)))
    throw new TorchletError(
      `${op}: ${name} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`,
    );
  return value;
}

/**
 * Multiplies the learning rate by `gamma` every `stepSize` epochs (`StepLR`).
 *
 * @example
 * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new torch.optim.lrScheduler.StepLR(opt, { stepSize: 3 });
 * const rates = [];
 * for (let epoch = 0; epoch < 7; epoch++) { rates.push(sched.getLastLr()[0]); sched.step(); }
 * rates; // [1, 1, 1, 0.1, 0.1, 0.1, 0.01]
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays. */
  readonly stepSize: number;
  /** The factor of each decay (default 0.1). */
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = positive("StepLR", "stepSize", options?.stepSize, true);
    this.gamma = positive("StepLR", "gamma", options.gamma ?? 0.1);
    this.start();
  }
  protected nextLr(group: ParamGroup): number {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return group.lr;
    return group.lr * this.gamma;
  }
}

/**
 * Multiplies the learning rate by `gamma` every epoch (`ExponentialLR`).
 *
 * @example
 * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new torch.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.5 });
 * sched.step();
 * sched.step();
 * sched.getLastLr(); // [0.25]
 */
export class ExponentialLR extends LRScheduler {
  /** The factor per epoch. */
  readonly gamma: number;
  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super(optimizer);
    this.gamma = positive("ExponentialLR", "gamma", options?.gamma);
    this.start();
  }
  protected nextLr(group: ParamGroup): number {
    return this.lastEpoch === 0 ? group.lr : group.lr * this.gamma;
  }
}

/**
 * Cosine annealing from the base rate down to `etaMin` over `tMax` epochs, and back up over the next
 * `tMax` (`CosineAnnealingLR`, PyTorch's recursive form).
 *
 * @example
 * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new torch.optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 2 });
 * sched.step();
 * sched.getLastLr(); // [0.5]
 * sched.step();
 * sched.getLastLr(); // [0]
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of one half-period. */
  readonly tMax: number;
  /** The lowest rate (default 0). */
  readonly etaMin: number;
  constructor(optimizer: Optimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = positive("CosineAnnealingLR", "tMax", options?.tMax, true);
    this.etaMin = options.etaMin ?? 0;
    if (typeof this.etaMin !== "number" || !Number.isFinite(this.etaMin))
      throw new TorchletError(
        `CosineAnnealingLR: etaMin must be a finite number, got ${String(this.etaMin)}`,
      );
    this.start();
  }
  protected nextLr(group: ParamGroup, baseLr: number): number {
    const [epoch, tMax, etaMin] = [this.lastEpoch, this.tMax, this.etaMin];
    if (epoch === 0) return group.lr;
    if (this.stepCount === 1 && epoch > 0)
      return etaMin + ((baseLr - etaMin) * (1 + Math.cos((epoch * Math.PI) / tMax))) / 2;
    if ((epoch - 1 - tMax) % (2 * tMax) === 0)
      return group.lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    return (
      ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) *
        (group.lr - etaMin) +
      etaMin
    );
  }
}

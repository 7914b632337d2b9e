import { type Digits, type DigitsModelName, digitsModel } from "@torchlet/vision";
import * as torch from "torchlet";

/** How `torchlet digits` trains: the flags, resolved. */
export interface DigitsConfig {
  model: DigitsModelName;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: bigint;
  /** Where the model trains (default the CPU); the images are drawn on the CPU and uploaded per batch. */
  device?: torch.Device;
}

/**
 * One training run, in the order of random draws of fixtures/gen_digits.py, so that the same seed
 * gives PyTorch's batch losses: the seed, the model's initialisation, Adam, then every epoch's
 * `DataLoader(..., shuffle=True)` pass over the train split, cross-entropy on the logits.
 */
export class DigitsRun {
  readonly model: torch.nn.Module;
  private readonly optimizer: torch.optim.Adam;
  private readonly loader: torch.utils.data.DataLoader;

  constructor(
    readonly config: DigitsConfig,
    readonly digits: Digits,
  ) {
    torch.manualSeed(config.seed);
    this.model = digitsModel(config.model).to(config.device ?? "cpu");
    this.optimizer = new torch.optim.Adam(this.model.parameters(), { lr: config.lr });
    const { images, labels } = digits.train;
    this.loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(images, labels), {
      batchSize: config.batchSize,
      shuffle: true,
    });
  }

  /** Batches in one epoch. */
  get batches(): number {
    return this.loader.length;
  }

  /**
   * One pass over the train split, one Adam step per batch: yields each batch's loss (read
   * asynchronously, which on webgpu waits for the batch's commands).
   */
  async *trainEpoch(): AsyncGenerator<number> {
    this.model.train();
    const device = this.config.device ?? "cpu";
    for (const [images, labels] of this.loader) {
      const logits = this.model.forward((images as torch.Tensor).to(device));
      const loss = torch.nn.functional.crossEntropy(logits, (labels as torch.Tensor).to(device));
      this.optimizer.zeroGrad();
      loss.backward();
      this.optimizer.step();
      yield Number(await loss.itemAsync());
    }
  }

  /** The predicted class of each test image. */
  predictTest(): Promise<Int32Array> {
    return predictClasses(this.model, this.digits.test.images.to(this.config.device ?? "cpu"));
  }
}

/** The most likely class of each image of `images` [N, 1, 28, 28], the model in eval mode, no graph. */
async function predictClasses(model: torch.nn.Module, images: torch.Tensor): Promise<Int32Array> {
  model.eval();
  const logits = torch.noGrad(() => model.forward(images));
  return Int32Array.from((await logits.argmax(1).data()) as ArrayLike<number | bigint>, (v) => Number(v));
}

/** The fraction of `predicted` that equals `labels`. */
export function accuracy(predicted: Int32Array, labels: torch.Tensor): number {
  const truth = labels.tolist() as number[];
  return predicted.reduce((n, p, i) => n + (p === truth[i] ? 1 : 0), 0) / predicted.length;
}

// Trains a digit classifier batch by batch, so the worker can pace it and report between batches:
// cross entropy, Adam and a shuffled DataLoader as a PyTorch script would write it. It also evaluates
// on the test split, classifies one drawn digit and reads out the first layer's weights. No DOM: it
// runs in the worker and in Node for the tests.
import type { Digits } from "@torchlet/vision";
import * as torch from "torchlet";
import type { DigitsConfig, Evaluation, FilterImages, ModelKind } from "./protocol.js";

/** Builds a fresh, randomly initialised model (from the global generator) taking [B, 1, 28, 28]. */
export type ModelFactory = (kind: ModelKind) => torch.nn.Module;

export const CLASSES = 10;

export class DigitsTrainer {
  readonly model: torch.nn.Module;
  readonly batchesPerEpoch: number;
  /** Batches trained so far, over all epochs. */
  batches = 0;
  private readonly loader: torch.utils.data.DataLoader;
  private readonly optimizer: torch.optim.Adam;
  private readonly lossFn = new torch.nn.CrossEntropyLoss();
  private pass: Iterator<torch.Tensor[]> | null = null;

  constructor(
    private readonly data: Digits,
    makeModel: ModelFactory,
    readonly config: DigitsConfig,
  ) {
    // The seed decides the initial weights and then the batch order, as in a script that seeds first.
    torch.manualSeed(config.seed);
    this.model = makeModel(config.model);
    this.optimizer = new torch.optim.Adam(this.model.parameters(), { lr: config.lr });
    const dataset = new torch.utils.data.TensorDataset(data.train.images, data.train.labels);
    this.loader = new torch.utils.data.DataLoader(dataset, { batchSize: config.batchSize, shuffle: true });
    this.batchesPerEpoch = this.loader.length;
  }

  get done(): boolean {
    return this.batches >= this.config.epochs * this.batchesPerEpoch;
  }

  /** Epochs trained, with the fraction of the current one. */
  get epoch(): number {
    return this.batches / this.batchesPerEpoch;
  }

  /** Trains on the next batch and returns its loss. */
  step(): number {
    let next = this.pass?.next();
    if (!next || next.done) {
      this.pass = this.loader[Symbol.iterator]();
      next = this.pass.next();
    }
    const [images, labels] = next.value as [torch.Tensor, torch.Tensor];
    this.model.train();
    this.optimizer.zeroGrad();
    const loss = this.lossFn.forward(this.model.forward(images), labels);
    loss.backward();
    this.optimizer.step();
    this.batches++;
    return Number(loss.item());
  }

  /** The test split's accuracy, confusion matrix and every prediction. */
  evaluate(): Evaluation {
    const predicted = this.logits(this.data.test.images).argmax(1).toTypedArray();
    const labels = this.data.test.labels.toTypedArray();
    const confusion = new Int32Array(CLASSES * CLASSES);
    const predictions = new Int32Array(predicted.length);
    let correct = 0;
    for (let i = 0; i < predictions.length; i++) {
      const p = Number(predicted[i]);
      const t = Number(labels[i]);
      predictions[i] = p;
      confusion[t * CLASSES + p] = (confusion[t * CLASSES + p] as number) + 1;
      if (p === t) correct++;
    }
    return { epoch: this.epoch, accuracy: correct / predictions.length, confusion, predictions };
  }

  /** The class probabilities of one 28 x 28 image (row-major pixels in [0, 1]). */
  probabilities(pixels: Float32Array): Float32Array {
    const image = torch.tensor(pixels).reshape([1, 1, 28, 28]);
    return Float32Array.from(this.logits(image).softmax(1).toTypedArray(), Number);
  }

  /**
   * The first layer's weights as images: a Linear layer's rows over 784 inputs as 28 x 28 pictures, a
   * convolution's kernels (first input channel) as k x k ones.
   */
  firstLayer(): FilterImages {
    const weight = this.model.parameters().find((p) => p.ndim === 2 || p.ndim === 4);
    if (!weight) throw new Error("digits: the model has no weight matrix or kernel");
    const [count = 0, inputs = 0, kh = 0, kw = 0] = weight.shape;
    const values =
      weight.ndim === 2
        ? weight.detach().toTypedArray()
        : weight.detach().select(1, 0).contiguous().toTypedArray();
    const [height, width] = weight.ndim === 2 ? [28, inputs / 28] : [kh, kw];
    return { count, height, width, values: Float32Array.from(values, Number) };
  }

  private logits(images: torch.Tensor): torch.Tensor {
    this.model.eval();
    return torch.noGrad(() => this.model.forward(images));
  }
}

import type { DigitsModelName, DigitsSplit } from "@torchlet/vision";
import * as torch from "torchlet";

/**
 * The five workloads of issue 7, issue 13's classifier loss (W6), conv2d's layers (W7) and the
 * digits epochs (D1, D2) of issue 15. Each expands into one or more cases (one table row each).
 */
export const WORKLOADS = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "D1", "D2"] as const;
export type WorkloadId = (typeof WORKLOADS)[number];
/** The workloads the browser bench runs: the digits epochs need the mnist package's JSON, left to Node. */
export const BROWSER_WORKLOADS = [
  "W1",
  "W2",
  "W3",
  "W4",
  "W5",
  "W6",
  "W7",
] as const satisfies readonly WorkloadId[];
/**
 * The workloads of `--device webgpu` (issue 17): the two trainings, the products (at the sizes a GPU
 * is for) and the digits epochs; in the browser the digits stay out, as above.
 */
export const WEBGPU_WORKLOADS = ["W1", "W2", "W3", "D1", "D2"] as const satisfies readonly WorkloadId[];

/** Where a run's cases compute: `--device webgpu` runs the GPU peers on the GPU cases. */
export const DEVICES = ["cpu", "webgpu"] as const;
export type Device = (typeof DEVICES)[number];

/** The sizes of W3's square products on each device (`--sizes` picks others). */
export const MATMUL_SIZES: Record<Device, readonly number[]> = {
  cpu: [64, 256, 512, 1024],
  webgpu: [256, 512, 1024, 2048, 4096],
};

/** A float32 array with its shape: how every peer receives the same data. */
export interface Array32 {
  data: Float32Array;
  shape: number[];
}

/** The two-layer ReLU regression net trained with hand-written SGD (the chapter's program). */
export interface TrainCase {
  kind: "train";
  workload: "W1" | "W2";
  id: string;
  n: number;
  features: number;
  hidden: number;
  /** The training length: at most this many epochs are run (warm-up included) and timed one by one. */
  epochs: number;
  lr: number;
}

export interface MatmulCase {
  kind: "matmul";
  workload: "W3";
  id: string;
  n: number;
}

export type ElementwiseOp = "add" | "relu" | "sum";
export interface ElementwiseCase {
  kind: "elementwise";
  workload: "W4";
  id: string;
  op: ElementwiseOp;
  size: number;
  /**
   * Whether the result goes into one tensor allocated before the runs (torchlet's `{ out }`,
   * PyTorch's `out=`); the JS peers, which have no such argument, run their usual op.
   */
  out: boolean;
}

/** `length` chained adds on 1x1 tensors: the fixed cost of one op. */
export interface ChainCase {
  kind: "chain";
  workload: "W5";
  id: string;
  length: number;
  grad: boolean;
}

/**
 * A classifier's loss on its logits: `-logSoftmax(x, 1).gather(1, target).mean()` (cross-entropy
 * spelled out), forward and backward to the logits.
 */
export interface CrossEntropyCase {
  kind: "crossEntropy";
  workload: "W6";
  id: string;
  rows: number;
  classes: number;
}

export type Case =
  | TrainCase
  | MatmulCase
  | ElementwiseCase
  | ChainCase
  | CrossEntropyCase
  | ConvCase
  | DigitsCase;

/**
 * One conv2d layer of a small digits CNN, forward and backward for a fixed upstream gradient: bias
 * `[out]`, 3x3 kernel, stride 1, no padding; the input's gradient only where a layer below needs it.
 */
export interface ConvCase {
  kind: "conv";
  workload: "W7";
  id: string;
  batch: number;
  inChannels: number;
  size: number;
  outChannels: number;
  inputGrad: boolean;
}

/**
 * One epoch of @torchlet/vision's digits model on the 8,000 train digits: batches of 64 in a fixed
 * shuffled order, cross entropy on the logits, one Adam step per batch. Runs continue one training.
 */
export interface DigitsCase {
  kind: "digits";
  workload: "D1" | "D2";
  id: string;
  model: DigitsModelName;
  batchSize: number;
  lr: number;
  /** At most this many epochs are run (warm-up included): an epoch takes seconds. */
  epochs: number;
}

export interface TrainData {
  x: Array32;
  y: Array32;
  w1: Array32;
  b1: Array32;
  w2: Array32;
  b2: Array32;
}
export interface PairData {
  a: Array32;
  b: Array32;
}
export interface ChainData {
  /** The chain's start value (a leaf that requires grad in the "with grad" case). */
  start: Array32;
  /** The constant added at every step. */
  step: Array32;
}
export interface CrossEntropyData {
  /** The logits, `[rows, classes]`. */
  logits: Array32;
  /** Each row's class, `[rows, 1]`: integers held as float32 (exact), each peer converts them to its index type. */
  target: Array32;
}
export type CaseData = TrainData | PairData | ChainData | CrossEntropyData | ConvData | DigitsData;
export interface ConvData {
  /** `[batch, in, size, size]`. */
  x: Array32;
  /** `[out, in, 3, 3]`. */
  w: Array32;
  /** `[out]`. */
  b: Array32;
  /** The upstream gradient, `[batch, out, size - 2, size - 2]`. */
  g: Array32;
}
/**
 * The train split in the case's shuffled order (`images` [8000, 1, 28, 28], `labels` [8000] as
 * float32 class numbers) and the model's initial state dict under its PyTorch keys ("0.weight", ...).
 */
export type DigitsData = { images: Array32; labels: Array32 } & Record<string, Array32>;

/**
 * Every case of a device's run, in table order, with W3 at `matmulSizes`. Seeds are per case, so
 * `--only` does not change any case's data.
 */
export function allCases(
  device: Device = "cpu",
  matmulSizes: readonly number[] = MATMUL_SIZES[device],
): Case[] {
  const cases: Case[] = [
    {
      kind: "train",
      workload: "W1",
      id: "W1 train n=100 3-32-1",
      n: 100,
      features: 3,
      hidden: 32,
      epochs: 200,
      lr: 1e-4,
    },
    {
      kind: "train",
      workload: "W2",
      id: "W2 train n=8192 64-256-1",
      n: 8192,
      features: 64,
      hidden: 256,
      epochs: 20,
      lr: 1e-3,
    },
  ];
  for (const n of matmulSizes) cases.push({ kind: "matmul", workload: "W3", id: `W3 matmul N=${n}`, n });
  for (const op of ["add", "relu", "sum"] as const) {
    for (const out of op === "sum" ? [false] : [false, true]) {
      for (const size of [1e6, 1e7]) {
        cases.push({
          kind: "elementwise",
          workload: "W4",
          id: `W4 ${op} ${size === 1e6 ? "1e6" : "1e7"}${out ? " out=" : ""}`,
          op,
          size,
          out,
        });
      }
    }
  }
  cases.push({ kind: "chain", workload: "W5", id: "W5 1e4 adds, grad", length: 1e4, grad: true });
  cases.push({ kind: "chain", workload: "W5", id: "W5 1e4 adds, no grad", length: 1e4, grad: false });
  cases.push({
    kind: "crossEntropy",
    workload: "W6",
    id: "W6 logSoftmax+gather+mean [8192,10]",
    rows: 8192,
    classes: 10,
  });
  // the two conv layers of a digits CNN (28x28 -> 26x26, pooled to 13x13 -> 11x11), batch 64
  for (const [inChannels, size, outChannels, inputGrad] of [
    [1, 28, 8, false],
    [8, 13, 16, true],
  ] as const) {
    cases.push({
      kind: "conv",
      workload: "W7",
      id: `W7 conv 64x${inChannels}x${size}x${size} -> ${outChannels}, 3x3`,
      batch: 64,
      inChannels,
      size,
      outChannels,
      inputGrad,
    });
  }
  const digits = { kind: "digits", batchSize: 64, lr: 1e-3, epochs: 4 } as const;
  cases.push({ ...digits, workload: "D1", id: "D1 digits MLP epoch", model: "mlp" });
  cases.push({ ...digits, workload: "D2", id: "D2 digits CNN epoch", model: "cnn" });
  return cases;
}

function seedOf(id: string): number {
  let h = 42;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h;
}

function array32(t: torch.Tensor): Array32 {
  return { data: t.contiguous().toTypedArray() as Float32Array, shape: [...t.shape] };
}

// The digits are loaded once per process and only when a digits case runs: 21 MB of JSON.
let trainDigits: Promise<DigitsSplit> | undefined;

async function digitsData(c: DigitsCase): Promise<DigitsData> {
  const vision = await import("@torchlet/vision");
  trainDigits ??= vision.loadDigits().then((digits) => digits.train);
  const { images, labels } = await trainDigits;
  const order = torch.randperm(labels.shape[0] as number);
  const state = Object.entries(vision.digitsModel(c.model).stateDict()).map(([key, value]) => [
    key,
    array32(value),
  ]);
  return {
    images: array32(images.indexSelect(0, order)),
    labels: array32(labels.indexSelect(0, order).to("float32")),
    ...Object.fromEntries(state),
  };
}

/**
 * The case's inputs, drawn with torchlet's PyTorch-compatible generator and handed to every peer as
 * Float32Arrays, so all libraries compute on identical numbers.
 */
export async function makeData(c: Case): Promise<CaseData> {
  torch.manualSeed(seedOf(c.id));
  const randn = (...shape: number[]) => torch.randn(shape, { dtype: "float32" });
  switch (c.kind) {
    case "train": {
      // The chapter's data (x, then y = x·coefs + noise) and its unscaled N(0,1) weights for W1;
      // W2 scales the weights by 1/sqrt(fan_in) so twenty epochs at lr 1e-3 stay finite.
      const { x, y } = torch.makeRegression({ n: c.n, features: c.features });
      const scale = c.workload === "W1" ? (_fanIn: number) => 1 : (fanIn: number) => 1 / Math.sqrt(fanIn);
      return {
        x: array32(x),
        y: array32(y),
        w1: array32(randn(c.features, c.hidden).mul(scale(c.features))),
        b1: array32(torch.zeros(1, c.hidden)),
        w2: array32(randn(c.hidden, 1).mul(scale(c.hidden))),
        b2: array32(torch.zeros(1, 1)),
      };
    }
    case "matmul":
      return { a: array32(randn(c.n, c.n)), b: array32(randn(c.n, c.n)) };
    case "elementwise":
      return { a: array32(randn(c.size)), b: array32(randn(c.size)) };
    case "chain":
      return { start: array32(randn(1, 1)), step: array32(torch.full([1, 1], 1e-3)) };
    case "crossEntropy":
      return {
        logits: array32(randn(c.rows, c.classes)),
        target: array32(torch.randint(0, c.classes, [c.rows, 1]).to("float32")),
      };
    case "conv": {
      const out = c.size - 2;
      return {
        x: array32(randn(c.batch, c.inChannels, c.size, c.size)),
        w: array32(randn(c.outChannels, c.inChannels, 3, 3).mul(1 / Math.sqrt(9 * c.inChannels))),
        b: array32(randn(c.outChannels)),
        g: array32(randn(c.batch, c.outChannels, out, out)),
      };
    }
    case "digits":
      return digitsData(c);
  }
}

/** What one timed run does, so times turn into the workload's unit. */
export interface Metric {
  unit: string;
  /** Converts the median seconds of one run into the reported number. */
  fromSeconds(seconds: number): number;
  /** Higher is better (throughputs) or lower is better (times). */
  higherIsBetter: boolean;
}

export function metricOf(c: Case): Metric {
  switch (c.kind) {
    case "train":
      return c.workload === "W1"
        ? { unit: "µs/epoch", fromSeconds: (s) => s * 1e6, higherIsBetter: false }
        : { unit: "ms/epoch", fromSeconds: (s) => s * 1e3, higherIsBetter: false };
    case "matmul":
      return { unit: "GFLOP/s", fromSeconds: (s) => (2 * c.n ** 3) / s / 1e9, higherIsBetter: true };
    case "elementwise": {
      // Bytes that must cross memory: add reads two arrays and writes one, relu reads one and writes one.
      const arrays = c.op === "add" ? 3 : c.op === "relu" ? 2 : 1;
      return { unit: "GB/s", fromSeconds: (s) => (arrays * 4 * c.size) / s / 1e9, higherIsBetter: true };
    }
    case "chain":
      return { unit: "µs/op", fromSeconds: (s) => (s / c.length) * 1e6, higherIsBetter: false };
    case "crossEntropy":
      return { unit: "µs/step", fromSeconds: (s) => s * 1e6, higherIsBetter: false };
    case "conv":
      return { unit: "ms/step", fromSeconds: (s) => s * 1e3, higherIsBetter: false };
    case "digits":
      return { unit: "s/epoch", fromSeconds: (s) => s, higherIsBetter: false };
  }
}

/** How many runs a case allows at most (warm-up included): the training length for W1/W2 and D1/D2. */
export function maxRunsOf(c: Case): number {
  return c.kind === "train" || c.kind === "digits" ? c.epochs : Number.POSITIVE_INFINITY;
}

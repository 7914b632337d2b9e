// The messages between the Digits page and its training worker: plain data (numbers, typed arrays),
// never a Tensor.

import type { DigitsModelName } from "@torchlet/vision";
import type { WebgpuStatus } from "../webgpu-status.js";

/** The models the page offers: those of @torchlet/vision. */
export type ModelKind = DigitsModelName;

export interface DigitsConfig {
  model: ModelKind;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

/** The test split as judged by the model after `epoch` epochs (fractional while one is under way). */
export interface Evaluation {
  epoch: number;
  accuracy: number;
  /** 10 x 10 counts, row = true class, column = predicted class. */
  confusion: Int32Array;
  /** The predicted class of every test digit. */
  predictions: Int32Array;
}

/** `count` images of height x width, one after another, row-major. */
export interface FilterImages {
  count: number;
  height: number;
  width: number;
  values: Float32Array;
}

/** Test digits shown in the grid, with their true labels. */
export interface Samples {
  count: number;
  /** count x 784 pixels in [0, 1]. */
  pixels: Float32Array;
  labels: Int32Array;
  /** Where each one is in the test split (the index into `Evaluation.predictions`). */
  indices: Int32Array;
}

export type RunState = "loading" | "idle" | "running" | "paused" | "done";

export type ToWorker =
  | { type: "reset"; config: DigitsConfig }
  | { type: "play" }
  | { type: "pause" }
  /** Classify a drawing (784 pixels in [0, 1]); the answer carries the same id. */
  | { type: "classify"; id: number; pixels: Float32Array };

export type FromWorker =
  /** The data are in: how many digits each split has, and the ones the grid shows. */
  | { type: "data"; train: number; test: number; samples: Samples; models: ModelKind[] }
  /** Losses of the batches since the last report, the first being batch `from` (0-based). */
  | { type: "progress"; from: number; losses: number[]; batchesPerEpoch: number }
  | { type: "evaluation"; evaluation: Evaluation; filters: FilterImages }
  | { type: "state"; state: RunState }
  | { type: "probabilities"; id: number; probabilities: Float32Array }
  /** How the CPU does the math, and whether the browser has WebGPU (Digits trains on the CPU). */
  | { type: "cpu"; simd: boolean; threads: number }
  | { type: "webgpu"; status: WebgpuStatus }
  | { type: "error"; message: string };

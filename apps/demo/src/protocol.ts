// The messages between the page and the training worker. Everything crossing the boundary is plain
// data (numbers, typed arrays), never a Tensor: the worker owns the tensors, the page only draws.

import type { BackendStatus } from "./backend-check.js";
import type { GraphDescription } from "./graph.js";
import type { WebgpuStatus } from "./webgpu-status.js";

export type DatasetName = "chapter" | "sine" | "cubic";

/** How the network is written: the chapter's raw tensors, then as the book refactors it. */
export type StyleName = "raw" | "modules" | "optim" | "adam";

/** Where the tensors live and the math runs. */
export type DeviceName = "cpu" | "webgpu";

export interface TrainConfig {
  dataset: DatasetName;
  style: StyleName;
  hidden: number;
  lr: number;
  epochs: number;
  seed: number;
  device: DeviceName;
}

/** The four steps of one epoch, in the order the chapter's loop runs them. */
export type Phase = "setup" | "forward" | "loss" | "backward" | "update";

/** A 2-D tensor's values, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  values: Float32Array;
}

export type ParamName = "w1" | "b1" | "w2" | "b2";

export interface ParamState {
  name: ParamName;
  value: Matrix;
  /** The gradient of the last backward (kept after `zero_()` so it stays visible); null before one. */
  grad: Matrix | null;
}

export interface Snapshot {
  /** Completed epochs (updates applied). */
  epoch: number;
  /** The step that just ran. */
  phase: Phase;
  /** The loss of the latest forward pass; null before one. */
  loss: number | null;
  /** Losses of epochs completed since the previous snapshot, starting at epoch `lossesFrom` (1-based). */
  lossesFrom: number;
  losses: number[];
  /** The network's predictions for every sample (n values), from the latest forward pass. */
  predictions: Float32Array | null;
  params: ParamState[];
  graph: GraphDescription | null;
}

export interface DataMessage {
  type: "data";
  config: TrainConfig;
  /** Inputs, n x features, and targets, n x 1. */
  x: Matrix;
  y: Matrix;
}

export type RunState = "idle" | "running" | "paused" | "done";

export type ToWorker =
  | { type: "reset"; config: TrainConfig }
  | { type: "play" }
  | { type: "pause" }
  | { type: "step" }
  | { type: "speed"; epochsPerSecond: number }
  /** Start from a dropped model file's weights (the config's hidden size is taken from the file). */
  | { type: "load"; config: TrainConfig; name: string; bytes: Uint8Array };

export type FromWorker =
  | DataMessage
  | { type: "snapshot"; snapshot: Snapshot }
  | { type: "state"; state: RunState }
  | { type: "backend"; status: BackendStatus }
  /** Whether the worker opened torchlet's webgpu device (and on which adapter), or why not. */
  | { type: "webgpu"; status: WebgpuStatus }
  | { type: "error"; message: string }
  /** A model file was read (`hidden` from its shapes), or refused (`error`). */
  | { type: "loaded"; name: string; features: number; hidden: number }
  | { type: "load-error"; name: string; message: string };

// What the page needs to know about the data sets, kept apart from datasets.ts so the page's bundle
// does not pull in torchlet (only the worker computes).
import type { DatasetName, TrainConfig } from "./protocol.js";

export interface DatasetInfo {
  label: string;
  /** Settings that train this set visibly; picking the set loads them into the controls. */
  lr: number;
  epochs: number;
}

export const DATASETS: Record<DatasetName, DatasetInfo> = {
  chapter: { label: "Chapter: 3 features, linear", lr: 1e-4, epochs: 200 },
  sine: { label: "1-D: sine", lr: 1e-2, epochs: 1000 },
  cubic: { label: "1-D: cubic", lr: 1e-2, epochs: 1000 },
};

/** The chapter's own run: the page's first settings, and what `torchlet train` and PyTorch print. */
export const CHAPTER_CONFIG: TrainConfig = {
  dataset: "chapter",
  style: "raw",
  hidden: 32,
  lr: 1e-4,
  epochs: 200,
  seed: 42,
  device: "cpu",
};

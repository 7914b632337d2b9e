// The Digits page's training worker: loads the digits, owns the trainer and paces it in short slices,
// so drawings are classified between batches and the page's thread only draws.

import digitsUrl from "virtual:mnist-digits";
import { DIGITS_MODELS, type Digits, type DigitsSplit, digitsModel, splitDigits } from "@torchlet/vision";
import * as torch from "torchlet";
import { findAdapter } from "../webgpu-status.js";
import { workerScope } from "../worker-scope.js";
import { unpackDigits } from "./packed-digits.js";
import type { DigitsConfig, FromWorker, RunState, Samples, ToWorker } from "./protocol.js";
import { DigitsTrainer } from "./trainer.js";

const scope = workerScope<ToWorker, FromWorker>();

/** How long one slice may train before the worker reports and reads its messages. */
const SLICE_MS = 40;
/** Evaluations on the test split per epoch (the accuracy curve's points). */
const EVALUATIONS_PER_EPOCH = 5;
/** Test digits shown in the grid, evenly spread over the split (which is sorted by class). */
const SAMPLES = 100;

let data: Digits | null = null;
let trainer: DigitsTrainer | null = null;
let pending: DigitsConfig | null = null;
let state: RunState = "loading";
let timer: ReturnType<typeof setTimeout> | null = null;

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function fail(error: unknown): void {
  post({ type: "error", message: error instanceof Error ? error.message : String(error) });
}

function setState(next: RunState): void {
  state = next;
  post({ type: "state", state });
}

function evaluate(t: DigitsTrainer): void {
  const evaluation = t.evaluate();
  const filters = t.firstLayer();
  scope.postMessage({ type: "evaluation", evaluation, filters }, [
    evaluation.confusion.buffer,
    evaluation.predictions.buffer,
    filters.values.buffer,
  ] as ArrayBuffer[]);
}

function samples({ images, labels }: DigitsSplit): Samples {
  const n = images.shape[0] as number;
  const count = Math.min(SAMPLES, n);
  const picks = Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
  const all = images.toTypedArray() as Float32Array;
  const truth = labels.toTypedArray();
  const pixels = new Float32Array(count * 784);
  for (const [i, k] of picks.entries()) pixels.set(all.subarray(k * 784, (k + 1) * 784), i * 784);
  return {
    count,
    pixels,
    labels: Int32Array.from(picks, (k) => Number(truth[k])),
    indices: Int32Array.from(picks),
  };
}

function reset(config: DigitsConfig): void {
  stop();
  if (!data) {
    pending = config;
    return;
  }
  trainer = new DigitsTrainer(data, digitsModel, config);
  evaluate(trainer);
  setState("idle");
}

function stop(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

function tick(): void {
  timer = null;
  const t = trainer;
  if (!t || state !== "running") return;
  try {
    const from = t.batches;
    const losses: number[] = [];
    const every = Math.max(1, Math.round(t.batchesPerEpoch / EVALUATIONS_PER_EPOCH));
    const start = performance.now();
    let due = false;
    while (!t.done && !due && performance.now() - start < SLICE_MS) {
      losses.push(t.step());
      due = t.batches % every === 0 || t.done;
    }
    post({ type: "progress", from, losses, batchesPerEpoch: t.batchesPerEpoch });
    if (due) evaluate(t);
  } catch (error) {
    fail(error);
    setState("paused");
    return;
  }
  if (t.done) setState("done");
  else timer = setTimeout(tick, 0);
}

scope.onmessage = (event) => {
  const m = event.data;
  try {
    switch (m.type) {
      case "reset":
        reset(m.config);
        break;
      case "play":
        if (!trainer || trainer.done || state === "running") return;
        setState("running");
        timer = setTimeout(tick, 0);
        break;
      case "pause":
        if (state !== "running") return;
        stop();
        setState("paused");
        break;
      case "classify":
        if (!trainer) return;
        post({ type: "probabilities", id: m.id, probabilities: trainer.probabilities(m.pixels) });
        break;
    }
  } catch (error) {
    fail(error);
  }
};

async function load(): Promise<void> {
  const response = await fetch(digitsUrl);
  if (!response.ok) throw new Error(`the digits did not load: ${response.status} ${response.statusText}`);
  data = splitDigits(unpackDigits(new Uint8Array(await response.arrayBuffer())));
  const { train, test } = data;
  post({
    type: "data",
    train: train.labels.shape[0] as number,
    test: test.labels.shape[0] as number,
    samples: samples(test),
    models: [...DIGITS_MODELS],
  });
  if (pending) reset(pending);
  pending = null;
}

load().catch(fail);
// The helpers torchlet would start at the first large product, started now so the page can say how many.
torch.warmUpMatmulThreads(undefined, 5000).then(() => {
  const { simd, threads } = torch.matmulInfo();
  post({ type: "cpu", simd, threads });
}, fail);
findAdapter().then((status) => post({ type: "webgpu", status }), fail);

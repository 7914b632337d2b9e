// The training worker: owns the Trainer and paces it, so the page's thread only draws and stays
// responsive however fast training runs. It opens the webgpu device where the browser has one.
import { checkBackend } from "./backend-check.js";
import { makeDataset } from "./datasets.js";
import { type ChapterWeights, chapterWeights } from "./model-file.js";
import type { FromWorker, RunState, ToWorker, TrainConfig } from "./protocol.js";
import { readMatrix, Trainer } from "./trainer.js";
import { startWebgpu } from "./webgpu-status.js";
import { workerScope } from "./worker-scope.js";

const scope = workerScope<ToWorker, FromWorker>();

/** At or below this speed each step of the loop gets its own frame, so the code highlight can follow. */
const STEPWISE_MAX_EPS = 60;
/** How long a "max speed" tick may train before it yields to messages (a pause) and posts a snapshot. */
const MAX_SPEED_SLICE_MS = 30;

let trainer: Trainer | null = null;
let state: RunState = "idle";
let epochsPerSecond = 30;
let timer: ReturnType<typeof setTimeout> | null = null;
/** Set by "step": keep going only until this epoch completes, then pause. */
let stopAtEpoch: number | null = null;
/**
 * The tail of the work in progress. Messages and ticks run one at a time, in order: on webgpu a tick
 * waits for its reads, and a pause or reset arriving meanwhile must wait for it to finish.
 */
let busy: Promise<void> = Promise.resolve();
const webgpu = startWebgpu();

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function reportError(error: unknown): void {
  post({ type: "error", message: error instanceof Error ? error.message : String(error) });
}

function exclusive(task: () => void | Promise<void>): void {
  busy = busy.then(task).catch(reportError);
}

async function sendSnapshot(t: Trainer): Promise<void> {
  const snapshot = await t.snapshot();
  // Grads stay cached in the trainer between backward passes, so only fresh buffers are transferred.
  const buffers = [snapshot.predictions?.buffer, ...snapshot.params.map((p) => p.value.values.buffer)];
  scope.postMessage(
    { type: "snapshot", snapshot },
    buffers.filter((b): b is ArrayBuffer => b !== undefined),
  );
}

function setState(next: RunState): void {
  state = next;
  post({ type: "state", state });
}

function stopTimer(): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
}

function schedule(): void {
  stopTimer();
  const stepwise = stopAtEpoch !== null || epochsPerSecond <= STEPWISE_MAX_EPS;
  const delay = stepwise ? 1000 / (Math.min(epochsPerSecond, STEPWISE_MAX_EPS) * 4) : 0;
  const delayMs = stopAtEpoch !== null ? Math.min(delay, 120) : delay;
  timer = setTimeout(() => exclusive(tick), delayMs);
}

async function tick(): Promise<void> {
  timer = null;
  const t = trainer;
  if (!t || state !== "running") return;
  try {
    if (stopAtEpoch === null && epochsPerSecond > STEPWISE_MAX_EPS) {
      const start = performance.now();
      while (!t.done && performance.now() - start < MAX_SPEED_SLICE_MS) await t.runEpoch();
    } else {
      await t.runPhase();
    }
    await sendSnapshot(t);
  } catch (error) {
    reportError(error);
    setState("paused");
    return;
  }
  if (t.done) {
    stopAtEpoch = null;
    setState("done");
  } else if (stopAtEpoch !== null && t.epoch >= stopAtEpoch) {
    stopAtEpoch = null;
    setState("paused");
  } else {
    schedule();
  }
}

/** Replaces the trainer: the page gets the data, the first snapshot and an idle state. */
async function start(config: TrainConfig, weights?: ChapterWeights): Promise<void> {
  stopTimer();
  stopAtEpoch = null;
  trainer = null;
  // The page offers webgpu once the device is open; a reset sent before that waits for it.
  if (config.device === "webgpu" && !(await webgpu).available)
    throw new Error("webgpu is not available in this browser");
  const next = await Trainer.create(config, weights);
  trainer = next;
  const [x, y] = await Promise.all([readMatrix(next.x), readMatrix(next.y)]);
  post({ type: "data", config: next.config, x, y });
  await sendSnapshot(next);
  setState("idle");
}

async function handle(message: ToWorker): Promise<void> {
  switch (message.type) {
    case "reset":
      await start(message.config);
      break;
    case "load": {
      // The data set decides the input width; the file must fit it.
      const features = makeDataset(message.config.dataset).x.shape[1] ?? 1;
      const weights = chapterWeights(message.bytes, features);
      if (typeof weights === "string") {
        post({ type: "load-error", name: message.name, message: weights });
        return;
      }
      const hidden = weights.b1.shape[1] as number;
      await start({ ...message.config, hidden }, weights);
      post({ type: "loaded", name: message.name, features, hidden });
      break;
    }
    case "play":
      if (!trainer || trainer.done || state === "running") return;
      stopAtEpoch = null;
      setState("running");
      schedule();
      break;
    case "pause":
      if (state !== "running") return;
      stopTimer();
      stopAtEpoch = null;
      setState("paused");
      break;
    case "step":
      if (!trainer || trainer.done || state === "running") return;
      stopAtEpoch = trainer.epoch + 1;
      setState("running");
      schedule();
      break;
    case "speed":
      epochsPerSecond = message.epochsPerSecond;
      if (state === "running") schedule();
      break;
  }
}

scope.onmessage = (event) => exclusive(() => handle(event.data));

checkBackend().then(
  (status) => post({ type: "backend", status }),
  (error) => reportError(`backend check: ${error instanceof Error ? error.message : String(error)}`),
);
webgpu.then(
  (status) => post({ type: "webgpu", status }),
  (error) => reportError(`webgpu: ${error instanceof Error ? error.message : String(error)}`),
);

// The training worker: owns the Trainer and paces it, so the page's thread only draws and stays
// responsive however fast training runs.
import { checkBackend } from "./backend-check.js";
import { chapterWeights } from "./model-file.js";
import type { FromWorker, RunState, ToWorker } from "./protocol.js";
import { Trainer, toMatrix } from "./trainer.js";
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

function post(message: FromWorker): void {
  scope.postMessage(message);
}

function sendSnapshot(t: Trainer): void {
  const snapshot = t.snapshot();
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
  timer = setTimeout(tick, stopAtEpoch !== null ? Math.min(delay, 120) : delay);
}

function tick(): void {
  timer = null;
  const t = trainer;
  if (!t || state !== "running") return;
  try {
    if (stopAtEpoch === null && epochsPerSecond > STEPWISE_MAX_EPS) {
      const start = performance.now();
      while (!t.done && performance.now() - start < MAX_SPEED_SLICE_MS) t.runEpoch();
    } else {
      t.runPhase();
    }
    sendSnapshot(t);
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
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
function start(next: Trainer): void {
  stopTimer();
  stopAtEpoch = null;
  trainer = next;
  post({ type: "data", config: next.config, x: toMatrix(next.x), y: toMatrix(next.y) });
  sendSnapshot(next);
  setState("idle");
}

scope.onmessage = (event) => {
  const message = event.data;
  try {
    switch (message.type) {
      case "reset":
        start(new Trainer(message.config));
        break;
      case "load": {
        // The data set decides the input width; the file must fit it.
        const features = new Trainer({ ...message.config, epochs: 0 }).x.shape[1] ?? 1;
        const weights = chapterWeights(message.bytes, features);
        if (typeof weights === "string") {
          post({ type: "load-error", name: message.name, message: weights });
          return;
        }
        const hidden = weights.b1.shape[1] as number;
        start(new Trainer({ ...message.config, hidden }, weights));
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
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};

checkBackend().then(
  (status) => post({ type: "backend", status }),
  (error) =>
    post({
      type: "error",
      message: `backend check: ${error instanceof Error ? error.message : String(error)}`,
    }),
);

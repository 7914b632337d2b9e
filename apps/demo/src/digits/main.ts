// The Digits page: reads the controls, talks to its training worker, and redraws once per frame with
// the latest reports; a drawing is preprocessed here and classified by the worker as it grows.
import { available, byId, FrameScheduler, readNumber, setAvailable } from "../controls.js";
import { cpuMath, webgpuNote } from "../device-text.js";
import { ConfusionMatrix } from "../views/confusion-matrix.js";
import { DigitGrid } from "../views/digit-grid.js";
import { paintDigit } from "../views/digit-image.js";
import { DrawPad } from "../views/draw-pad.js";
import { FilterView } from "../views/filter-images.js";
import { LineChart } from "../views/line-chart.js";
import { ProbabilityBars } from "../views/probability-bars.js";
import { toDigit } from "./preprocess.js";
import type {
  DigitsConfig,
  Evaluation,
  FilterImages,
  FromWorker,
  ModelKind,
  RunState,
  ToWorker,
} from "./protocol.js";

const MODEL_LABELS: Record<ModelKind, string> = {
  mlp: "MLP 784-128-10",
  cnn: "CNN: 2 convolutions, pooling, linear",
};

const inputs = {
  model: byId<HTMLSelectElement>("model"),
  epochs: byId<HTMLInputElement>("epochs"),
  batch: byId<HTMLInputElement>("batch"),
  lr: byId<HTMLInputElement>("lr"),
  seed: byId<HTMLInputElement>("seed"),
};
const buttons = {
  train: byId<HTMLButtonElement>("train"),
  pause: byId<HTMLButtonElement>("pause"),
  reset: byId<HTMLButtonElement>("reset"),
};
const readout = {
  epoch: byId("epoch"),
  total: byId("epochs-total"),
  loss: byId("loss"),
  accuracy: byId("accuracy"),
  state: byId("state"),
  data: byId("data-size"),
  filters: byId("filters-note"),
  device: byId("device-used"),
};
const deviceNote = byId("device-note");

const percent = (v: number) => `${(100 * v).toFixed(v === 1 ? 0 : 1)}%`;
const lossChart = new LineChart(byId("loss-chart"), { xLabel: "epoch" });
const accuracyChart = new LineChart(byId("accuracy-chart"), {
  xLabel: "epoch",
  yRange: [0, 1],
  yFormat: percent,
});
const grid = new DigitGrid(byId("samples"));
const confusion = new ConfusionMatrix(byId("confusion"));
const filterView = new FilterView(byId("filters"));
const bars = new ProbabilityBars(byId("probabilities"));
const preview = byId<HTMLCanvasElement>("preview");

let config: DigitsConfig = { model: "mlp", epochs: 10, batchSize: 64, lr: 1e-3, seed: 0 };

function readConfig(): DigitsConfig {
  return {
    model: (inputs.model.value || "mlp") as ModelKind,
    epochs: readNumber(inputs.epochs, config.epochs, true),
    batchSize: readNumber(inputs.batch, config.batchSize, true),
    lr: readNumber(inputs.lr, config.lr, false),
    seed: readNumber(inputs.seed, config.seed, true),
  };
}

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
function send(message: ToWorker): void {
  worker.postMessage(message);
}

// The latest reports, drawn at the next frame.
let progress: { epoch: number; loss: number } | null = null;
let evaluation: { evaluation: Evaluation; filters: FilterImages } | null = null;

function render(): void {
  if (progress) {
    readout.epoch.textContent = progress.epoch.toFixed(progress.epoch % 1 ? 2 : 0);
    readout.loss.textContent = progress.loss.toPrecision(4);
  }
  if (evaluation) {
    const { evaluation: e, filters } = evaluation;
    readout.accuracy.textContent = percent(e.accuracy);
    grid.setPredictions(e.predictions);
    confusion.draw(e.confusion);
    filterView.draw(filters);
    readout.filters.textContent =
      filters.height === 28
        ? `(each of the ${filters.count} hidden units' 784 input weights as a 28 × 28 image)`
        : `(the ${filters.count} kernels of the first convolution, ${filters.height} × ${filters.width})`;
    evaluation = null;
  }
  lossChart.draw();
  accuracyChart.draw();
}

const frames = new FrameScheduler(render);

const STATE_TEXT: Record<RunState, string> = {
  loading: "loading the digits…",
  idle: "ready",
  running: "training",
  paused: "paused",
  done: "finished",
};

function setRunState(state: RunState): void {
  setAvailable(buttons.train, state === "idle" || state === "paused");
  buttons.train.textContent = state === "paused" ? "Resume" : "Train";
  setAvailable(buttons.pause, state === "running");
  setAvailable(buttons.reset, state !== "loading");
  readout.state.textContent = STATE_TEXT[state];
  document.body.dataset.state = state;
}

// Drawings are numbered so a late answer about an older drawing is ignored.
let drawing: Float32Array | null = null;
let drawingId = 0;
function classify(): void {
  if (drawing) send({ type: "classify", id: ++drawingId, pixels: drawing });
}

const pad = new DrawPad(byId<HTMLCanvasElement>("pad"), (ink) => {
  const canvas = byId<HTMLCanvasElement>("pad");
  drawing = ink && toDigit(ink, canvas.width, canvas.height);
  paintDigit(preview, drawing ?? new Float32Array(784));
  if (drawing) classify();
  else {
    drawingId++;
    bars.draw(null);
  }
});
byId("clear").addEventListener("click", () => pad.clear());

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case "data":
      readout.data.textContent = `${m.train.toLocaleString("en")} train, ${m.test.toLocaleString("en")} test`;
      grid.setSamples(m.samples);
      for (const kind of m.models) inputs.model.add(new Option(MODEL_LABELS[kind], kind));
      break;
    case "progress":
      m.losses.forEach((loss, i) => {
        const batch = m.from + i + 1;
        lossChart.set(batch - 1, batch / m.batchesPerEpoch, loss);
      });
      if (m.losses.length) {
        const batches = m.from + m.losses.length;
        progress = { epoch: batches / m.batchesPerEpoch, loss: m.losses[m.losses.length - 1] as number };
      }
      frames.request();
      break;
    case "evaluation": {
      evaluation = { evaluation: m.evaluation, filters: m.filters };
      const point = Math.round(m.evaluation.epoch * 1000);
      accuracyChart.set(point, m.evaluation.epoch, m.evaluation.accuracy);
      // The model changed: the drawing's probabilities follow it.
      classify();
      frames.request();
      break;
    }
    case "state":
      frames.flush();
      setRunState(m.state);
      break;
    case "probabilities":
      if (m.id === drawingId) bars.draw(m.probabilities);
      break;
    case "cpu":
      readout.device.textContent = `cpu (${cpuMath(m)})`;
      break;
    case "webgpu":
      // The Digits trainer reads its evaluation synchronously: it stays on the CPU.
      deviceNote.textContent = m.status.available
        ? `${webgpuNote(m.status)} Digits trains on the CPU: its trainer reads results synchronously.`
        : webgpuNote(m.status);
      break;
    case "error":
      readout.state.textContent = `error: ${m.message}`;
      break;
  }
};
worker.onerror = (event) => {
  readout.state.textContent = `worker failed: ${event.message}`;
};

function reset(): void {
  config = readConfig();
  readout.total.textContent = String(config.epochs);
  readout.epoch.textContent = "0";
  readout.loss.textContent = "–";
  readout.accuracy.textContent = "–";
  progress = null;
  lossChart.reset(0, config.epochs);
  accuracyChart.reset(0, config.epochs);
  send({ type: "reset", config });
}

buttons.train.addEventListener("click", () => available(buttons.train) && send({ type: "play" }));
buttons.pause.addEventListener("click", () => available(buttons.pause) && send({ type: "pause" }));
buttons.reset.addEventListener("click", () => available(buttons.reset) && reset());
for (const input of [inputs.model, inputs.epochs, inputs.batch, inputs.lr, inputs.seed])
  input.addEventListener("change", reset);
byId<HTMLFormElement>("config").addEventListener("submit", (event) => {
  event.preventDefault();
  reset();
});

setRunState("loading");
reset();

// The page: reads the controls, talks to the training worker, and redraws the views once per frame
// with the latest state (the worker may report faster than the screen refreshes).
import { codeLines } from "./code-listing.js";
import { available, byId, FrameScheduler, readNumber, setAvailable } from "./controls.js";
import { CHAPTER_CONFIG, DATASETS } from "./dataset-info.js";
import { cpuMath, deviceText, webgpuNote } from "./device-text.js";
import type { GraphDescription } from "./graph.js";
import type {
  DatasetName,
  DeviceName,
  FromWorker,
  RunState,
  Snapshot,
  StyleName,
  ToWorker,
  TrainConfig,
} from "./protocol.js";
import { STYLES } from "./style-info.js";
import { CodeView } from "./views/code-view.js";
import { GraphView } from "./views/graph-view.js";
import { Heatmaps } from "./views/heatmaps.js";
import { LineChart } from "./views/line-chart.js";
import { PredictionPlot } from "./views/prediction-plot.js";
import type { WebgpuStatus } from "./webgpu-status.js";

const inputs = {
  style: byId<HTMLSelectElement>("style"),
  dataset: byId<HTMLSelectElement>("dataset"),
  hidden: byId<HTMLInputElement>("hidden"),
  lr: byId<HTMLInputElement>("lr"),
  epochs: byId<HTMLInputElement>("epochs"),
  seed: byId<HTMLInputElement>("seed"),
  device: byId<HTMLSelectElement>("device"),
  speed: byId<HTMLSelectElement>("speed"),
};
const buttons = {
  train: byId<HTMLButtonElement>("train"),
  pause: byId<HTMLButtonElement>("pause"),
  step: byId<HTMLButtonElement>("step"),
  reset: byId<HTMLButtonElement>("reset"),
};
const modelFile = byId<HTMLInputElement>("model-file");
const modelStatus = byId("model-status");
const readout = {
  epoch: byId("epoch"),
  total: byId("epochs-total"),
  loss: byId("loss"),
  state: byId("state"),
  device: byId("device-used"),
  backend: byId("backend"),
};
const deviceNote = byId("device-note");

const code = new CodeView(byId("code"), byId("now"));
const lossChart = new LineChart(byId("loss-chart"), { xLabel: "epoch" });
const plot = new PredictionPlot(byId("predictions"));
const graphView = new GraphView(byId("graph"));
const heatmaps = new Heatmaps(byId("heatmaps"));

for (const [name, info] of Object.entries(DATASETS)) inputs.dataset.add(new Option(info.label, name));
for (const [name, info] of Object.entries(STYLES)) inputs.style.add(new Option(info.label, name));

let config: TrainConfig = CHAPTER_CONFIG;

/** The device chosen, unless the style cannot train there yet. */
function chosenDevice(style: StyleName): DeviceName {
  return inputs.device.value === "webgpu" && STYLES[style].webgpu ? "webgpu" : "cpu";
}

function readConfig(): TrainConfig {
  const style = inputs.style.value as StyleName;
  return {
    dataset: inputs.dataset.value as DatasetName,
    style,
    hidden: readNumber(inputs.hidden, config.hidden, true),
    lr: readNumber(inputs.lr, config.lr, false),
    epochs: readNumber(inputs.epochs, config.epochs, true),
    seed: readNumber(inputs.seed, config.seed, true),
    device: chosenDevice(style),
  };
}

const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
function send(message: ToWorker): void {
  worker.postMessage(message);
}

let runState: RunState = "idle";
let latest: Snapshot | null = null;
let drawnGraph: GraphDescription | null = null;
/** What the worker found: WebGPU (null until it answers), and the CPU's math (Wasm SIMD, threads). */
let webgpu: WebgpuStatus | null = null;
let cpu = "Wasm SIMD";
/** The device of the network the worker holds (the one training runs on). */
let ranOn: DeviceName | null = null;

/** The device readout and the note under the control: what runs where, and why WebGPU does not. */
function showDevice(): void {
  if (ranOn) readout.device.textContent = deviceText(ranOn, cpu, webgpu);
  const style = STYLES[inputs.style.value as StyleName];
  deviceNote.textContent =
    webgpu?.available && inputs.device.value === "webgpu" && !style.webgpu
      ? `${style.label.replace(/^\d+\. /, "")} runs on the CPU in this demo.`
      : webgpuNote(webgpu);
}

function render(): void {
  const s = latest;
  if (s) {
    readout.epoch.textContent = String(s.epoch);
    readout.loss.textContent = s.loss === null ? "–" : s.loss.toPrecision(5);
    readout.loss.dataset.value = String(s.loss); // in full, for the tests that compare devices
    code.highlight(s.phase);
    plot.setPredictions(s.predictions);
    if (s.graph !== drawnGraph) {
      graphView.draw(s.graph);
      drawnGraph = s.graph;
    }
    heatmaps.draw(s.params);
  }
  lossChart.draw();
  plot.draw();
}

const frames = new FrameScheduler(render);

const STATE_TEXT: Record<RunState, string> = {
  idle: "ready",
  running: "training",
  paused: "paused",
  done: "finished",
};

function setRunState(state: RunState): void {
  runState = state;
  const done = state === "done";
  setAvailable(buttons.train, state !== "running" && !done);
  buttons.train.textContent = state === "paused" ? "Resume" : "Train";
  setAvailable(buttons.pause, state === "running");
  setAvailable(buttons.step, state !== "running" && !done);
  readout.state.textContent = STATE_TEXT[state];
  document.body.dataset.state = state;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case "data":
      plot.setData(m.x, m.y);
      ranOn = m.config.device;
      showDevice();
      break;
    case "snapshot":
      latest = m.snapshot;
      m.snapshot.losses.forEach((v, i) => {
        const epoch = m.snapshot.lossesFrom + i;
        lossChart.set(epoch - 1, epoch, v);
      });
      frames.request();
      break;
    case "state":
      // Draw what arrived before the state change first, so "paused" never shows beside a stale epoch.
      frames.flush();
      setRunState(m.state);
      break;
    case "backend": {
      const { checked } = m.status;
      cpu = cpuMath(m.status);
      readout.backend.textContent = `${cpu}${checked ? " (checked)" : checked === false ? " (mismatch!)" : ""}`;
      showDevice();
      break;
    }
    case "webgpu": {
      webgpu = m.status;
      const option = inputs.device.querySelector<HTMLOptionElement>('option[value="webgpu"]');
      if (option) {
        option.disabled = !m.status.available;
        option.textContent = m.status.available ? "WebGPU" : "WebGPU (not available)";
      }
      showDevice();
      break;
    }
    case "error":
      readout.state.textContent = `error: ${m.message}`;
      break;
    case "loaded": {
      // The file decides the hidden size; the listing and the form follow it.
      inputs.hidden.value = String(m.hidden);
      config = { ...config, hidden: m.hidden };
      code.setCode(codeLines(config));
      modelStatus.textContent = `${m.name}: Linear(${m.features}, ${m.hidden}), ReLU, Linear(${m.hidden}, 1) loaded; its predictions are drawn, Train fine-tunes it`;
      break;
    }
    case "load-error":
      modelStatus.textContent = `${m.name} cannot be used: ${m.message}`;
      break;
  }
};
worker.onerror = (event) => {
  readout.state.textContent = `worker failed: ${event.message}`;
};

function reset(): void {
  config = readConfig();
  code.setCode(codeLines(config));
  lossChart.reset(1, config.epochs);
  readout.total.textContent = String(config.epochs);
  latest = null;
  showDevice();
  send({ type: "reset", config });
}

/** Starts over from the weights of a model file (read here, parsed in the worker). */
async function loadModel(file: File): Promise<void> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  config = readConfig();
  lossChart.reset(1, config.epochs);
  readout.total.textContent = String(config.epochs);
  latest = null;
  modelStatus.textContent = `reading ${file.name}…`;
  worker.postMessage({ type: "load", config, name: file.name, bytes } satisfies ToWorker, [bytes.buffer]);
}

modelFile.addEventListener("change", () => {
  const file = modelFile.files?.[0];
  if (file) void loadModel(file);
  modelFile.value = "";
});
document.addEventListener("dragover", (event) => event.preventDefault());
document.addEventListener("drop", (event) => {
  event.preventDefault();
  const file = event.dataTransfer?.files[0];
  if (file) void loadModel(file);
});

function togglePlay(): void {
  if (runState === "running") send({ type: "pause" });
  else send({ type: "play" });
}

buttons.train.addEventListener("click", () => available(buttons.train) && send({ type: "play" }));
buttons.pause.addEventListener("click", () => available(buttons.pause) && send({ type: "pause" }));
buttons.step.addEventListener("click", () => available(buttons.step) && send({ type: "step" }));
buttons.reset.addEventListener("click", reset);

inputs.dataset.addEventListener("change", () => {
  // Each set comes with settings that train it visibly; load them, then start over.
  const info = DATASETS[inputs.dataset.value as DatasetName];
  inputs.lr.value = String(STYLES[inputs.style.value as StyleName].lr ?? info.lr);
  inputs.epochs.value = String(info.epochs);
  reset();
});
inputs.style.addEventListener("change", () => {
  // Adam wants another learning rate than SGD; the other styles keep the data set's.
  const style = STYLES[inputs.style.value as StyleName];
  inputs.lr.value = String(style.lr ?? DATASETS[inputs.dataset.value as DatasetName].lr);
  reset();
});
for (const input of [inputs.hidden, inputs.lr, inputs.epochs, inputs.seed, inputs.device])
  input.addEventListener("change", reset);
inputs.speed.addEventListener("change", () =>
  send({ type: "speed", epochsPerSecond: Number(inputs.speed.value) }),
);
byId<HTMLFormElement>("config").addEventListener("submit", (event) => {
  event.preventDefault();
  reset();
});

document.addEventListener("keydown", (event) => {
  // Leave keys alone while a control has focus: typing a number or pressing a button must not train.
  const t = event.target;
  if (
    event.altKey ||
    event.ctrlKey ||
    event.metaKey ||
    t instanceof HTMLInputElement ||
    t instanceof HTMLSelectElement ||
    t instanceof HTMLButtonElement ||
    t instanceof HTMLTextAreaElement
  ) {
    return;
  }
  if (event.key === " ") togglePlay();
  else if (event.key === "s" || event.key === "S") send({ type: "step" });
  else if (event.key === "r" || event.key === "R") reset();
  else return;
  event.preventDefault();
});

setRunState("idle");
// A browser may restore the form's last choice; WebGPU is offered only once the worker has opened it.
inputs.device.value = "cpu";
send({ type: "speed", epochsPerSecond: Number(inputs.speed.value) });
reset();

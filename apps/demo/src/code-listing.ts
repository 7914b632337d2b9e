// The training code as the visitor reads it, in the chosen style, with each line tagged by the step of the loop it
// belongs to. The numbers in it follow the controls, so the listing is always the code being run.
import type { Phase, TrainConfig } from "./protocol.js";

export interface CodeLine {
  text: string;
  phase: Phase | null;
}

function dataLines(config: TrainConfig): string[] {
  switch (config.dataset) {
    case "chapter":
      return [
        "const x = torch.randn(100, 3);",
        "const y = x.matmul(torch.tensor([0.2, -1.3, -0.5])).unsqueeze(1).add(torch.randn(100, 1));",
      ];
    case "sine":
      return ["const { x, y } = torch.makeSine(); // x: [100, 1] on [-π, π), y = sin(x) + noise"];
    case "cubic":
      return ["const { x, y } = torch.makeCubic(); // x: [100, 1] on [-2, 2), y = x³ - 2x + noise"];
  }
}

export function codeLines(config: TrainConfig): CodeLine[] {
  const d = config.dataset === "chapter" ? 3 : 1;
  const h = config.hidden;
  const gpu = config.device === "webgpu";
  const setup = (text: string): CodeLine => ({ text, phase: "setup" });
  const update = (text: string): CodeLine => ({ text, phase: "update" });
  const blank: CodeLine = { text: "", phase: null };
  const loop: CodeLine = { text: `for (let epoch = 0; epoch < ${config.epochs}; epoch++) {`, phase: null };
  const end: CodeLine = { text: "}", phase: null };
  // On webgpu the data is drawn on the CPU, as every factory draws, and moved; so are the raw weights.
  const data = gpu
    ? [
        ...dataLines(config).map((line) => line.replace(/^const /, "let ")),
        'x = x.to("webgpu");',
        'y = y.to("webgpu");',
      ]
    : dataLines(config);
  const options =
    gpu && config.style === "raw" ? '{ device: "webgpu", requiresGrad: true }' : "{ requiresGrad: true }";
  const start = [
    setup(`torch.manualSeed(${config.seed});`),
    ...data.map(setup),
    setup(`const w1 = torch.randn([${d}, ${h}], ${options});`),
    setup(`const b1 = torch.zeros([1, ${h}], ${options});`),
    setup(`const w2 = torch.randn([${h}, 1], ${options});`),
    setup(`const b2 = torch.zeros([1, 1], ${options});`),
  ];
  // A webgpu tensor is read asynchronously; the page reads every epoch's loss this way.
  const read: CodeLine[] = gpu ? [{ text: "  const value = await loss.itemAsync();", phase: "loss" }] : [];
  const toDevice = gpu
    ? [setup('model.to("webgpu"); // the parameters move; create the optimizer after')]
    : [];
  // The module styles start from the same weights: nn.Linear keeps weight as [out, in], hence wᵀ.
  const layers = [
    setup(`const fc1 = new torch.nn.Linear(${d}, ${h});`),
    setup(`fc1.loadStateDict({ weight: w1.t(), bias: b1.reshape([${h}]) });`),
    setup(`const fc2 = new torch.nn.Linear(${h}, 1);`),
    setup("fc2.loadStateDict({ weight: w2.t(), bias: b2.reshape([1]) });"),
  ];
  switch (config.style) {
    case "raw":
      return [
        ...start,
        setup("const params = [w1, b1, w2, b2];"),
        setup(`const lr = ${config.lr};`),
        blank,
        loop,
        { text: "  const yPred = x.mm(w1).add(b1).relu().mm(w2).add(b2);", phase: "forward" },
        { text: "  const loss = yPred.sub(y).pow(2).mean();", phase: "loss" },
        ...read,
        { text: "  loss.backward();", phase: "backward" },
        update("  torch.noGrad(() => {"),
        update("    w1.sub_(w1.grad!.mul(lr));"),
        update("    b1.sub_(b1.grad!.mul(lr));"),
        update("    w2.sub_(w2.grad!.mul(lr));"),
        update("    b2.sub_(b2.grad!.mul(lr));"),
        update("    for (const w of params) w.grad!.zero_();"),
        update("  });"),
        end,
      ];
    case "modules":
      return [
        setup("class Net extends torch.nn.Module {"),
        setup("  constructor(readonly fc1: torch.nn.Linear, readonly fc2: torch.nn.Linear) { super(); }"),
        setup("  forward(x: torch.Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }"),
        setup("}"),
        ...start,
        ...layers,
        setup("const model = new Net(fc1, fc2);"),
        ...toDevice,
        setup("const lossFn = new torch.nn.MSELoss();"),
        setup(`const lr = ${config.lr};`),
        blank,
        loop,
        { text: "  const yPred = model.forward(x);", phase: "forward" },
        { text: "  const loss = lossFn.forward(yPred, y);", phase: "loss" },
        ...read,
        { text: "  loss.backward();", phase: "backward" },
        update("  torch.noGrad(() => {"),
        update("    for (const p of model.parameters()) p.sub_(p.grad!.mul(lr));"),
        update("  });"),
        update("  model.zeroGrad();"),
        end,
      ];
    case "optim":
    case "adam": {
      const optimizer = config.style === "adam" ? "Adam" : "SGD";
      return [
        ...start,
        ...layers,
        setup("const model = new torch.nn.Sequential(fc1, new torch.nn.ReLU(), fc2);"),
        ...toDevice,
        setup("const lossFn = new torch.nn.MSELoss();"),
        setup(`const optimizer = new torch.optim.${optimizer}(model.parameters(), { lr: ${config.lr} });`),
        blank,
        loop,
        { text: "  const yPred = model.forward(x);", phase: "forward" },
        { text: "  const loss = lossFn.forward(yPred, y);", phase: "loss" },
        ...read,
        { text: "  loss.backward();", phase: "backward" },
        update("  optimizer.step();"),
        update("  optimizer.zeroGrad();"),
        end,
      ];
    }
  }
}

export const PHASE_LABELS: Record<Phase, string> = {
  setup: "set-up: data and parameters",
  forward: "forward pass",
  loss: "loss",
  backward: "backward",
  update: "update",
};

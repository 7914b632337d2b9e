// The chapter's training loop, cut into its steps so the page can watch each one happen, in the style
// the visitor picked: raw tensors, or refactored with nn modules and optimizers as the book does, on
// the CPU or on webgpu. It runs in the worker (and in Node for the tests); it knows nothing of the DOM.
// Every value it shows is read with the asynchronous readers, which a webgpu tensor requires (on the
// CPU they answer at once).
import * as torch from "torchlet";
import { makeDataset } from "./datasets.js";
import { describeGraph, type GraphDescription } from "./graph.js";
import type { ChapterWeights } from "./model-file.js";
import type { Matrix, ParamName, ParamState, Phase, Snapshot, TrainConfig } from "./protocol.js";

const ORDER: readonly Phase[] = ["forward", "loss", "backward", "update"];

export async function readMatrix(t: torch.Tensor): Promise<Matrix> {
  const [rows = 1, cols = 1] = t.shape;
  return { rows, cols, values: Float32Array.from(await t.data(), Number) };
}

function norm(values: Iterable<number | bigint>): number {
  let sum = 0;
  for (const v of values) sum += Number(v) * Number(v);
  return Math.sqrt(sum);
}

/** ‖grad‖ of every tensor in `tensors` that holds a gradient, for the graph's parameter nodes. */
async function gradNorms(tensors: Iterable<torch.Tensor>): Promise<Map<torch.Tensor, number>> {
  const withGrad = [...tensors].filter((t) => t.grad);
  const grads = await Promise.all(withGrad.map((t) => (t.grad as torch.Tensor).data()));
  return new Map(withGrad.map((t, i) => [t, norm(grads[i] as Iterable<number | bigint>)]));
}

/**
 * The network of the module styles: nn.Linear layers holding copies of the chapter's randn weights
 * (weight = wᵀ), so every style starts from the same numbers; `optimizer` is null where the update is
 * written by hand.
 */
interface ModuleNet {
  fc1: torch.nn.Linear;
  fc2: torch.nn.Linear;
  /** What the style's forward calls: the two layers (modules), or an nn.Sequential (optim, adam). */
  model: torch.nn.Module;
  lossFn: torch.nn.MSELoss;
  optimizer: torch.optim.Optimizer | null;
}

function linearFrom(w: torch.Tensor, b: torch.Tensor): torch.nn.Linear {
  const [inFeatures, outFeatures] = w.shape as [number, number];
  const layer = new torch.nn.Linear(inFeatures, outFeatures);
  layer.loadStateDict({ weight: w.t(), bias: b.reshape([outFeatures]) });
  return layer;
}

/** Style 2's model, as the code listing writes it. */
class ChapterNet extends torch.nn.Module {
  constructor(
    readonly fc1: torch.nn.Linear,
    readonly fc2: torch.nn.Linear,
  ) {
    super();
  }
  forward(x: torch.Tensor): torch.Tensor {
    return this.fc2.forward(this.fc1.forward(x).relu());
  }
}

function moduleNet(params: Record<ParamName, torch.Tensor>, config: TrainConfig): ModuleNet {
  const fc1 = linearFrom(params.w1, params.b1);
  const fc2 = linearFrom(params.w2, params.b2);
  const lossFn = new torch.nn.MSELoss();
  if (config.style === "modules") {
    const model = new ChapterNet(fc1, fc2).to(config.device);
    return { fc1, fc2, model, lossFn, optimizer: null };
  }
  // Moved before the optimizer is made, so that it holds the parameters on the device.
  const model = new torch.nn.Sequential(fc1, new torch.nn.ReLU(), fc2).to(config.device);
  const optimizer =
    config.style === "adam"
      ? new torch.optim.Adam(model.parameters(), { lr: config.lr })
      : new torch.optim.SGD(model.parameters(), { lr: config.lr });
  return { fc1, fc2, model, lossFn, optimizer };
}

export class Trainer {
  readonly x: torch.Tensor;
  readonly y: torch.Tensor;
  /** The parameters in the chapter's layout (views of the layers' parameters in the module styles). */
  readonly params: Record<ParamName, torch.Tensor>;
  /** The layers, model and optimizer of the module styles; null for raw tensors. */
  private readonly net: ModuleNet | null;
  epoch = 0;
  private last: Phase = "setup";
  private next: Phase = "forward";
  private yPred: torch.Tensor | null = null;
  private loss: torch.Tensor | null = null;
  private lossValue: number | null = null;
  /** Tensors of the current pass by the names the code gives them, for the graph's labels. */
  private names = new Map<torch.Tensor, string>();
  /** For each op's result, the names of its inputs (so no-grad inputs such as x can be labelled). */
  private inputNames = new Map<torch.Tensor, readonly string[]>();
  private grads = new Map<ParamName, Matrix>();
  private graph: GraphDescription | null = null;
  private losses: number[] = [];
  private lossesFrom = 1;

  /**
   * A trainer that has run one forward pass and loss, so the page shows a loss and a graph before
   * training starts. `start`: the weights to begin from (a loaded model), instead of the chapter's
   * randn and zeros.
   */
  static async create(config: TrainConfig, start?: ChapterWeights): Promise<Trainer> {
    const trainer = new Trainer(config, start);
    await trainer.runPhase();
    await trainer.runPhase();
    trainer.last = "setup";
    return trainer;
  }

  private constructor(
    readonly config: TrainConfig,
    start?: ChapterWeights,
  ) {
    torch.manualSeed(config.seed);
    // Drawn on the CPU (so the seed gives the same numbers everywhere), then moved to the device.
    const { x, y } = makeDataset(config.dataset);
    this.x = x.to(config.device);
    this.y = y.to(config.device);
    const features = x.shape[1] ?? 1;
    // As in the chapter: weights from randn, biases from zeros, all leaves that require grad. Raw
    // tensors are made on the device; the module styles load them on the CPU and move the model.
    const device = config.style === "raw" ? config.device : "cpu";
    const options = { requiresGrad: true, device };
    const leaf = (t: torch.Tensor) => t.detach().to(device).clone().requiresGrad_(true);
    const params = start
      ? { w1: leaf(start.w1), b1: leaf(start.b1), w2: leaf(start.w2), b2: leaf(start.b2) }
      : {
          w1: torch.randn([features, config.hidden], options),
          b1: torch.zeros([1, config.hidden], options),
          w2: torch.randn([config.hidden, 1], options),
          b2: torch.zeros([1, 1], options),
        };
    this.net = config.style === "raw" ? null : moduleNet(params, config);
    const net = this.net;
    // The module styles show their layers' parameters in the chapter's layout: views that follow
    // every update, outside the graph.
    this.params = net
      ? {
          w1: net.fc1.weight.detach().t(),
          b1: (net.fc1.bias as torch.Tensor).detach().view([1, config.hidden]),
          w2: net.fc2.weight.detach().t(),
          b2: (net.fc2.bias as torch.Tensor).detach().view([1, 1]),
        }
      : params;
  }

  get done(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** Runs the next step of the loop and returns which one ran. */
  async runPhase(): Promise<Phase> {
    const phase = this.next;
    const net = this.net;
    if (phase === "forward") {
      if (net) this.moduleForward(net);
      else this.rawForward();
    } else if (phase === "loss") {
      this.loss = net ? this.moduleLoss(net) : this.rawLoss();
      this.lossValue = Number(await this.loss.itemAsync());
      this.losses.push(this.lossValue);
      this.graph = await this.readGraph();
    } else if (phase === "backward") {
      (this.loss as torch.Tensor).backward();
      await this.recordGrads();
      // Walked again now that the leaves hold gradients (the nodes outlive backward; only saved tensors go).
      this.graph = await this.readGraph();
    } else if (phase === "update") {
      if (net) this.moduleUpdate(net);
      else this.rawUpdate();
      this.epoch += 1;
    }
    this.last = phase;
    this.next = ORDER[(ORDER.indexOf(phase) + 1) % ORDER.length] as Phase;
    return phase;
  }

  private rawForward(): void {
    const { w1, b1, w2, b2 } = this.params;
    // x.mm(w1).add(b1).relu().mm(w2).add(b2), one op at a time so every result can be named.
    const h = this.x.mm(w1);
    const hb = h.add(b1);
    const hRelu = hb.relu();
    const out = hRelu.mm(w2);
    this.yPred = out.add(b2);
    this.names = new Map<torch.Tensor, string>([
      [this.x, "x"],
      [this.y, "y"],
      [w1, "w1"],
      [b1, "b1"],
      [w2, "w2"],
      [b2, "b2"],
      [h, "x.mm(w1)"],
      [hb, "h"],
      [hRelu, "h.relu()"],
      [out, "out"],
      [this.yPred, "yPred"],
    ]);
    this.inputNames = new Map<torch.Tensor, readonly string[]>([
      [h, ["x", "w1"]],
      [hb, ["x.mm(w1)", "b1"]],
      [out, ["h.relu()", "w2"]],
      [this.yPred, ["out", "b2"]],
    ]);
  }

  /** The layers' forward: model.forward(x), or for style 2 its layers one at a time, to name them. */
  private moduleForward(net: ModuleNet): void {
    const names: [torch.Tensor, string][] = [
      [this.x, "x"],
      [this.y, "y"],
      ...net.model.namedParameters().map(([name, p]): [torch.Tensor, string] => [p, name]),
    ];
    if (net.optimizer) {
      this.yPred = net.model.forward(this.x);
      this.inputNames = new Map([[this.yPred, ["x"]]]);
    } else {
      const h = net.fc1.forward(this.x);
      const hRelu = h.relu();
      this.yPred = net.fc2.forward(hRelu);
      names.push([h, "fc1(x)"], [hRelu, "h.relu()"]);
      this.inputNames = new Map([
        [h, ["x"]],
        [this.yPred, ["h.relu()"]],
      ]);
    }
    names.push([this.yPred, "yPred"]);
    this.names = new Map(names);
  }

  private rawLoss(): torch.Tensor {
    // yPred.sub(y).pow(2).mean(), again one op at a time for the labels.
    const diff = (this.yPred as torch.Tensor).sub(this.y);
    const squared = diff.pow(2);
    const loss = squared.mean();
    this.names.set(diff, "yPred.sub(y)").set(squared, "squared").set(loss, "loss");
    this.inputNames.set(diff, ["yPred", "y"]).set(squared, ["yPred.sub(y)", "2"]);
    return loss;
  }

  private moduleLoss(net: ModuleNet): torch.Tensor {
    const loss = net.lossFn.forward(this.yPred as torch.Tensor, this.y);
    this.names.set(loss, "loss");
    return loss;
  }

  private rawUpdate(): void {
    const lr = this.config.lr;
    const all = Object.values(this.params);
    torch.noGrad(() => {
      for (const w of all) w.sub_((w.grad as torch.Tensor).mul(lr));
      for (const w of all) (w.grad as torch.Tensor).zero_();
    });
  }

  /** The optimizer's step, or style 2's hand-written update. */
  private moduleUpdate(net: ModuleNet): void {
    if (net.optimizer) {
      net.optimizer.step();
      net.optimizer.zeroGrad();
      return;
    }
    const lr = this.config.lr;
    torch.noGrad(() => {
      for (const p of net.model.parameters()) p.sub_((p.grad as torch.Tensor).mul(lr));
    });
    net.model.zeroGrad();
  }

  /** The graph behind the loss, with the loss's value and the parameters' ‖grad‖ read. */
  private async readGraph(): Promise<GraphDescription> {
    const loss = this.loss as torch.Tensor;
    const norms = await gradNorms(this.names.keys());
    return describeGraph(loss, this.names, this.inputNames, { output: this.lossValue, gradNorms: norms });
  }

  /** Keeps the gradients of the last backward, in the chapter's layout, for the heatmaps. */
  private async recordGrads(): Promise<void> {
    const net = this.net;
    const h = this.config.hidden;
    const grads: Record<ParamName, torch.Tensor | null> = net
      ? {
          w1: net.fc1.weight.grad?.t() ?? null,
          b1: net.fc1.bias?.grad?.view([1, h]) ?? null,
          w2: net.fc2.weight.grad?.t() ?? null,
          b2: net.fc2.bias?.grad?.view([1, 1]) ?? null,
        }
      : {
          w1: this.params.w1.grad,
          b1: this.params.b1.grad,
          w2: this.params.w2.grad,
          b2: this.params.b2.grad,
        };
    const read = Object.entries(grads).map(async ([name, g]) => {
      if (g) this.grads.set(name as ParamName, await readMatrix(g));
    });
    await Promise.all(read);
  }

  /** Runs steps until the next update has been applied: one epoch of training. */
  async runEpoch(): Promise<void> {
    while ((await this.runPhase()) !== "update");
  }

  /** The state to draw; hands over (and forgets) the losses recorded since the previous snapshot. */
  async snapshot(): Promise<Snapshot> {
    const names = Object.keys(this.params) as ParamName[];
    const [predictions, ...values] = await Promise.all([
      this.yPred ? this.yPred.data() : null,
      ...names.map((name) => readMatrix(this.params[name])),
    ]);
    const params: ParamState[] = names.map((name, i) => ({
      name,
      value: values[i] as Matrix,
      grad: this.grads.get(name) ?? null,
    }));
    const snap: Snapshot = {
      epoch: this.epoch,
      phase: this.last,
      loss: this.lossValue,
      lossesFrom: this.lossesFrom,
      losses: this.losses,
      predictions: predictions ? Float32Array.from(predictions, Number) : null,
      params,
      graph: this.graph,
    };
    this.lossesFrom += this.losses.length;
    this.losses = [];
    return snap;
  }
}

// The chapter's training loop, cut into its steps so the page can watch each one happen, in the style
// the visitor picked: raw tensors, or refactored with nn modules and optimizers as the book does. It
// runs in the worker (and in Node for the tests); it knows nothing of the DOM.
import * as torch from "torchlet";
import { makeDataset } from "./datasets.js";
import { describeGraph, type GraphDescription } from "./graph.js";
import type { ChapterWeights } from "./model-file.js";
import type { Matrix, ParamName, ParamState, Phase, Snapshot, TrainConfig } from "./protocol.js";

const ORDER: readonly Phase[] = ["forward", "loss", "backward", "update"];

export function toMatrix(t: torch.Tensor): Matrix {
  const [rows = 1, cols = 1] = t.shape;
  return { rows, cols, values: Float32Array.from(t.toTypedArray(), Number) };
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
  if (config.style === "modules")
    return { fc1, fc2, model: new ChapterNet(fc1, fc2), lossFn, optimizer: null };
  const model = new torch.nn.Sequential(fc1, new torch.nn.ReLU(), fc2);
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

  /** `start`: the weights to begin from (a loaded model), instead of the chapter's randn and zeros. */
  constructor(
    readonly config: TrainConfig,
    start?: ChapterWeights,
  ) {
    torch.manualSeed(config.seed);
    const { x, y } = makeDataset(config.dataset);
    this.x = x;
    this.y = y;
    const features = x.shape[1] ?? 1;
    // As in the chapter: weights from randn, biases from zeros, all leaves that require grad.
    const leaf = (t: torch.Tensor) => t.detach().clone().requiresGrad_(true);
    const params = start
      ? { w1: leaf(start.w1), b1: leaf(start.b1), w2: leaf(start.w2), b2: leaf(start.b2) }
      : {
          w1: torch.randn([features, config.hidden], { requiresGrad: true }),
          b1: torch.zeros([1, config.hidden], { requiresGrad: true }),
          w2: torch.randn([config.hidden, 1], { requiresGrad: true }),
          b2: torch.zeros([1, 1], { requiresGrad: true }),
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
    // One forward pass and loss up front, so the page shows a loss and a graph before training starts.
    this.runPhase();
    this.runPhase();
    this.last = "setup";
  }

  get done(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** Runs the next step of the loop and returns which one ran. */
  runPhase(): Phase {
    const phase = this.next;
    const net = this.net;
    if (phase === "forward") {
      if (net) this.moduleForward(net);
      else this.rawForward();
    } else if (phase === "loss") {
      this.loss = net ? this.moduleLoss(net) : this.rawLoss();
      this.lossValue = Number(this.loss.item());
      this.losses.push(this.lossValue);
      this.graph = describeGraph(this.loss, this.names, this.inputNames);
    } else if (phase === "backward") {
      const loss = this.loss as torch.Tensor;
      loss.backward();
      this.recordGrads();
      // Walked again now that the leaves hold gradients (the nodes outlive backward; only saved tensors go).
      this.graph = describeGraph(loss, this.names, this.inputNames);
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

  /** Keeps the gradients of the last backward, in the chapter's layout, for the heatmaps. */
  private recordGrads(): void {
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
    for (const [name, g] of Object.entries(grads)) if (g) this.grads.set(name as ParamName, toMatrix(g));
  }

  /** Runs steps until the next update has been applied: one epoch of training. */
  runEpoch(): void {
    while (this.runPhase() !== "update");
  }

  /** The state to draw; hands over (and forgets) the losses recorded since the previous snapshot. */
  snapshot(): Snapshot {
    const params: ParamState[] = (Object.keys(this.params) as ParamName[]).map((name) => ({
      name,
      value: toMatrix(this.params[name]),
      grad: this.grads.get(name) ?? null,
    }));
    const snap: Snapshot = {
      epoch: this.epoch,
      phase: this.last,
      loss: this.lossValue,
      lossesFrom: this.lossesFrom,
      losses: this.losses,
      predictions: this.yPred ? Float32Array.from(this.yPred.toTypedArray(), Number) : null,
      params,
      graph: this.graph,
    };
    this.lossesFrom += this.losses.length;
    this.losses = [];
    return snap;
  }
}

// The chapter's raw-tensor training loop, cut into its steps so the page can watch each one happen.
// It runs in the worker (and in Node for the tests); it knows nothing of the DOM.
import * as torch from "torchlet";
import { makeDataset } from "./datasets.js";
import { describeGraph, type GraphDescription } from "./graph.js";
import type { Matrix, ParamName, ParamState, Phase, Snapshot, TrainConfig } from "./protocol.js";

const ORDER: readonly Phase[] = ["forward", "loss", "backward", "update"];

export function toMatrix(t: torch.Tensor): Matrix {
  const [rows = 1, cols = 1] = t.shape;
  return { rows, cols, values: Float32Array.from(t.toTypedArray(), Number) };
}

export class Trainer {
  readonly x: torch.Tensor;
  readonly y: torch.Tensor;
  readonly params: Record<ParamName, torch.Tensor>;
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

  constructor(readonly config: TrainConfig) {
    torch.manualSeed(config.seed);
    const { x, y } = makeDataset(config.dataset);
    this.x = x;
    this.y = y;
    const features = x.shape[1] ?? 1;
    // As in the chapter: weights from randn, biases from zeros, all leaves that require grad.
    this.params = {
      w1: torch.randn([features, config.hidden], { requiresGrad: true }),
      b1: torch.zeros([1, config.hidden], { requiresGrad: true }),
      w2: torch.randn([config.hidden, 1], { requiresGrad: true }),
      b2: torch.zeros([1, 1], { requiresGrad: true }),
    };
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
    const { w1, b1, w2, b2 } = this.params;
    if (phase === "forward") {
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
    } else if (phase === "loss") {
      // yPred.sub(y).pow(2).mean(), again one op at a time for the labels.
      const yPred = this.yPred as torch.Tensor;
      const diff = yPred.sub(this.y);
      const squared = diff.pow(2);
      this.loss = squared.mean();
      this.names.set(diff, "yPred.sub(y)").set(squared, "squared").set(this.loss, "loss");
      this.inputNames.set(diff, ["yPred", "y"]).set(squared, ["yPred.sub(y)", "2"]);
      this.lossValue = this.loss.item();
      this.losses.push(this.lossValue);
      this.graph = describeGraph(this.loss, this.names, this.inputNames);
    } else if (phase === "backward") {
      const loss = this.loss as torch.Tensor;
      loss.backward();
      for (const [name, p] of Object.entries(this.params)) {
        if (p.grad) this.grads.set(name as ParamName, toMatrix(p.grad));
      }
      // Walked again now that the leaves hold gradients (the nodes outlive backward; only saved tensors go).
      this.graph = describeGraph(loss, this.names, this.inputNames);
    } else if (phase === "update") {
      const lr = this.config.lr;
      const all = [w1, b1, w2, b2];
      torch.noGrad(() => {
        for (const w of all) w.sub_((w.grad as torch.Tensor).mul(lr));
        for (const w of all) (w.grad as torch.Tensor).zero_();
      });
      this.epoch += 1;
    }
    this.last = phase;
    this.next = ORDER[(ORDER.indexOf(phase) + 1) % ORDER.length] as Phase;
    return phase;
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

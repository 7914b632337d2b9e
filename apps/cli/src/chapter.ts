import * as torch from "torchlet";

/**
 * The data a run learns: the chapter's linear data, or one of the 1-D curves of @torchlet/data, where
 * a hidden layer of ReLUs has something to bend to.
 */
export const DATASETS = ["linear", "sine", "cubic"] as const;
export type Dataset = (typeof DATASETS)[number];

/** Everything that defines one run of the chapter's program. */
export interface ChapterConfig {
  /** torch.manual_seed's seed, in [0, 2^64): only its low 32 bits reach the generator's state, as in PyTorch. */
  seed: bigint;
  dataset: Dataset;
  n: number;
  /** Columns of x: any number for the linear data, 1 for the curves. */
  features: number;
  /** Sizes of the hidden layers: the chapter has one of 32 units; `[32, 16]` adds a second. */
  hidden: number[];
  epochs: number;
  lr: number;
  dtype: "float32" | "float64";
}

export const CHAPTER_DEFAULTS: ChapterConfig = {
  seed: 42n,
  dataset: "linear",
  n: 100,
  features: 3,
  hidden: [32],
  epochs: 200,
  lr: 1e-4,
  dtype: "float32",
};

/** The raw-tensor network: one weight matrix and one bias row per layer, nothing more. */
export interface Network {
  weights: torch.Tensor[];
  biases: torch.Tensor[];
}

/** The data and freshly initialised network, in the chapter's order of random draws. */
export interface ChapterRun {
  x: torch.Tensor;
  y: torch.Tensor;
  net: Network;
}

/**
 * Draws the data set: for "linear", x = randn(n, features) and then the noise randn(n, 1) of y; for the
 * curves, x = rand(n, 1) stretched over the curve's range and then the noise randn(n, 1) of y.
 */
export function drawData(config: ChapterConfig): { x: torch.Tensor; y: torch.Tensor } {
  const { n, dtype } = config;
  switch (config.dataset) {
    case "linear":
      return torch.makeRegression({ n, features: config.features, dtype });
    case "sine":
      return torch.makeSine({ n, dtype });
    case "cubic":
      return torch.makeCubic({ n, dtype });
  }
}

/**
 * Seeds the generator, draws the data (x, then the noise of y), then the weights layer by layer;
 * biases start at zero. The same order as the PyTorch program, so the same seed gives the same numbers.
 */
export function setup(config: ChapterConfig): ChapterRun {
  torch.manualSeed(config.seed);
  const { x, y } = drawData(config);
  const sizes = [config.features, ...config.hidden, 1];
  const weights: torch.Tensor[] = [];
  const biases: torch.Tensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    weights.push(
      torch.randn([sizes[i] as number, sizes[i + 1] as number], { dtype: config.dtype, requiresGrad: true }),
    );
  }
  for (let i = 1; i < sizes.length; i++) {
    biases.push(torch.zeros([1, sizes[i] as number], { dtype: config.dtype, requiresGrad: true }));
  }
  return { x, y, net: { weights, biases } };
}

/** x.mm(w1).add(b1).relu() ... .mm(wL).add(bL): ReLU between layers, none after the last. */
export function forward(x: torch.Tensor, net: Network): torch.Tensor {
  let h = x;
  net.weights.forEach((w, i) => {
    h = h.mm(w).add(net.biases[i] as torch.Tensor);
    if (i < net.weights.length - 1) h = h.relu();
  });
  return h;
}

/** Mean squared error, written out as the chapter does. */
export function mseLoss(yPred: torch.Tensor, y: torch.Tensor): torch.Tensor {
  return yPred.sub(y).pow(2).mean();
}

/**
 * One epoch of the chapter: forward, loss, backward, then the SGD update and zeroed gradients under
 * noGrad. Returns the loss computed before the update, as a tensor on the run's device.
 */
export function trainStep(run: ChapterRun, lr: number): torch.Tensor {
  const loss = mseLoss(forward(run.x, run.net), run.y);
  loss.backward();
  const params = [...run.net.weights, ...run.net.biases];
  torch.noGrad(() => {
    for (const p of params) p.sub_((p.grad as torch.Tensor).mul(lr));
    for (const p of params) p.grad?.zero_();
  });
  return loss;
}

/**
 * The run with its data and parameters moved to `device` (the parameters as leaves there that
 * require grad): the same draws as on the CPU, so the same starting point.
 */
export function onDevice(run: ChapterRun, device: torch.Device): ChapterRun {
  const move = (t: torch.Tensor) => torch.noGrad(() => t.to(device));
  const param = (t: torch.Tensor) => move(t).requiresGrad_(true);
  return {
    x: move(run.x),
    y: move(run.y),
    net: { weights: run.net.weights.map(param), biases: run.net.biases.map(param) },
  };
}

/** The network's parameters read back to the CPU (themselves when already there), for `--save`. */
export async function networkOnCpu(net: Network): Promise<Network> {
  const read = (ts: torch.Tensor[]) => Promise.all(ts.map((t) => t.cpuAsync()));
  return { weights: await read(net.weights), biases: await read(net.biases) };
}

import * as torch from "torchlet";
import { choice } from "./args.js";
import { type ChapterConfig, type ChapterRun, type Network, onDevice, setup, trainStep } from "./chapter.js";

/**
 * The same network written four ways, as the book refactors it: (1) raw tensors, the chapter's
 * program; (2) `nn.Linear` modules with the hand-written update; (3) an `nn.Sequential` with
 * `nn.MSELoss` and `optim.SGD`; (4) the same with `optim.Adam`. Every style starts from the chapter's
 * data and weights (the modules get copies of the raw run's randn weights), so raw and modules, the
 * same math, print the same losses; optim's fused update `p - lr·g` rounds once where the chapter's
 * `p.sub_(g.mul(lr))` rounds twice, as in PyTorch, so its losses are PyTorch's `optim.SGD` losses.
 */
export const STYLES = ["raw", "modules", "optim", "adam"] as const;
export type Style = (typeof STYLES)[number];

/** Adam steps by about lr per epoch whatever the gradient's size: the chapter's 1e-4 would barely move. */
export const ADAM_LR = 0.01;

export const styleFlag = choice(
  "how the network is written: raw tensors (the chapter), nn modules, nn.Sequential with optim.SGD, or optim.Adam",
  STYLES,
  "raw",
);

/** One run in one style: an epoch at a time, and its parameters in the raw network's layout. */
export interface StyleRun {
  /** One epoch; the loss, awaited on a device whose values arrive asynchronously. */
  trainEpoch(): number | Promise<number>;
  network(): Network;
}

/** The layers as `nn.Linear`s holding the chapter's weights: weight = wᵀ, bias = b as a vector. */
function linearLayers(run: ChapterRun, config: ChapterConfig): torch.nn.Linear[] {
  return run.net.weights.map((w, i) => {
    const [inFeatures, outFeatures] = w.shape as [number, number];
    const layer = new torch.nn.Linear(inFeatures, outFeatures).to(config.dtype);
    const bias = run.net.biases[i] as torch.Tensor;
    layer.loadStateDict({ weight: w.t(), bias: bias.reshape([outFeatures]) });
    return layer;
  });
}

/** The raw layout of nn.Linear layers, for `--save` and the predictions. */
function networkOf(layers: torch.nn.Linear[]): Network {
  return {
    weights: layers.map((l) => l.weight.detach().t().contiguous()),
    biases: layers.map((l) => (l.bias as torch.Tensor).detach().reshape([1, l.outFeatures])),
  };
}

/** Style 2: modules for the layers, everything else as in the chapter. */
class ChapterNet extends torch.nn.Module {
  constructor(layers: torch.nn.Linear[]) {
    super();
    for (const [i, layer] of layers.entries())
      (this as unknown as Record<string, torch.nn.Module>)[`fc${i + 1}`] = layer;
  }
  forward(x: torch.Tensor): torch.Tensor {
    const layers = this.children();
    let h = x;
    for (const [i, layer] of layers.entries()) {
      h = layer.forward(h);
      if (i < layers.length - 1) h = h.relu();
    }
    return h;
  }
}

/**
 * Starts a run of `style` on `device`: the chapter's draws first (on the CPU, so the same seed gives
 * the same numbers), then the style's model and optimizer, data and parameters moved to the device.
 * On webgpu each epoch's loss is read asynchronously.
 */
export function startStyle(style: Style, config: ChapterConfig, device: torch.Device = "cpu"): StyleRun {
  const drawn = setup(config);
  const run = device === "cpu" ? drawn : onDevice(drawn, device);
  const read = (loss: torch.Tensor) =>
    device === "cpu" ? Number(loss.item()) : loss.itemAsync().then(Number);
  if (style === "raw") return { trainEpoch: () => read(trainStep(run, config.lr)), network: () => run.net };
  const layers = linearLayers(drawn, config).map((layer) => layer.to(device));
  const { x, y } = run;
  if (style === "modules") {
    const net = new ChapterNet(layers);
    return {
      trainEpoch() {
        const loss = net.forward(x).sub(y).pow(2).mean();
        loss.backward();
        torch.noGrad(() => {
          for (const p of net.parameters()) p.sub_((p.grad as torch.Tensor).mul(config.lr));
        });
        net.zeroGrad();
        return read(loss);
      },
      network: () => networkOf(layers),
    };
  }
  const model = new torch.nn.Sequential(
    ...layers.flatMap((l, i) => (i === 0 ? [l] : [new torch.nn.ReLU(), l])),
  );
  const lossFn = new torch.nn.MSELoss();
  const optimizer =
    style === "optim"
      ? new torch.optim.SGD(model.parameters(), { lr: config.lr })
      : new torch.optim.Adam(model.parameters(), { lr: config.lr });
  return {
    trainEpoch() {
      optimizer.zeroGrad();
      const loss = lossFn.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return read(loss);
    },
    network: () => networkOf(layers),
  };
}

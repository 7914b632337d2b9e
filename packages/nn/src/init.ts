import { noGrad, type Tensor, zeros } from "@torchlet/autograd";
import { normal_ as normalFill_, uniform_ as uniformFill_ } from "@torchlet/data";
import { backendFor } from "@torchlet/ops";
import { TorchletError } from "@torchlet/storage";

/**
 * `torch.nn.init`: PyTorch 1.13's initialisers, each filling a tensor in place (outside the graph)
 * from the global generator with PyTorch's kernels, so the same seed gives PyTorch's values.
 */

/**
 * Nonlinearities `calculateGain` knows (PyTorch's names).
 *
 * @example
 * const nonlinearity: torch.nn.init.Nonlinearity = "leaky_relu";
 * torch.nn.init.calculateGain(nonlinearity, 0.2); // 1.3868
 */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

/**
 * The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`); `param` is leaky_relu's
 * negative slope (default 0.01).
 *
 * @example
 * torch.nn.init.calculateGain("relu"); // 1.4142
 * torch.nn.init.calculateGain("tanh"); // 1.6667
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "conv_transpose1d":
    case "conv_transpose2d":
    case "conv_transpose3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.sqrt(2);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope))
        throw new TorchletError(`calculateGain: negative_slope ${slope} not a valid number`);
      return Math.sqrt(2 / (1 + slope ** 2));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new TorchletError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * `[fanIn, fanOut]` of a weight of at least 2 dims (PyTorch's `_calculate_fan_in_and_fan_out`).
 *
 * @example
 * torch.nn.init.fanInAndFanOut(torch.zeros(7, 5)); // [5, 7]
 */
export function fanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2) {
    throw new TorchletError(
      `fanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${t.shape.join(", ")}])`,
    );
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [(t.shape[1] as number) * receptive, (t.shape[0] as number) * receptive];
}

/**
 * Options of the Kaiming initialisers (PyTorch's keyword arguments).
 *
 * @example
 * const options: KaimingOptions = { a: Math.sqrt(5), mode: "fan_in", nonlinearity: "leaky_relu" };
 * torch.nn.init.kaimingUniform_(torch.zeros(3, 4), options).shape; // [3, 4]
 */
export interface KaimingOptions {
  /** leaky_relu's negative slope (default 0). */
  a?: number;
  /** Preserve the variance of the forward (`"fan_in"`, default) or backward pass (`"fan_out"`). */
  mode?: "fan_in" | "fan_out";
  /** Default `"leaky_relu"`. */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  const mode = options.mode ?? "fan_in";
  if (mode !== "fan_in" && mode !== "fan_out")
    throw new TorchletError(
      `${op}: mode ${JSON.stringify(mode)} not supported, please use one of fan_in, fan_out`,
    );
  const [fanIn, fanOut] = fanInAndFanOut(t);
  const fan = mode === "fan_in" ? fanIn : fanOut;
  const gain = calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * Fills `t` from U(-a, a) (`torch.nn.init.uniform_`); returns t.
 *
 * @example
 * torch.manualSeed(0);
 * torch.nn.init.uniform_(torch.zeros(2), -1, 1).tolist(); // [-0.0075, 0.5364]
 */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return drawInto(t, (cpu) => uniformFill_(cpu, a, b));
}

/**
 * Fills `t` from N(mean, std²) (`torch.nn.init.normal_`); returns t.
 *
 * @example
 * torch.manualSeed(42);
 * torch.nn.init.normal_(torch.zeros(3), 0, 1).tolist(); // [0.3367, 0.1288, 0.2345]
 */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return drawInto(t, (cpu) => normalFill_(cpu, mean, std));
}

/**
 * Fills `t` by `draw` outside the graph. The generator lives on the CPU: a device tensor gets the
 * values drawn into a CPU tensor of its shape, the CPU's for the same seed, uploaded.
 */
function drawInto(t: Tensor, draw: (cpu: Tensor) => Tensor): Tensor {
  return noGrad(() => {
    if (t.device === "cpu") return draw(t);
    const drawn = draw(zeros(t.shape, { dtype: t.dtype })).to(t.device);
    backendFor("nn.init", t._array, drawn._array).copyInto(t._array, drawn._array);
    t._version.value++;
    return t;
  });
}

/**
 * Sets every element to `value` (`torch.nn.init.constant_`); returns t.
 *
 * @example
 * torch.nn.init.constant_(torch.zeros(2), 0.5).tolist(); // [0.5, 0.5]
 */
export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}

/**
 * Sets every element to 0 (`torch.nn.init.zeros_`); returns t.
 *
 * @example
 * torch.nn.init.zeros_(torch.ones(2)).tolist(); // [0, 0]
 */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/**
 * Sets every element to 1 (`torch.nn.init.ones_`); returns t.
 *
 * @example
 * torch.nn.init.ones_(torch.zeros(2)).tolist(); // [1, 1]
 */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/**
 * He initialisation, uniform: U(-bound, bound) with bound = gain · sqrt(3 / fan)
 * (`torch.nn.init.kaiming_uniform_`); returns t. nn.Linear's default uses `{ a: Math.sqrt(5) }`.
 *
 * @example
 * torch.manualSeed(0);
 * torch.nn.init.kaimingUniform_(torch.zeros(2, 3), { a: Math.sqrt(5) }).tolist()[0]; // [-0.0043, 0.3097, -0.4752]
 */
export function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", t, options);
  return uniform_(t, -bound, bound);
}

/**
 * He initialisation, normal: N(0, std²) with std = gain / sqrt(fan) (`torch.nn.init.kaiming_normal_`);
 * returns t.
 *
 * @example
 * torch.manualSeed(0);
 * torch.nn.init.kaimingNormal_(torch.zeros(100, 50)).shape; // [100, 50]
 */
export function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd("kaimingNormal_", t, options));
}

/**
 * Glorot initialisation, uniform: U(-a, a) with a = gain · sqrt(6 / (fanIn + fanOut))
 * (`torch.nn.init.xavier_uniform_`); returns t.
 *
 * @example
 * torch.nn.init.xavierUniform_(torch.zeros(3, 5), { gain: 1 }).abs().max().item() <= Math.sqrt(6 / 8); // true
 */
export function xavierUniform_(t: Tensor, options: { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = fanInAndFanOut(t);
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(t, -a, a);
}

/**
 * Glorot initialisation, normal: N(0, std²) with std = gain · sqrt(2 / (fanIn + fanOut))
 * (`torch.nn.init.xavier_normal_`); returns t.
 *
 * @example
 * torch.nn.init.xavierNormal_(torch.zeros(3, 5)).shape; // [3, 5]
 */
export function xavierNormal_(t: Tensor, options: { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = fanInAndFanOut(t);
  return normal_(t, 0, (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)));
}

import { type Conv2dOptions, conv2d, type Pair, type Tensor, zeros } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { fanInAndFanOut, kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { pyPair } from "./repr.js";

/**
 * Options of `Conv2d`: those of `conv2d` and `bias` (default true).
 *
 * @example
 * const options: Conv2dModuleOptions = { padding: 1, bias: false };
 * new torch.nn.Conv2d(1, 8, 3, options).bias; // null
 */
export interface Conv2dModuleOptions extends Conv2dOptions {
  bias?: boolean;
}

/**
 * A 2-D convolution layer (`torch.nn.Conv2d`): `weight` `[out, in / groups, kh, kw]`, `bias` `[out]`.
 * PyTorch's default initialisation from the global generator: weight by `kaimingUniform_(w, { a: √5 })`,
 * then bias from U(-1/√fan_in, 1/√fan_in), so after the same seed the values are PyTorch's.
 *
 * @example
 * torch.manualSeed(0);
 * const conv = new torch.nn.Conv2d(1, 8, 3);
 * conv.weight.shape; // [8, 1, 3, 3]
 * conv.toString(); // "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))"
 * conv.forward(torch.zeros(64, 1, 28, 28)).shape; // [64, 8, 26, 26]
 */
export class Conv2d extends Module {
  /** The input's channels. */
  readonly inChannels: number;
  /** The output's channels. */
  readonly outChannels: number;
  /** `[kh, kw]`. */
  readonly kernelSize: [number, number];
  /** `[sh, sw]`. */
  readonly stride: [number, number];
  /** `[ph, pw]`, or `"valid"` / `"same"`. */
  readonly padding: [number, number] | "valid" | "same";
  /** `[dh, dw]`. */
  readonly dilation: [number, number];
  /** Channel groups (`inChannels` and `outChannels` divisible by it). */
  readonly groups: number;
  /** `[outChannels, inChannels / groups, kh, kw]`. */
  weight: Tensor;
  /** `[outChannels]`, or null with `{ bias: false }`. */
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dModuleOptions = {}) {
    super();
    const { groups = 1, padding = 0 } = options;
    const where = `Conv2d(${inChannels}, ${outChannels})`;
    if (!Number.isInteger(groups) || groups < 1)
      throw new TorchletError(`${where}: groups must be a positive integer, got ${groups}`);
    if (inChannels % groups !== 0)
      throw new TorchletError(`${where}: in_channels must be divisible by groups (${groups})`);
    if (outChannels % groups !== 0)
      throw new TorchletError(`${where}: out_channels must be divisible by groups (${groups})`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = asPair(kernelSize);
    this.stride = asPair(options.stride ?? 1);
    this.padding = typeof padding === "string" ? padding : asPair(padding);
    if (padding === "same" && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new TorchletError(`${where}: padding='same' is not supported for strided convolutions`);
    }
    this.dilation = asPair(options.dilation ?? 1);
    this.groups = groups;
    // torch.empty: storage only; resetParameters draws every value.
    this.weight = Parameter(zeros([outChannels, inChannels / groups, ...this.kernelSize]));
    this.bias = options.bias === false ? null : Parameter(zeros([outChannels]));
    this.resetParameters();
  }

  /**
   * Draws the default initialisation again (PyTorch's `reset_parameters`).
   *
   * @example
   * torch.manualSeed(0);
   * const conv = new torch.nn.Conv2d(1, 2, 3);
   * const first = conv.weight.tolist();
   * torch.manualSeed(0);
   * conv.resetParameters();
   * conv.weight.tolist(); // the same values as first
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = fanInAndFanOut(this.weight);
      if (fanIn !== 0) uniform_(this.bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    }
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, groups } = this;
    return conv2d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }

  override extraRepr(): string {
    const { padding, dilation } = this;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(this.stride)}`;
    if (typeof padding === "string") s += `, padding=${padding}`;
    else if (padding[0] !== 0 || padding[1] !== 0) s += `, padding=${pyPair(padding)}`;
    if (dilation[0] !== 1 || dilation[1] !== 1) s += `, dilation=${pyPair(dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

function asPair(value: Pair): [number, number] {
  return typeof value === "number" ? [value, value] : [value[0], value[1]];
}

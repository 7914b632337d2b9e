import {
  type AvgPool2dOptions,
  avgPool2d,
  type MaxPool2dOptions,
  maxPool2d,
  type Pair,
  type Tensor,
} from "@torchlet/autograd";
import { Module } from "./module.js";
import { py, pyPair } from "./repr.js";

/**
 * The maximum of every window (`torch.nn.MaxPool2d`); `stride` defaults to the kernel size.
 *
 * @example
 * const pool = new torch.nn.MaxPool2d(2);
 * pool.toString(); // "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
 * pool.forward(torch.zeros(64, 8, 26, 26)).shape; // [64, 8, 13, 13]
 */
export class MaxPool2d extends Module {
  /** The window's size. */
  readonly kernelSize: Pair;
  /** `stride`, `padding`, `dilation` and `ceilMode`, with their defaults filled in. */
  readonly options: Required<Omit<MaxPool2dOptions, "stride">> & { stride: Pair };

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.options = {
      stride: options.stride ?? kernelSize,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
      ceilMode: options.ceilMode ?? false,
    };
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const { stride, padding, dilation, ceilMode } = this.options;
    return `kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(stride)}, padding=${pyPair(padding)}, dilation=${pyPair(dilation)}, ceil_mode=${py(ceilMode)}`;
  }
}

/**
 * The average of every window (`torch.nn.AvgPool2d`); `stride` defaults to the kernel size.
 *
 * @example
 * const pool = new torch.nn.AvgPool2d(2);
 * pool.toString(); // "AvgPool2d(kernel_size=2, stride=2, padding=0)"
 * pool.forward(torch.ones(1, 1, 4, 4)).tolist(); // [[[[1, 1], [1, 1]]]]
 */
export class AvgPool2d extends Module {
  /** The window's size. */
  readonly kernelSize: Pair;
  /** `stride`, `padding`, `ceilMode` and `countIncludePad`, with their defaults filled in. */
  readonly options: Required<Omit<AvgPool2dOptions, "stride">> & { stride: Pair };

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.options = {
      stride: options.stride ?? kernelSize,
      padding: options.padding ?? 0,
      ceilMode: options.ceilMode ?? false,
      countIncludePad: options.countIncludePad ?? true,
    };
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }

  override extraRepr(): string {
    const { stride, padding } = this.options;
    return `kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(stride)}, padding=${pyPair(padding)}`;
  }
}

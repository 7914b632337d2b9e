import { backendFor, type Window2d } from "@torchlet/ops";
import { fmtShape, TorchletError } from "@torchlet/storage";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";
import type { ValuesIndices } from "./reductions.js";
import { checkImage, type Pair, pair, slidingSize } from "./window.js";

/**
 * Options of `maxPool2d` (PyTorch's keyword arguments): `stride` (default: the kernel size), `padding`
 * (implicit -inf on both sides, at most half the kernel, default 0), `dilation` (default 1), and
 * `ceilMode` (round the output size up, default false).
 *
 * @example
 * const options: MaxPool2dOptions = { stride: 2, ceilMode: true };
 * torch.maxPool2d(torch.zeros(1, 1, 5, 5), 2, options).shape; // [1, 1, 3, 3]
 */
export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

/**
 * Options of `avgPool2d`: `stride` (default: the kernel size), `padding` (zeros, at most half the
 * kernel), `ceilMode`, and `countIncludePad` (whether the zero padding counts in the divisor, default
 * true), as PyTorch's.
 *
 * @example
 * const options: AvgPool2dOptions = { padding: 1, countIncludePad: false };
 * torch.avgPool2d(torch.ones(1, 1, 4, 4), 2, options).flatten().tolist(); // [1, 1, 1, 1, 1, 1, 1, 1, 1]
 */
export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/**
 * The window of a pooling over every `[h, w]` plane of `x` (`[batch, channels, h, w]` or `[channels,
 * h, w]`), treated as `[planes, 1, h, w]`: the input checked as PyTorch checks it.
 */
function poolWindow(
  op: string,
  x: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions & { dilation?: Pair },
): Window2d {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new TorchletError(
      `${op}: non-empty 3D or 4D (batch mode) tensor expected for input, got ${fmtShape(x.shape)}`,
    );
  }
  checkImage(op, x);
  const kernel = pair(op, "kernel_size", kernelSize, 1);
  const stride = pair(op, "stride", options.stride ?? kernel, 1);
  const padding = pair(op, "padding", options.padding ?? 0, 0);
  const dilation = pair(op, "dilation", options.dilation ?? 1, 1);
  if (padding[0] > Math.floor(kernel[0] / 2) || padding[1] > Math.floor(kernel[1] / 2)) {
    throw new TorchletError(
      `${op}: pad should be at most half of kernel size, but got pad=${JSON.stringify(options.padding)} and kernel_size=${JSON.stringify(kernelSize)} (input ${fmtShape(x.shape)})`,
    );
  }
  const [height, width] = x.shape.slice(-2) as [number, number];
  const ceil = options.ceilMode ?? false;
  const output: [number, number] = [
    slidingSize(height, kernel[0], stride[0], padding[0], padding[0], dilation[0], ceil),
    slidingSize(width, kernel[1], stride[1], padding[1], padding[1], dilation[1], ceil),
  ];
  if (output[0] < 1 || output[1] < 1) {
    throw new TorchletError(
      `${op}: Given input size: (${x.shape.slice(-3).join("x")}). Calculated output size: (${x.shape[x.ndim - 3]}x${output.join("x")}). Output size is too small`,
    );
  }
  const planes = x.shape.slice(0, -2).reduce((n, s) => n * s, 1);
  return { input: [planes, 1, height, width], kernel, stride, padding, dilation, output };
}

/** The pooled shape: `x`'s leading dims and the window's output size. */
function pooledShape(x: Tensor, window: Window2d): number[] {
  return [...x.shape.slice(0, -2), ...window.output];
}

/**
 * The maximum of every window and its position `h * w_in + w` in its plane (int64).
 */
export function maxPool2dWithIndices(
  kit: OpKit,
  x: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions = {},
): ValuesIndices {
  const window = poolWindow("maxPool2d", x, kernelSize, options);
  const shape = pooledShape(x, window);
  const { values, indices } = backendFor("maxPool2d", x._array).maxPool2d(x._array, window);
  const index = kit.wrap(indices.view(shape));
  return { values: kit.record("maxPool2d", [x], values.view(shape), { indices: index }), indices: index };
}

/** The average of every window. */
export function avgPool2d(kit: OpKit, x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  const window = poolWindow("avgPool2d", x, kernelSize, { ...options, dilation: 1 });
  const countIncludePad = options.countIncludePad ?? true;
  const { values, divisors } = backendFor("avgPool2d", x._array).avgPool2d(x._array, window, countIncludePad);
  const attrs = { window, divisors: kit.wrap(divisors) };
  return kit.record("avgPool2d", [x], values.view(pooledShape(x, window)), attrs);
}

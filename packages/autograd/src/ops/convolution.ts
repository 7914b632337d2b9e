import { backendFor, type Window2d } from "@torchlet/ops";
import { type StridedArray, TorchletError } from "@torchlet/storage";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";
import { batched, inputOf, type Pair, pair, pyShape, slidingSize } from "./window.js";

/**
 * Options of `conv2d` (PyTorch's keyword arguments): `stride` (default 1), `padding` (zeros on both
 * sides, default 0; `"valid"` is 0, `"same"` keeps the size at stride 1), `dilation` (default 1) and
 * `groups` (default 1), each size a number or `[height, width]`.
 *
 * @example
 * const options: Conv2dOptions = { stride: 2, padding: [1, 0], groups: 1 };
 * torch.conv2d(torch.zeros(1, 1, 5, 5), torch.zeros(4, 1, 3, 3), null, options).shape; // [1, 4, 3, 2]
 */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | "valid" | "same";
  dilation?: Pair;
  groups?: number;
}

/** What conv2d's derivative row reads: the window and the groups. */
export interface ConvAttrs {
  window: Window2d;
  groups: number;
}

/**
 * A 2-D convolution (cross-correlation, as PyTorch's) of `x` `[batch, in, h, w]` (or unbatched
 * `[in, h, w]`) with `weight` `[out, in / groups, kh, kw]`, plus `bias` `[out]` unless null.
 *
 * It runs as one matrix product: the input unfolded into columns (im2col), `[in * kh * kw, batch * oh * ow]`,
 * times the weight as `[out, in * kh * kw]` (per group), on the fast matmul kernels and their threads.
 */
export function conv2d(
  kit: OpKit,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions = {},
): Tensor {
  const op = "conv2d";
  const x = batched(op, input);
  const { groups = 1 } = options;
  const window = convWindow(x, weight, bias, options);
  const [out, , kh, kw] = weight.shape as [number, number, number, number];
  const [batch, channels] = window.input;
  const [oh, ow] = window.output;
  const cols = backendFor("im2col", x._array).im2col(x._array, window);
  const k = (channels / groups) * kh * kw;
  const w = weight._array.contiguous().view([groups, out / groups, k]);
  // [groups, out/groups, batch*oh*ow] is [out, batch, oh*ow]: add the bias per row, then put batch first
  let product = backendFor(op, w, cols).bmm(w, cols.view([groups, k, batch * oh * ow]), x.dtype, op);
  if (bias !== null) product = addRows(product, bias._array, out);
  const arranged = product.view([out, batch, oh, ow]).permute([1, 0, 2, 3]);
  const result = backendFor(op, arranged).copy(arranged, arranged.dtype);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  const y = kit.record("conv2d", inputs, result, { window, groups });
  return input.ndim === 3 ? y.squeeze(0) : y;
}

/**
 * Adds `bias[r]` to every element of row r of a contiguous `[.., rows, n]` product: in place on the
 * CPU; on a device (whose elements cannot be written from here) as a broadcast add, a new array.
 */
function addRows(product: StridedArray, bias: StridedArray, rows: number): StridedArray {
  if (product.device !== "cpu") {
    const column = bias.contiguous().view([...product.shape.slice(0, -1), 1]);
    return backendFor("conv2d", product, column).binary("add", product, column, product.dtype);
  }
  const P = product.data;
  const n = product.numel / rows;
  for (let r = 0; r < rows; r++) {
    const b = bias.at([r]);
    for (let i = r * n; i < (r + 1) * n; i++) P[i] = (P[i] as number) + b;
  }
  return product;
}

/** Checks conv2d's operands against each other (PyTorch's messages) and gives its window. */
function convWindow(x: Tensor, weight: Tensor, bias: Tensor | null, options: Conv2dOptions): Window2d {
  const op = "conv2d";
  const { groups = 1 } = options;
  if (weight.ndim !== 4) {
    throw new TorchletError(
      `${op}: Expected 4-dimensional weight for input ${pyShape(x.shape)}, but got weight of size ${pyShape(weight.shape)}`,
    );
  }
  if (weight.dtype !== x.dtype || (bias !== null && bias.dtype !== x.dtype)) {
    const b = bias === null ? "" : `, bias ${bias.dtype}`;
    throw new TorchletError(
      `${op}: expected input, weight and bias of one dtype, got input ${x.dtype}, weight ${weight.dtype}${b}`,
    );
  }
  if (!Number.isInteger(groups) || groups < 1) {
    throw new TorchletError(`${op}: non-positive groups is not supported, got ${groups}`);
  }
  const [out, perGroup, kh, kw] = weight.shape as [number, number, number, number];
  const channels = x.shape[1] as number;
  if (out % groups !== 0) {
    throw new TorchletError(
      `${op}: Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${pyShape(weight.shape)} instead`,
    );
  }
  if (perGroup * groups !== channels) {
    throw new TorchletError(
      `${op}: Given groups=${groups}, weight of size ${pyShape(weight.shape)}, expected input${pyShape(x.shape)} to have ${perGroup * groups} channels, but got ${channels} channels instead`,
    );
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== out)) {
    throw new TorchletError(
      `${op}: Given weight of size ${pyShape(weight.shape)}, expected bias to be 1-dimensional with ${out} elements, but got bias of size ${pyShape(bias.shape)} instead`,
    );
  }
  const stride = pair(op, "stride", options.stride ?? 1, 1);
  const dilation = pair(op, "dilation", options.dilation ?? 1, 1);
  const kernel: [number, number] = [kh, kw];
  // "same": PyTorch pads d*(k-1) in all, the odd one on the far side; only the near side moves the taps
  let before: [number, number];
  let after: [number, number];
  const { padding = 0 } = options;
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new TorchletError(`${op}: padding='same' is not supported for strided convolutions`);
    }
    const total = kernel.map((k, d) => (dilation[d] as number) * (k - 1));
    before = total.map((t) => Math.floor(t / 2)) as [number, number];
    after = total.map((t, d) => t - (before[d] as number)) as [number, number];
  } else {
    before = pair(op, "padding", padding === "valid" ? 0 : padding, 0);
    after = before;
  }
  const [height, width] = x.shape.slice(2) as [number, number];
  const padded = [height + before[0] + after[0], width + before[1] + after[1]] as const;
  const span = [dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1] as const;
  if (padded[0] < span[0] || padded[1] < span[1]) {
    throw new TorchletError(
      `${op}: Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${span.join(" x ")}). Kernel size can't be greater than actual input size (input ${pyShape(x.shape)}, weight ${pyShape(weight.shape)})`,
    );
  }
  const output: [number, number] = [
    slidingSize(height, kh, stride[0], before[0], after[0], dilation[0]),
    slidingSize(width, kw, stride[1], before[1], after[1], dilation[1]),
  ];
  return { input: inputOf(x), kernel, stride, padding: before, dilation, output };
}

/**
 * The input unfolded into columns (im2col), recorded so that conv2d's weight gradient, which reads
 * it, is itself differentiable; its gradient is col2im.
 */
export function im2col(kit: OpKit, x: Tensor, window: Window2d): Tensor {
  return kit.record("im2col", [x], backendFor("im2col", x._array).im2col(x._array, window), { window });
}

/** Columns folded back into an image (col2im), recorded; its gradient is im2col. */
export function col2im(kit: OpKit, cols: Tensor, window: Window2d): Tensor {
  return kit.record("col2im", [cols], backendFor("col2im", cols._array).col2im(cols._array, window), {
    window,
  });
}

import { StridedArray } from "@torchlet/storage";
import { lineOffsets, lineStep } from "./lines.js";

/**
 * The ops whose backward `softmaxBackward` computes from the upstream gradient and the forward result.
 *
 * @example
 * const op: SoftmaxGradOp = "logSoftmax";
 */
export type SoftmaxGradOp = "softmax" | "logSoftmax";

/**
 * PyTorch's `_softmax_backward_data` and `_log_softmax_backward_data`: the gradient of softmax,
 * `y * (g - sum(g * y))`, or of logSoftmax, `g - exp(y) * sum(g)`, with `y` the forward result and the
 * sums along `dim`, in one pass per line in double precision, into a new contiguous array of `y`'s
 * shape and dtype. `grad` has `result`'s shape (any strides).
 */
export function softmaxBackward(
  op: SoftmaxGradOp,
  grad: StridedArray,
  result: StridedArray,
  dim: number,
): StridedArray {
  const out = StridedArray.zeros(result.shape, result.dtype);
  if (out.numel === 0) return out;
  const { length, stride: ys } = lineStep(result, dim);
  const gs = lineStep(grad, dim).stride;
  const os = lineStep(out, dim).stride;
  const yAt = lineOffsets(result, dim);
  const gAt = lineOffsets(grad, dim);
  const oAt = lineOffsets(out, dim);
  const g = grad.data;
  const y = result.data;
  for (let i = 0; i < yAt.length; i++) {
    const p = gAt[i] as number;
    const s = yAt[i] as number;
    const q = oAt[i] as number;
    let acc = 0;
    if (op === "softmax") {
      for (let j = 0; j < length; j++) acc += (g[p + j * gs] as number) * (y[s + j * ys] as number);
      for (let j = 0; j < length; j++)
        out.data[q + j * os] = (y[s + j * ys] as number) * ((g[p + j * gs] as number) - acc);
    } else {
      for (let j = 0; j < length; j++) acc += g[p + j * gs] as number;
      for (let j = 0; j < length; j++)
        out.data[q + j * os] = (g[p + j * gs] as number) - Math.exp(y[s + j * ys] as number) * acc;
    }
  }
  return out;
}

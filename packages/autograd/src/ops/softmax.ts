import { backendFor, reductionDims } from "@torchlet/ops";
import { type DType, fmtShape, isFloating, normalizeDim, TorchletError } from "@torchlet/storage";
import type { Tensor } from "../tensor.js";
import type { OpKit } from "./kit.js";

// softmax, logSoftmax and logsumexp: each one kernel pass that subtracts the line's maximum before
// exp, so logits of 1e4 neither overflow nor lose the small differences between them.

function floating(op: string, a: Tensor): DType {
  if (!isFloating(a.dtype)) {
    throw new TorchletError(
      `${op}: not implemented for ${a.dtype} tensors (shape ${fmtShape(a.shape)}); convert with to("float32")`,
    );
  }
  return a.dtype;
}

/** `exp(x) / sum(exp(x))` along `dim`. */
export function softmax(kit: OpKit, a: Tensor, dim: number): Tensor {
  const dtype = floating("softmax", a);
  const d = normalizeDim("softmax", dim, a.ndim);
  return kit.record("softmax", [a], backendFor("softmax", a._array).alongDim("softmax", a._array, d, dtype), {
    dim: d,
  });
}

/** `x - log(sum(exp(x)))` along `dim`. */
export function logSoftmax(kit: OpKit, a: Tensor, dim: number): Tensor {
  const dtype = floating("logSoftmax", a);
  const d = normalizeDim("logSoftmax", dim, a.ndim);
  return kit.record(
    "logSoftmax",
    [a],
    backendFor("logSoftmax", a._array).alongDim("logSoftmax", a._array, d, dtype),
    { dim: d },
  );
}

/** `log(sum(exp(x)))` over `dim` (a number or a list); integer inputs give float32, as in PyTorch. */
export function logsumexp(kit: OpKit, a: Tensor, dim: number | readonly number[], keepdim: boolean): Tensor {
  const dtype = isFloating(a.dtype) ? a.dtype : "float32";
  const dims = reductionDims("logsumexp", dim, a.ndim, keepdim);
  const out = backendFor("logsumexp", a._array).reduceDims("logsumexp", a._array, dims, keepdim, dtype);
  return kit.record("logsumexp", [a], out, { dims, keepdim });
}

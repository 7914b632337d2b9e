import { noGrad, Tensor, tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";

/**
 * Scales the gradients of `parameters` in place so that their joint norm is at most `maxNorm`
 * (`torch.nn.utils.clip_grad_norm_`); returns the norm before clipping as a 0-d tensor. As in
 * PyTorch 1.13, the coefficient is `min(maxNorm · (1 / (norm + 1e-6)), 1)` in float32 and every
 * gradient is multiplied by it. The norms are summed in float64 and rounded once, so the returned norm
 * may differ from PyTorch's float32 reduction in its last bit.
 *
 * @example
 * const w = torch.tensor([3, 4], { requiresGrad: true });
 * w.mul(1).sum().backward(); // grad [1, 1]
 * w.grad!.mul_(torch.tensor([3, 4]));
 * torch.nn.utils.clipGradNorm_([w], 1).item(); // 5
 * w.grad!.tolist(); // [0.6, 0.8]
 */
export function clipGradNorm_(parameters: Tensor | readonly Tensor[], maxNorm: number, normType = 2): Tensor {
  const params = parameters instanceof Tensor ? [parameters] : [...parameters];
  if (params.some((p) => !(p instanceof Tensor)))
    throw new TorchletError("clipGradNorm_: parameters must be a Tensor or an array of Tensors");
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm))
    throw new TorchletError(`clipGradNorm_: maxNorm must be a number, got ${String(maxNorm)}`);
  if (!(normType > 0))
    throw new TorchletError(`clipGradNorm_: normType must be positive (2 or Infinity), got ${normType}`);
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0);
  // PyTorch computes in the gradients' dtype: float32 unless they are float64.
  const double = grads[0]?.dtype === "float64";
  const f = double ? (v: number) => v : Math.fround;
  const norms = grads.map((g) => f(norm(g.toTypedArray() as Float32Array | Float64Array, normType)));
  const total = f(norm(norms, normType));
  const coefficient = Math.min(f(f(1 / f(total + f(1e-6))) * f(maxNorm)), 1);
  noGrad(() => {
    for (const g of grads) g.mul_(coefficient);
  });
  return tensor(total, { dtype: double ? "float64" : "float32" });
}

// The p-norm in float64 (Infinity: the largest magnitude).
function norm(values: ArrayLike<number>, p: number): number {
  let acc = 0;
  if (p === Number.POSITIVE_INFINITY) {
    for (let i = 0; i < values.length; i++) acc = Math.max(acc, Math.abs(values[i] as number));
    return acc;
  }
  for (let i = 0; i < values.length; i++) acc += Math.abs(values[i] as number) ** p;
  return acc ** (1 / p);
}

import { isGradEnabled, Tensor } from "@torchlet/autograd";
import { copyInto, StridedArray, TorchletError } from "@torchlet/storage";
import { type Generator, normalFill, normalFillSerial, uniformFill } from "./random/index.js";
import { uniformDouble01 } from "./random/uniform.js";
import { checkFinite, describe, generatorOf } from "./validate.js";

/**
 * The in-place samplers (`tensor.uniform_`, `tensor.normal_`), which `nn.init` builds on. They write
 * into the tensor's storage in PyTorch's order, so a contiguous tensor gets the numbers PyTorch's
 * kernel gives it for the same generator state.
 */

/**
 * Options of the in-place samplers.
 *
 * @example
 * const options: FillOptions = { generator: new torch.Generator().manualSeed(3) };
 * torch.uniform_(torch.zeros(2), -1, 1, options).shape; // [2]
 */
export interface FillOptions {
  /** An independent stream; the global one when omitted. */
  generator?: Generator;
}

// `contiguous` tells the sampler whether PyTorch would see a contiguous tensor (normal_ draws differently).
type FloatFill = (gen: Generator, out: Float32Array | Float64Array, contiguous: boolean) => void;

function fillInPlace(op: string, t: Tensor, options: FillOptions, fill: FloatFill): Tensor {
  if (!(t instanceof Tensor)) throw new TorchletError(`${op}: expected a Tensor, got ${describe(t)}`);
  if (t.dtype !== "float32" && t.dtype !== "float64")
    throw new TorchletError(`${op}: expected a float32 or float64 tensor, got ${t.dtype}`);
  if (isGradEnabled() && t.requiresGrad) {
    throw new TorchletError(
      `${op}: a tensor that requires grad (shape [${t.shape.join(", ")}]) is being used in an in-place operation; wrap the call in torch.noGrad`,
    );
  }
  const gen = generatorOf(op, options);
  const target = t._array;
  if (target.isContiguous()) {
    fill(gen, target.data.subarray(target.offset, target.offset + target.numel) as Float32Array, true);
  } else {
    const values = StridedArray.zeros(target.shape, target.dtype);
    fill(gen, values.data as Float32Array, false);
    copyInto(target, values);
  }
  t._version.value++;
  return t;
}

/**
 * Fills `t` in place with uniform samples from [from, to) (PyTorch's `t.uniform_(from, to)`); returns t.
 *
 * @example
 * torch.manualSeed(0);
 * torch.uniform_(torch.zeros(3), -1, 1).tolist(); // [-0.0075, 0.5364, -0.8230]
 */
export function uniform_(t: Tensor, from = 0, to = 1, options: FillOptions = {}): Tensor {
  checkFinite("uniform_", "from", from);
  checkFinite("uniform_", "to", to, from);
  return fillInPlace("uniform_", t, options, (gen, out) => uniformFill(gen, out, from, to));
}

/**
 * Fills `t` in place with normal samples (PyTorch's `t.normal_(mean, std)`); returns t.
 *
 * @example
 * torch.manualSeed(42);
 * torch.normal_(torch.zeros(3), 0, 1).tolist(); // [0.3367, 0.1288, 0.2345]
 */
export function normal_(t: Tensor, mean = 0, std = 1, options: FillOptions = {}): Tensor {
  checkFinite("normal_", "mean", mean);
  checkFinite("normal_", "std", std, 0);
  return fillInPlace("normal_", t, options, (gen, out, contiguous) =>
    contiguous ? normalFill(gen, out, mean, std) : normalFillSerial(gen, out, mean, std),
  );
}

/**
 * Fills `t` in place with 1 (probability p) or 0 (PyTorch's `t.bernoulli_(p)` on its CPU build without
 * MKL, as Debian's and most source builds are): one double uniform per element, in order, and 1 where
 * it is below p. `nn.Dropout` draws its mask with it. Returns t.
 *
 * @example
 * torch.manualSeed(0);
 * torch.bernoulli_(torch.zeros(6), 0.7).tolist(); // [0, 0, 1, 0, 1, 0]
 */
export function bernoulli_(t: Tensor, p = 0.5, options: FillOptions = {}): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p <= 1))
    throw new TorchletError(`bernoulli_: expects 0 <= p <= 1, but got p=${describe(p)}`);
  return fillInPlace("bernoulli_", t, options, (gen, out) => {
    for (let i = 0; i < out.length; i++) out[i] = uniformDouble01(gen) < p ? 1 : 0;
  });
}

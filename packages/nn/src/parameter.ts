import { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";

// Parameters are tensors marked here: a Module registers a field as a parameter only when marked,
// as PyTorch registers only `nn.Parameter` attributes.
const parameters = new WeakSet<Tensor>();

/**
 * A parameter (`torch.nn.Parameter(tensor)`): a leaf that shares `data`'s storage and requires grad,
 * marked so that a Module registers it when assigned as a field.
 *
 * @example
 * const w = torch.nn.Parameter(torch.zeros(2, 3));
 * w.requiresGrad; // true
 * w.isLeaf; // true
 * torch.nn.isParameter(w); // true
 */
export function Parameter(data: Tensor, requiresGrad = true): Tensor {
  if (!(data instanceof Tensor)) throw new TorchletError(`Parameter: expected a Tensor, got ${typeof data}`);
  const p = data.detach();
  if (requiresGrad) p.requiresGrad_(true);
  parameters.add(p);
  return p;
}

/**
 * Whether `t` was made by `Parameter` (PyTorch's `isinstance(t, nn.Parameter)`).
 *
 * @example
 * torch.nn.isParameter(torch.zeros(2)); // false
 */
export function isParameter(t: unknown): t is Tensor {
  return t instanceof Tensor && parameters.has(t);
}

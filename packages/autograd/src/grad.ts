import { TorchletError } from "@torchlet/storage";
import { runBackward } from "./engine.js";
import { type BackwardOptions, checkBackwardOptions, checkTensor, type Tensor } from "./tensor.js";

/**
 * Options of `autograd.grad`.
 *
 * @example
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * const unused = torch.tensor([3], { requiresGrad: true });
 * const options: GradOptions = { allowUnused: true };
 * torch.autograd.grad(x.sum(), [x, unused], options)[1]; // null
 */
export interface GradOptions extends BackwardOptions {
  /** The gradient of each output (needed for outputs with more than one element). */
  gradOutputs?: Tensor | readonly (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on, instead of an error. */
  allowUnused?: boolean;
}

const asList = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/**
 * The gradients of `outputs` with respect to `inputs`, one per input, without touching any `.grad`
 * (PyTorch's `torch.autograd.grad`). With `createGraph` the results are themselves differentiable.
 *
 * @example
 * const [dx] = torch.autograd.grad(x.pow(3).sum(), x, { createGraph: true });
 * const [d2x] = torch.autograd.grad(dx.sum(), x);  // 6x
 */
function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  checkBackwardOptions("autograd.grad", options);
  const outs = asList(outputs);
  const ins = asList(inputs);
  const gradOutputs = options.gradOutputs === undefined ? outs.map(() => null) : asList(options.gradOutputs);
  for (const [i, t] of outs.entries()) checkTensor("autograd.grad", `outputs[${i}]`, t);
  for (const [i, t] of ins.entries()) checkTensor("autograd.grad", `inputs[${i}]`, t);
  for (const [i, g] of gradOutputs.entries())
    if (g !== null) checkTensor("autograd.grad", `gradOutputs[${i}]`, g);
  if (gradOutputs.length !== outs.length) {
    throw new TorchletError(
      `autograd.grad: got ${gradOutputs.length} gradOutputs for ${outs.length} outputs`,
    );
  }
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new TorchletError(`autograd.grad: input ${i} does not require grad`);
  });
  const captured = runBackward(outs, gradOutputs, options, ins);
  return ins.map((t, i) => {
    const g = captured.get(t.gradFn ?? t._gradAccumulator()) ?? null;
    if (g === null && !options.allowUnused) {
      throw new TorchletError(
        `autograd.grad: input ${i} appears to not have been used in the graph; set allowUnused: true if this is the desired behavior`,
      );
    }
    return g;
  });
}

/**
 * The functional autograd namespace: `torch.autograd.grad(...)`.
 *
 * @example
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * const [dx] = torch.autograd.grad(x.pow(2).sum(), x);
 * dx!.tolist(); // [2, 4]
 * x.grad; // null
 */
export const autograd = { grad };

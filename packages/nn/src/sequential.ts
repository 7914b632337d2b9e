import type { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { Module } from "./module.js";

/**
 * Modules applied one after another (`torch.nn.Sequential`); they register as `"0"`, `"1"`, ..., so the
 * state dict's keys are PyTorch's (`"0.weight"`).
 *
 * @example
 * torch.manualSeed(0);
 * const model = new torch.nn.Sequential(new torch.nn.Linear(3, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 1));
 * model.forward(torch.randn(100, 3)).shape; // [100, 1]
 * Object.keys(model.stateDict()); // ["0.weight", "0.bias", "2.weight", "2.bias"]
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    for (const [i, m] of modules.entries()) {
      if (!(m instanceof Module))
        throw new TorchletError(`Sequential: argument ${i} must be a Module, got ${typeof m}`);
      (this as unknown as Record<string, Module>)[String(i)] = m;
    }
  }

  /** The number of modules. */
  get length(): number {
    return this.children().length;
  }

  /**
   * The module at `index` (negative counts from the end).
   *
   * @example
   * new torch.nn.Sequential(new torch.nn.ReLU(), new torch.nn.Tanh()).at(-1).toString(); // "Tanh()"
   */
  at(index: number): Module {
    const children = this.children();
    const m = children[index < 0 ? children.length + index : index];
    if (!m)
      throw new TorchletError(`Sequential.at: index ${index} is out of range for ${children.length} modules`);
    return m;
  }

  forward(x: Tensor): Tensor {
    let out = x;
    for (const m of this.children()) out = m.forward(out);
    return out;
  }
}

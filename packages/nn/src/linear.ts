import { type Tensor, zeros } from "@torchlet/autograd";
import { checkFeatures, checkLastDim } from "./checks.js";
import { linear } from "./functional.js";
import { fanInAndFanOut, kaimingUniform_, uniform_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";
import { py } from "./repr.js";

/**
 * A fully connected layer, `x · weightᵀ + bias` (`torch.nn.Linear`). `weight` is `[out, in]`. PyTorch's
 * default initialisation from the global generator: weight by `kaimingUniform_(w, { a: √5 })`, then
 * bias from U(-1/√in, 1/√in), so after the same seed the values are PyTorch's.
 *
 * @example
 * torch.manualSeed(0);
 * const fc = new torch.nn.Linear(5, 7);
 * fc.weight.shape; // [7, 5]
 * fc.bias!.tolist()[0]; // -0.4188
 * fc.forward(torch.ones(4, 5)).shape; // [4, 7]
 * fc.forward(torch.ones(4, 3)); // throws TorchletError: Linear(5, 7): input [4, 3]
 */
export class Linear extends Module {
  /** The input size. */
  readonly inFeatures: number;
  /** The output size. */
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]`. */
  weight: Tensor;
  /** `[outFeatures]`, or null with `{ bias: false }`. */
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    checkFeatures("Linear", { inFeatures, outFeatures });
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    // torch.empty: storage only; resetParameters draws every value.
    this.weight = Parameter(zeros([outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : Parameter(zeros([outFeatures]));
    this.resetParameters();
  }

  /**
   * Draws the default initialisation again (PyTorch's `reset_parameters`).
   *
   * @example
   * torch.manualSeed(0);
   * const fc = new torch.nn.Linear(5, 7);
   * const first = fc.weight.tolist();
   * torch.manualSeed(0);
   * fc.resetParameters();
   * fc.weight.tolist(); // the same values as first
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = fanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(x: Tensor): Tensor {
    checkLastDim(`Linear(${this.inFeatures}, ${this.outFeatures})`, x, this.inFeatures);
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${py(this.bias !== null)}`;
  }
}

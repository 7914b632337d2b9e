import { noGrad, type Tensor, zeros } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { checkFeatures } from "./checks.js";
import { embedding } from "./functional.js";
import { normal_ } from "./init.js";
import { Module } from "./module.js";
import { Parameter } from "./parameter.js";

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim` (`torch.nn.Embedding`), drawn from
 * N(0, 1) by the global generator as PyTorch draws them; the row at `paddingIdx`, if given, starts at
 * zero and gets no gradient.
 *
 * @example
 * torch.manualSeed(0);
 * const emb = new torch.nn.Embedding(10, 3, { paddingIdx: 0 });
 * emb.forward(torch.tensor([[0, 4]], { dtype: "int64" })).shape; // [1, 2, 3]
 * emb.toString(); // "Embedding(10, 3, padding_idx=0)"
 */
export class Embedding extends Module {
  /** The number of vectors. */
  readonly numEmbeddings: number;
  /** The size of each vector. */
  readonly embeddingDim: number;
  /** The row that gets no gradient (non-negative), or null. */
  readonly paddingIdx: number | null;
  /** `[numEmbeddings, embeddingDim]`. */
  weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: { paddingIdx?: number | null } = {}) {
    super();
    checkFeatures("Embedding", { numEmbeddings, embeddingDim });
    const paddingIdx = options.paddingIdx ?? null;
    if (
      paddingIdx !== null &&
      !(Number.isSafeInteger(paddingIdx) && paddingIdx >= -numEmbeddings && paddingIdx < numEmbeddings)
    )
      throw new TorchletError(
        `Embedding: paddingIdx must be within num_embeddings (${numEmbeddings}), got ${paddingIdx}`,
      );
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingIdx !== null && paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    this.weight = Parameter(zeros([numEmbeddings, embeddingDim]));
    this.resetParameters();
  }

  /**
   * Draws N(0, 1) again and zeroes the padding row (PyTorch's `reset_parameters`).
   *
   * @example
   * const emb = new torch.nn.Embedding(4, 2, { paddingIdx: 1 });
   * emb.resetParameters();
   * emb.weight.select(0, 1).tolist(); // [0, 0]
   */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.select(0, row).zero_());
    }
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  override extraRepr(): string {
    const padding = this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${padding}`;
  }
}

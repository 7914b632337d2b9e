import type { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { Module } from "./module.js";

/**
 * Its input, unchanged (`torch.nn.Identity`): a placeholder where a layer is optional.
 *
 * @example
 * new torch.nn.Identity().forward(torch.tensor([1, 2])).tolist(); // [1, 2]
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * Merges dims `startDim..endDim` into one (`torch.nn.Flatten`; by default all but the batch dim).
 *
 * @example
 * new torch.nn.Flatten().forward(torch.zeros(4, 2, 3)).shape; // [4, 6]
 * new torch.nn.Flatten(0, 1).forward(torch.zeros(4, 2, 3)).shape; // [8, 3]
 */
export class Flatten extends Module {
  constructor(
    /** The first dim merged (default 1, after the batch dim). */
    readonly startDim = 1,
    /** The last dim merged (default -1, the last). */
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const n = Math.max(x.ndim, 1);
    const [start, end] = [this.startDim, this.endDim].map((d) => (d < 0 ? d + n : d)) as [number, number];
    if (start < 0 || end >= n || start > end) {
      throw new TorchletError(
        `Flatten(${this.startDim}, ${this.endDim}): input [${x.shape.join(", ")}] has no dims ${this.startDim}..${this.endDim}`,
      );
    }
    if (x.ndim === 0) return x.reshape([1]);
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return x.reshape([...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

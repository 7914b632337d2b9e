import type { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";

/**
 * How a loss reduces its elementwise values: their mean (default), their sum, or none.
 *
 * @example
 * const reduction: torch.nn.functional.Reduction = "none";
 * torch.nn.functional.l1Loss(torch.tensor([1, -2]), torch.tensor([0, 0]), { reduction }).tolist(); // [1, 2]
 */
export type Reduction = "mean" | "sum" | "none";

export function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction === "mean" || reduction === "sum" || reduction === "none") return reduction;
  throw new TorchletError(
    `${op}: reduction must be "mean", "sum" or "none", got ${JSON.stringify(reduction)}`,
  );
}

export function reduce(values: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return values.mean();
  if (reduction === "sum") return values.sum();
  return values;
}

/**
 * Options of the losses.
 *
 * @example
 * const options: LossOptions = { reduction: "sum" };
 * torch.nn.functional.mseLoss(torch.tensor([1, 2]), torch.tensor([0, 0]), options).item(); // 5
 */
export interface LossOptions {
  /** `"mean"` (default), `"sum"` or `"none"`. */
  reduction?: Reduction;
}

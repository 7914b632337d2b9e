import { type Tensor, where, zeros } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";

function checkIndices(op: string, indices: Tensor): void {
  if (indices.dtype !== "int64" && indices.dtype !== "int32")
    throw new TorchletError(`${op}: expected int64 or int32 indices, got ${indices.dtype}`);
}

/** Refuses an index outside [0, num): a synchronous read of the indices. */
function checkRange(indices: Tensor, num: number): void {
  for (const value of indices.toTypedArray()) {
    const index = Number(value);
    if (index < 0 || index >= num)
      throw new TorchletError(`embedding: index ${index} is out of range for ${num} embeddings`);
  }
}

/**
 * The rows of `weight` (`[num, dim]`) at int64 (or int32) `indices`, shaped `[...indices.shape, dim]`
 * (`torch.nn.functional.embedding`); the row at `paddingIdx`, if given, gets no gradient.
 *
 * @example
 * const weight = torch.tensor([[0, 0], [1, 2], [3, 4]]);
 * torch.nn.functional.embedding(torch.tensor([[2, 1]], { dtype: "int64" }), weight).tolist(); // [[[3, 4], [1, 2]]]
 * torch.nn.functional.embedding(torch.tensor([3], { dtype: "int64" }), weight); // throws index 3 is out of range
 */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  checkIndices("embedding", indices);
  if (weight.ndim !== 2)
    throw new TorchletError(`embedding: weight must be 2-D [num, dim], got [${weight.shape.join(", ")}]`);
  const num = weight.shape[0] as number;
  // A device's values cannot be read synchronously: there indexSelect checks the range on the
  // device and the error arrives at the read
  if (indices.device === "cpu") checkRange(indices, num);
  const rows = weight
    .indexSelect(0, indices.flatten())
    .reshape([...indices.shape, weight.shape[1] as number]);
  if (paddingIdx === null) return rows;
  const padding = indices.eq(paddingIdx < 0 ? paddingIdx + num : paddingIdx).unsqueeze(-1);
  return where(padding, rows.detach(), rows);
}

/**
 * Each int64 class index as a row of `numClasses` zeros with a one at the index, int64, shaped
 * `[...t.shape, numClasses]` (`torch.nn.functional.one_hot`); `numClasses = -1` takes the largest index + 1.
 *
 * @example
 * torch.nn.functional.oneHot(torch.tensor([0, 2], { dtype: "int64" }), 3).tolist(); // [[1, 0, 0], [0, 0, 1]]
 * torch.nn.functional.oneHot(torch.tensor([1], { dtype: "int64" })).tolist(); // [[0, 1]]
 * torch.nn.functional.oneHot(torch.tensor([3], { dtype: "int64" }), 3); // throws smaller than num_classes
 */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  if (t.dtype !== "int64")
    throw new TorchletError(`oneHot: one_hot is only applicable to index tensor (int64), got ${t.dtype}`);
  const values = Array.from(t.toTypedArray(), Number);
  if (values.some((v) => v < 0)) throw new TorchletError("oneHot: Class values must be non-negative.");
  const largest = values.reduce((a, b) => Math.max(a, b), -1);
  const classes = numClasses === -1 ? largest + 1 : numClasses;
  if (numClasses === -1 && values.length === 0)
    throw new TorchletError("oneHot: Can not infer total number of classes from empty tensor.");
  if (!Number.isSafeInteger(classes) || classes < 0)
    throw new TorchletError(`oneHot: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
  if (largest >= classes)
    throw new TorchletError(
      `oneHot: Class values must be smaller than num_classes (${classes}), got ${largest}.`,
    );
  return zeros([...t.shape, classes], { dtype: "int64" }).scatter(-1, t.unsqueeze(-1), 1);
}

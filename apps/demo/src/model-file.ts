// A model file the visitor drops on the page: PyTorch's state dict of the chapter's network,
// `nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, 1))`, saved with
// `torch.save(model.state_dict(), "model.pt")` or as safetensors. It is read in the worker, with
// torchlet's own readers: nothing in the file ever runs.
import * as torch from "torchlet";
import type { ParamName } from "./protocol.js";

/** The chapter's parameters (w [in, out], b [1, out], as the raw-tensor code holds them) from a file. */
export type ChapterWeights = Record<ParamName, torch.Tensor>;

/**
 * The weights in `bytes` (a `.pt` zip or safetensors) for a network on `features` inputs, or a
 * sentence saying why the file cannot be that network.
 */
export function chapterWeights(bytes: Uint8Array, features: number): ChapterWeights | string {
  let dict: unknown;
  try {
    dict = bytes[0] === 0x50 && bytes[1] === 0x4b ? torch.load(bytes) : torch.safetensors.load(bytes);
  } catch (error) {
    return error instanceof torch.TorchletError
      ? error.message
      : `not a PyTorch model file (${String(error)})`;
  }
  if (typeof dict !== "object" || dict === null || Array.isArray(dict) || dict instanceof torch.Tensor)
    return "the file holds no state dict";
  const sd = dict as Record<string, unknown>;
  const expected = ["0.weight", "0.bias", "2.weight", "2.bias"];
  const keys = Object.keys(sd).sort();
  if (keys.join() !== [...expected].sort().join())
    return `expected the keys ${expected.join(", ")} of nn.Sequential(Linear, ReLU, Linear), got ${keys.join(", ") || "none"}`;
  const tensors = expected.map((k) => sd[k]);
  if (
    !tensors.every(
      (t): t is torch.Tensor => t instanceof torch.Tensor && (t.dtype === "float32" || t.dtype === "float64"),
    )
  )
    return "every entry must be a float tensor";
  const [w1, b1, w2, b2] = tensors.map((t) => t.to("float32")) as [
    torch.Tensor,
    torch.Tensor,
    torch.Tensor,
    torch.Tensor,
  ];
  const hidden = w1.shape[0] as number;
  const fits =
    w1.ndim === 2 &&
    w1.shape[1] === features &&
    b1.ndim === 1 &&
    b1.shape[0] === hidden &&
    w2.ndim === 2 &&
    w2.shape[0] === 1 &&
    w2.shape[1] === hidden &&
    b2.ndim === 1 &&
    b2.shape[0] === 1;
  if (!fits)
    return `the layers' shapes (${[w1, b1, w2, b2].map((t) => `[${t.shape.join(", ")}]`).join(" ")}) are not Linear(${features}, h), Linear(h, 1) for this data set`;
  return {
    w1: w1.t().contiguous(),
    b1: b1.reshape([1, hidden]),
    w2: w2.t().contiguous(),
    b2: b2.reshape([1, 1]),
  };
}

import * as torch from "torchlet";
import type { Network } from "./chapter.js";

/** Files `train --save` writes in PyTorch's formats instead of torchlet's JSON, by extension. */
export function pytorchFormat(path: string): "pt" | "safetensors" | null {
  if (/\.(pt|pth)$/i.test(path)) return "pt";
  if (/\.safetensors$/i.test(path)) return "safetensors";
  return null;
}

/**
 * The chapter's network as the state dict of PyTorch's
 * `nn.Sequential(nn.Linear(in, h), nn.ReLU(), ..., nn.Linear(h, 1))`: keys "0.weight", "0.bias",
 * "2.weight", ... with weights [out, in] and biases [out], as PyTorch's Linear holds them.
 */
export function stateDictOf(net: Network): Record<string, torch.Tensor> {
  const dict: Record<string, torch.Tensor> = {};
  net.weights.forEach((w, i) => {
    const b = net.biases[i] as torch.Tensor;
    dict[`${2 * i}.weight`] = w.detach().t().contiguous();
    dict[`${2 * i}.bias`] = b.detach().reshape([-1]).contiguous();
  });
  return dict;
}

/** The bytes of `net` in `format`. */
export function pytorchBytes(net: Network, format: "pt" | "safetensors"): Uint8Array {
  const dict = stateDictOf(net);
  return format === "pt" ? torch.save(dict) : torch.safetensors.save(dict, { format: "pt" });
}

/**
 * The network a PyTorch state dict of that Sequential holds (keys 0, 2, 4, ...: a Linear, then one
 * parameter-free module, which the chapter's network takes to be ReLU), or the problem in words.
 */
export function networkFromStateDict(dict: unknown): Network | string {
  if (typeof dict !== "object" || dict === null || Array.isArray(dict) || dict instanceof torch.Tensor)
    return "it holds no state dict (a dict of tensors)";
  const entries = Object.entries(dict as Record<string, unknown>);
  const net: Network = { weights: [], biases: [] };
  for (const [key, value] of entries) {
    const m = /^(\d+)\.(weight|bias)$/.exec(key);
    if (!m) return `key "${key}" is not a layer of nn.Sequential(Linear, ReLU, ..., Linear)`;
    const index = Number(m[1]);
    if (index % 2 !== 0) return `key "${key}": Linear layers sit at 0, 2, 4, ... with a ReLU between`;
    if (!(value instanceof torch.Tensor)) return `"${key}" is not a tensor`;
    if (value.dtype !== "float32" && value.dtype !== "float64")
      return `"${key}" is ${value.dtype}, not float32 or float64`;
    const layer = index / 2;
    if (m[2] === "weight") {
      if (value.ndim !== 2) return `"${key}" has shape [${value.shape.join(", ")}], not [out, in]`;
      net.weights[layer] = value.t().contiguous();
    } else {
      if (value.ndim !== 1) return `"${key}" has shape [${value.shape.join(", ")}], not [out]`;
      net.biases[layer] = value.reshape([1, -1]);
    }
  }
  if (net.weights.length === 0) return "it holds no layers";
  for (let i = 0; i < net.weights.length; i++) {
    const w = net.weights[i];
    const b = net.biases[i];
    if (!w || !b) return `layer ${2 * i} needs both "${2 * i}.weight" and "${2 * i}.bias"`;
    if (b.shape[1] !== w.shape[1])
      return `"${2 * i}.bias" has ${b.shape[1]} values for ${w.shape[1]} outputs of "${2 * i}.weight"`;
    if (w.dtype !== (net.weights[0] as torch.Tensor).dtype || b.dtype !== w.dtype)
      return "its tensors do not all have one dtype";
    const previous = net.weights[i - 1];
    if (previous && previous.shape[1] !== w.shape[0])
      return `"${2 * i}.weight" takes ${w.shape[0]} inputs but layer ${2 * i - 2} gives ${previous.shape[1]}`;
  }
  return net;
}

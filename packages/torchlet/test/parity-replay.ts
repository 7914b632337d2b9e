import { readFileSync } from "node:fs";
import * as torch from "torchlet";
import type { Encoded } from "./helpers.js";
import { decode } from "./helpers.js";

// The cases of fixtures/parity.json (written by fixtures/gen_parity.py with PyTorch 1.13) and how to
// replay one: build its operands on a device, run its op. parity.test.ts replays them on the CPU,
// webgpu/parity.test.ts on the GPU.

export interface TensorSpec {
  shape: number[];
  dtype: torch.DType;
  data: Encoded[];
  views: [string, ...unknown[]][];
  requiresGrad: boolean;
}
/**
 * A tensor, a list of them (cat, stack), a plain value, or (last) an options object: `{ dtype }` for
 * factories, keyword arguments such as `{ keepdim }` for methods.
 */
type Arg =
  | { tensor: TensorSpec }
  | { tensor: TensorSpec }[]
  | { items: EncodedItem[] }
  | number
  | number[]
  | boolean
  | string
  | { dtype?: string; requiresGrad?: boolean };
export interface Out {
  shape: number[];
  dtype: torch.DType;
  data: Encoded[];
  contiguous: boolean;
  requiresGrad: boolean;
}
export interface Case {
  name: string;
  op: string;
  js?: string;
  args: Arg[];
  note?: string;
  error?: string;
  out?: Out;
  /** The outputs of ops that return several tensors (split, max(dim)), in PyTorch's order. */
  outs?: Out[];
  sharesStorage?: boolean;
  gradFn?: string | null;
  nextFunctions?: (string | null)[];
  /** One upstream gradient, or (with `outs`) one per output that requires grad. */
  upstream?: Encoded[] | Encoded[][];
  grads?: (Encoded[] | null)[];
}

export const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/parity.json", import.meta.url), "utf8"),
) as { cases: Case[] };

/** grad_fn names that differ from PyTorch's on purpose, with the reason. */
export const KNOWN_NAME_DIFFERENCES: Record<string, string> = {
  "matmul/4x4-2": "PyTorch squeezes its result in place (SqueezeBackward3); torchlet has no in-place squeeze",
};

export const isFloatingDType = (dtype: torch.DType): boolean => dtype === "float32" || dtype === "float64";

type Method = (...args: unknown[]) => Result;

function call(target: torch.Tensor, method: string, args: readonly unknown[]): Result {
  const fn = (target as unknown as Record<string, Method>)[method];
  if (typeof fn !== "function") throw new Error(`fixture names an unknown method ${method}`);
  return fn.apply(target, [...args]);
}

/** The leaf (which receives gradients) and the tensor after the spec's view ops, on `device`. */
function build(spec: TensorSpec, device: torch.Device): { leaf: torch.Tensor; value: torch.Tensor } {
  const leaf = torch.tensor(spec.data.map(decode), { dtype: spec.dtype, device }).reshape(spec.shape);
  leaf.requiresGrad_(spec.requiresGrad);
  let value = leaf;
  for (const [method, ...rest] of spec.views) value = call(value, method, rest) as torch.Tensor;
  return { leaf, value };
}

/** An entry of an index list as the generator writes it: `{ slice: [start, end, step] }` for a Slice. */
type EncodedItem = number | null | "..." | { slice: (number | null)[] } | { tensor: TensorSpec };

function indexItem(item: EncodedItem, device: torch.Device): torch.IndexItem {
  if (typeof item !== "object" || item === null) return item;
  if ("slice" in item) {
    const [start = null, end = null, step = null] = item.slice;
    return torch.Slice(start, end, step ?? 1);
  }
  return build(item.tensor, device).value;
}

export type Result = torch.Tensor | torch.Tensor[] | torch.ValuesIndices;

/** Every output, in PyTorch's order (a `{ values, indices }` pair as its tuple). */
export function outputsOf(result: Result): torch.Tensor[] {
  if (result instanceof torch.Tensor) return [result];
  return Array.isArray(result) ? result : [result.values, result.indices];
}

const isSpec = (a: unknown): a is { tensor: TensorSpec } =>
  typeof a === "object" && a !== null && "tensor" in a;

/** Every tensor spec of a case's arguments, index lists included, in order. */
export function tensorSpecs(c: Case): TensorSpec[] {
  return c.args.flatMap((a): TensorSpec[] => {
    if (isSpec(a)) return [a.tensor];
    if (Array.isArray(a)) return a.filter(isSpec).map((s) => s.tensor);
    if (typeof a === "object" && a !== null && "items" in a)
      return a.items.filter((i): i is { tensor: TensorSpec } => isSpec(i)).map((i) => i.tensor);
    return [];
  });
}

/**
 * A case's operands built on `device`: `built` has one entry per tensor argument (a tensor list gives
 * one each, as the generator's gradients are listed), `values` the arguments to call the op with.
 */
export function setUp(
  c: Case,
  device: torch.Device = "cpu",
): { built: ({ leaf: torch.Tensor; value: torch.Tensor } | null)[]; values: unknown[] } {
  const built = c.args
    .flatMap((a) => (Array.isArray(a) && a.every(isSpec) && a.length > 0 ? a : [a]))
    .map((a) => (isSpec(a) ? build(a.tensor, device) : null));
  let next = 0;
  const values: unknown[] = c.args.map((a) => {
    if (typeof a === "object" && a !== null && "items" in a) {
      next++;
      return a.items.map((item) => indexItem(item, device));
    }
    if (Array.isArray(a) && a.length > 0 && a.every(isSpec)) return a.map(() => built[next++]?.value);
    const value = built[next++]?.value ?? a;
    // non-finite numbers travel as strings (norm's p)
    return value === "inf" || value === "-inf" ? decode(value) : value;
  });
  // A factory with no tensor operand creates its result on the device: its options say where.
  if (device !== "cpu" && c.op.startsWith("torch.") && built.every((b) => b === null)) {
    const last = values.at(-1);
    const isOptions = typeof last === "object" && last !== null && !Array.isArray(last);
    if (isOptions) values[values.length - 1] = { ...last, device };
    else values.push({ device });
  }
  return { built, values };
}

export function run(c: Case, values: unknown[]): Result {
  if (c.op.startsWith("torch.")) {
    // Factories and functional forms: torch.NAME(...args, options?).
    const fn = (torch as unknown as Record<string, (...args: unknown[]) => Result>)[(c.js ?? c.op).slice(6)];
    if (typeof fn !== "function") throw new Error(`fixture names an unknown function ${c.op}`);
    return fn(...values);
  }
  const [first, ...rest] = values as [torch.Tensor, ...unknown[]];
  // In-place ops run on a clone (as the generator does), which then carries the graph.
  return call(c.op.endsWith("_") ? first.clone() : first, c.js ?? c.op, rest);
}

/** The pattern PyTorch's error for `c` must match: the message starts with the op's name. */
export function errorNaming(c: Case): RegExp {
  const op = (c.js ?? c.op).replace("torch.", "");
  return new RegExp(`^${op.replace(/_$/, "_?")}\\b|^${op}:`);
}

/** The loss whose gradient is PyTorch's backward(outputs, upstreams): sum over outputs of <output, upstream>. */
export function upstreamLoss(c: Case, outs: readonly torch.Tensor[]): torch.Tensor {
  const differentiable = outs.filter((t) => t.requiresGrad);
  const upstreams = (c.outs ? c.upstream : [c.upstream]) as Encoded[][];
  return differentiable.reduce<torch.Tensor | null>((acc, t, k) => {
    const up = torch
      .tensor((upstreams[k] as Encoded[]).map(decode), { dtype: t.dtype, device: t.device })
      .reshape(t.shape);
    const term = t.mul(up).sum();
    return acc === null ? term : acc.add(term);
  }, null) as torch.Tensor;
}

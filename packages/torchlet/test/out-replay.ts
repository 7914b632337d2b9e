import { readFileSync } from "node:fs";
import * as torch from "torchlet";
import { decode, type Encoded } from "./helpers.js";

// The cases of fixtures/out.json (written by fixtures/gen_out.py with PyTorch 1.13) and how to replay
// one on a device: out.test.ts replays them on the CPU, webgpu/out.test.ts on the GPU.

export interface Spec {
  shape: number[];
  dtype: torch.DType;
  data: Encoded[];
}
export type OutKind =
  | "fresh"
  | "grad"
  | "empty"
  | "wrongShape"
  | "expanded"
  | "transposed"
  | "input0"
  | "partial";
export interface Case {
  name: string;
  op: string;
  inputs: Spec[];
  other?: number;
  args: unknown[];
  out: { kind: OutKind; shape: number[]; dtype: torch.DType };
  base?: Spec;
  grad: boolean;
  noGrad: boolean;
  expect: Spec | { error: string } | { resizeWarning: string };
}

export const fixture = JSON.parse(readFileSync(new URL("../fixtures/out.json", import.meta.url), "utf8")) as {
  cases: Case[];
};
export const registry = JSON.parse(
  readFileSync(new URL("../fixtures/ops.json", import.meta.url), "utf8"),
) as {
  name: string;
}[];
const REDUCTIONS = new Set(["sum", "mean", "amax", "amin", "prod"]);

const build = (s: Spec, device: torch.Device) =>
  torch.tensor(s.data.map(decode), { dtype: s.dtype, device }).reshape(s.shape);

/** The case's operands and out on `device`, built as gen_out.py builds them. */
export function setUp(c: Case, device: torch.Device = "cpu"): { inputs: torch.Tensor[]; out: torch.Tensor } {
  const inputs = c.inputs.map((s, i) => build(s, device).requiresGrad_(c.grad && i === 0));
  const { kind, shape, dtype } = c.out;
  const n = shape.reduce((a, b) => a * b, 1);
  if (kind === "partial") {
    const base = build(c.base as Spec, device);
    inputs[0] = base.narrow(0, 0, n);
    return { inputs, out: base.narrow(0, 1, n) };
  }
  const outOf: Record<Exclude<OutKind, "partial">, () => torch.Tensor> = {
    fresh: () => torch.zeros(shape, { dtype, device }),
    grad: () => torch.zeros(shape, { dtype, device, requiresGrad: true }),
    empty: () => torch.zeros([0], { dtype, device }),
    wrongShape: () => torch.zeros([n + 1], { dtype, device }),
    expanded: () => torch.zeros([1], { dtype, device }).expand(shape),
    transposed: () => torch.zeros([...shape].reverse(), { dtype, device }).t(),
    input0: () => inputs[0] as torch.Tensor,
  };
  return { inputs, out: outOf[kind]() };
}

export function run(c: Case, inputs: torch.Tensor[], out: torch.Tensor): torch.Tensor {
  const [first, ...rest] = inputs as [torch.Tensor, ...torch.Tensor[]];
  const operands: unknown[] = [...rest, ...(c.other === undefined ? [] : [c.other])];
  // Reductions take (dim, keepdim, options): keepdim defaults to false, as in PyTorch.
  const args = REDUCTIONS.has(c.op) ? [c.args[0], c.args[1] ?? false] : c.args;
  const method = (first as unknown as Record<string, (...a: unknown[]) => torch.Tensor>)[c.op];
  if (typeof method !== "function") throw new Error(`fixture names an unknown method ${c.op}`);
  const call = () => method.apply(first, [...operands, ...args, { out }]);
  return c.noGrad ? torch.noGrad(call) : call();
}

/** PyTorch's message, without what torchlet adds in parentheses and after ';' (shapes, hints). */
export const core = (message: string) =>
  message
    .replace(/ \([^)]*\)/g, "")
    .replace(/;.*$/, "")
    .toLowerCase();

import { reducedShape } from "@torchlet/ops";
import type { DType, StridedArray } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import {
  dispatchGroups,
  expSumWgsl,
  GROUP_WGSL,
  groupParams,
  groupsFit,
  shaderFor,
  type Walk,
  walkFor,
  walkText,
} from "./groups.js";
import type { Queue } from "./queue.js";

/** The reductions with a WGSL kernel (those of `reduce`, and amax, amin, prod and logsumexp of `reduceDims`). */
export type GpuReduceOp = "sum" | "mean" | "max" | "min" | "amax" | "amin" | "prod" | "logsumexp";

/** Each fold: its identity and how it combines two partial results `a` and `b`. */
const FOLDS = {
  sum: { identity: "0.0", join: "a + b" },
  prod: { identity: "1.0", join: "a * b" },
  max: { identity: "-t_inf()", join: "t_max(a, b)" },
  min: { identity: "t_inf()", join: "t_min(a, b)" },
} as const;

const FOLD_OF: Record<Exclude<GpuReduceOp, "logsumexp">, keyof typeof FOLDS> = {
  sum: "sum",
  mean: "sum",
  prod: "prod",
  max: "max",
  amax: "max",
  min: "min",
  amin: "min",
};

const BINDINGS = /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;`;

/** A one-pass reduction: each thread folds its members of the group, then the threads fold together. */
function foldShader(op: Exclude<GpuReduceOp, "logsumexp">, walk: Walk): string {
  const { identity, join } = FOLDS[FOLD_OF[op]];
  const { main, members, leader, fold } = walkText(walk);
  return `${GROUP_WGSL}${BINDINGS}
${fold("fold", join)}
${main}
  let base = startA(o);
  var a = ${identity};
  ${members} { let b = x[base + stepA(r)]; a = ${join}; }
  let total = fold(li, a);
  if (${leader}) { out[o] = ${op === "mean" ? "total / f32(count)" : "total"}; }
}
`;
}

/**
 * logsumexp: log of the sum of exps less the maximum, plus the maximum, so large inputs do not overflow;
 * an infinite or NaN maximum is the result (PyTorch's: a group of -inf gives -inf, one holding +inf
 * gives +inf).
 */
function logsumexpShader(walk: Walk): string {
  const { main, leader } = walkText(walk);
  return `${GROUP_WGSL}${BINDINGS}
${expSumWgsl(walk)}
${main}
  let e = expSum(o, li);
  if (${leader}) { out[o] = select(e.top, log(e.total) + e.top, t_finite(e.top)); }
}
`;
}

/**
 * Whether the GPU computes this reduction: one of `GpuReduceOp`, a float32 input with elements and a
 * float32 result, at most 8 kept and 8 reduced dims. An empty input goes to the CPU kernel (no values
 * to wait for), which gives its result or raises its error, as on the CPU.
 */
export function reduceRuns(
  op: string,
  a: StridedArray,
  dims: readonly number[],
  outDtype: DType,
): op is GpuReduceOp {
  return (
    (Object.hasOwn(FOLD_OF, op) || op === "logsumexp") &&
    a.dtype === "float32" &&
    outDtype === "float32" &&
    a.numel > 0 &&
    groupsFit(a, dims)
  );
}

/**
 * `op` of `a` over `dims` (normalised), in float32: each output element's members folded by a
 * workgroup (or, when few, by a thread; groups.ts). NaN wins in max and min (amax, amin), as in PyTorch.
 */
export function reduce(
  q: Queue,
  op: GpuReduceOp,
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
): StridedArray {
  const out = gpuArray(q, reducedShape(a.shape, dims, keepdim), "float32");
  const params = groupParams(a, dims);
  const walk = walkFor(params);
  const wgsl = shaderFor(`reduce ${op} ${walk}`, () =>
    op === "logsumexp" ? logsumexpShader(walk) : foldShader(op, walk),
  );
  dispatchGroups(q, wgsl, params, [storageOf(out).buffer, storageOf(a).buffer], walk);
  return out;
}

import type { LineOp } from "@torchlet/ops";
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

/**
 * softmax and logSoftmax of each line (groups.ts: a workgroup, or a thread when short): the line's maximum, subtracted before exp so that
 * logits of 1e4 do not overflow, the sum of the exps, then every output. logSoftmax is
 * `(x - max) - log(sum)`, which keeps the digits of results near 0 that `x - (max + log(sum))` loses.
 * A line whose maximum is not finite gives PyTorch's results: NaN throughout for a NaN or a line of
 * -inf; with +inf, NaN at the +inf elements and 0 (logSoftmax: -inf) elsewhere.
 */
function softmaxShader(log: boolean, walk: Walk): string {
  const { main, members } = walkText(walk);
  const [finite, other] = log
    ? ["(v - e.top) - log(e.total)", "-t_inf()"]
    : ["t_exp(v - e.top) / e.total", "0.0"];
  return `${GROUP_WGSL}${BINDINGS}
${expSumWgsl(walk)}
${main}
  let e = expSum(o, li);
  let base = startA(o);
  let first = outLine(o);
  let finite = t_finite(e.top);
  ${members} {
    let v = x[base + stepA(r)];
    var y = ${finite};
    if (!finite) { y = select(${other}, t_nan(), v == e.top || t_isnan(e.top)); }
    out[first + r * inner()] = y;
  }
}
`;
}

/** cumsum, a thread per line, adding in the CPU's order (in float32, where the CPU adds in double). */
function cumsumShader(): string {
  const { main, members } = walkText("thread");
  return `${GROUP_WGSL}${BINDINGS}
${main}
  let base = startA(o);
  let first = outLine(o);
  var sum = 0.0;
  ${members} {
    sum += x[base + stepA(r)];
    out[first + r * inner()] = sum;
  }
}
`;
}

const BINDINGS = /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;`;

/** Whether the GPU computes this line op: float32 in and out, an array with elements, at most 9 dims. */
export function alongDimRuns(a: StridedArray, outDtype: DType): boolean {
  return a.dtype === "float32" && outDtype === "float32" && a.numel > 0 && groupsFit(a, [0]);
}

/** `op` of every line of `a` along `dim` (normalised), into a new contiguous array of `a`'s shape. */
export function alongDim(q: Queue, op: LineOp, a: StridedArray, dim: number): StridedArray {
  const out = gpuArray(q, a.shape, "float32");
  const params = groupParams(a, a.ndim === 0 ? [] : [dim]);
  const walk = op === "cumsum" ? "thread" : walkFor(params);
  const wgsl = shaderFor(`alongDim ${op} ${walk}`, () =>
    op === "cumsum" ? cumsumShader() : softmaxShader(op === "logSoftmax", walk),
  );
  dispatchGroups(q, wgsl, params, [storageOf(out).buffer, storageOf(a).buffer], walk);
  return out;
}

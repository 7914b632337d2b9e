import type { Backend } from "@torchlet/ops";
import { type StridedArray, shapesEqual } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import {
  dispatchGroups,
  GROUP_WGSL,
  groupParams,
  groupsFit,
  shaderFor,
  type Walk,
  walkFor,
  walkText,
} from "./groups.js";
import type { Queue } from "./queue.js";

type SoftmaxGradOp = Parameters<Backend["softmaxBackward"]>[0];

/**
 * The gradient of softmax, `y * (g - sum(g * y))`, or of logSoftmax, `g - exp(y) * sum(g)`, with `y`
 * the forward result (a) and `g` the upstream gradient (b), one workgroup per line: the sum, then
 * every output.
 */
function shader(op: SoftmaxGradOp, walk: Walk): string {
  const { main, members, fold } = walkText(walk);
  const term = op === "softmax" ? "g * y[base + stepA(r)]" : "g";
  const value = op === "softmax" ? "v * (g - total)" : "g - t_exp(v) * total";
  return `${GROUP_WGSL}
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
${fold("foldSum", "a + b")}
${main}
  let base = startA(o);
  let gBase = startB(o);
  var s = 0.0;
  ${members} { let g = grad[gBase + stepB(r)]; s += ${term}; }
  let total = foldSum(li, s);
  let first = outLine(o);
  ${members} {
    let v = y[base + stepA(r)];
    let g = grad[gBase + stepB(r)];
    out[first + r * inner()] = ${value};
  }
}
`;
}

/** Whether the GPU computes this backward: float32 gradient and result of one shape, with elements. */
export function softmaxBackwardRuns(grad: StridedArray, result: StridedArray): boolean {
  return (
    grad.dtype === "float32" &&
    result.dtype === "float32" &&
    shapesEqual(grad.shape, result.shape) &&
    result.numel > 0 &&
    groupsFit(result, [0])
  );
}

/** softmax's or logSoftmax's gradient along `dim`, into a new contiguous array of `result`'s shape. */
export function softmaxBackward(
  q: Queue,
  op: SoftmaxGradOp,
  grad: StridedArray,
  result: StridedArray,
  dim: number,
): StridedArray {
  const out = gpuArray(q, result.shape, "float32");
  const params = groupParams(result, result.ndim === 0 ? [] : [dim], grad);
  const buffers = [storageOf(out).buffer, storageOf(result).buffer, storageOf(grad).buffer];
  const walk = walkFor(params);
  dispatchGroups(
    q,
    shaderFor(`softmaxBackward ${op} ${walk}`, () => shader(op, walk)),
    params,
    buffers,
    walk,
  );
  return out;
}

import { reducedShape } from "@torchlet/ops";
import type { DType, StridedArray } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import { type GpuType, gpuType } from "./element-types.js";
import { MAX_DIMS } from "./elementwise.js";
import type { Queue } from "./queue.js";

const WORKGROUP = 64;

// Parameter words: outputs, elements per output, kept dims, reduced dims, input offset, whether to
// divide by the count (mean), then the kept dims' sizes (8) and input strides (16), the reduced dims'
// sizes (24) and strides (32).
// Floats add as f32; bool elements count as i32 into an int64 result.
const shader = (input: GpuType, acc: "f32" | "i32") => /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<${acc}>;
@group(0) @binding(2) var<storage, read> a: array<${input}>;
var<workgroup> partial: array<${acc}, ${WORKGROUP}>;

fn position(index: u32, dims: u32, sizes: u32, strides: u32) -> u32 {
  var rest = index;
  var p = 0u;
  for (var k = i32(dims) - 1; k >= 0; k--) {
    let size = params[sizes + u32(k)];
    p += (rest % size) * params[strides + u32(k)];
    rest = rest / size;
  }
  return p;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let o = wg.x + wg.y * nw.x;
  if (o >= params[0]) { return; }
  let count = params[1];
  let base = params[4] + position(o, params[2], 8u, 16u);
  var acc = ${acc}(0);
  for (var r = li; r < count; r += ${WORKGROUP}u) { acc += ${acc}(a[base + position(r, params[3], 24u, 32u)]); }
  partial[li] = acc;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
    if (li < half) { partial[li] += partial[li + half]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    out[o] = select(partial[0], partial[0] / ${acc}(count), params[5] == 1u);
  }
}
`;

/**
 * Whether the GPU computes this reduction: a float32 sum or mean, or the int64 sum of a bool array,
 * over at most 8 kept and 8 reduced dims.
 */
export function reduceRuns(op: string, a: StridedArray, dims: readonly number[], outDtype: DType): boolean {
  const floats = (op === "sum" || op === "mean") && a.dtype === "float32" && outDtype === "float32";
  // a count of true elements stays within i32; sums of int32 or int64 could leave it (the CPU path is
  // exact, and raises beyond ±(2^31 - 1) when it uploads the result)
  const integers = op === "sum" && a.dtype === "bool" && outDtype === "int64";
  return (floats || integers) && dims.length <= MAX_DIMS && a.ndim - dims.length <= MAX_DIMS;
}

/**
 * Sum or mean of `a` over `dims`: one workgroup per output element, its threads striding over the
 * reduced elements and then adding their partial sums as a tree in workgroup memory.
 */
export function reduce(
  q: Queue,
  op: "sum" | "mean",
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
): StridedArray {
  const out = gpuArray(q, reducedShape(a.shape, dims, keepdim), a.dtype === "float32" ? "float32" : "int64");
  if (out.numel === 0) return out;
  const kept = a.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const reduced = [...dims].sort((x, y) => x - y);
  const count = reduced.reduce((n, d) => n * (a.shape[d] as number), 1);
  const params = new Array<number>(40).fill(0);
  params[0] = out.numel;
  params[1] = count;
  params[2] = kept.length;
  params[3] = reduced.length;
  params[4] = a.offset;
  params[5] = op === "mean" ? 1 : 0;
  kept.forEach((d, i) => {
    params[8 + i] = a.shape[d] as number;
    params[16 + i] = a.strides[d] as number;
  });
  reduced.forEach((d, i) => {
    params[24 + i] = a.shape[d] as number;
    params[32 + i] = a.strides[d] as number;
  });
  const input = gpuType(a.dtype) as GpuType;
  q.dispatch(
    shader(input, input === "f32" ? "f32" : "i32"),
    params,
    [storageOf(out).buffer, storageOf(a).buffer],
    out.numel,
  );
  return out;
}

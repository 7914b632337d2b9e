import { type DType, fmtShape, type StridedArray, TorchletError } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import type { Queue } from "./queue.js";

const TILE = 16;

/**
 * The tiled product: each 16x16 workgroup computes a 16x16 block of the output, staging 16x16 tiles of
 * a and b in workgroup memory so that each element loaded from the buffers is used 16 times. Batched
 * over workgroup_id.z; a and b may have any strides (transposed views, stride-0 broadcast batches).
 */
const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
var<workgroup> at: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> bt: array<array<f32, ${TILE}>, ${TILE}>;
@compute @workgroup_size(${TILE}, ${TILE})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let m = params[0]; let n = params[1]; let k = params[2];
  let row = wg.y * ${TILE}u + l.y;
  let col = wg.x * ${TILE}u + l.x;
  let aBase = params[3] + wg.z * params[5];
  let bBase = params[4] + wg.z * params[8];
  var acc = 0.0;
  for (var t = 0u; t < k; t += ${TILE}u) {
    let ak = t + l.x;
    var av = 0.0;
    if (row < m && ak < k) { av = a[aBase + row * params[6] + ak * params[7]]; }
    at[l.y][l.x] = av;
    let bk = t + l.y;
    var bv = 0.0;
    if (bk < k && col < n) { bv = b[bBase + bk * params[9] + col * params[10]]; }
    bt[l.y][l.x] = bv;
    workgroupBarrier();
    for (var p = 0u; p < ${TILE}u; p++) { acc = acc + at[l.y][p] * bt[p][l.x]; }
    workgroupBarrier();
  }
  if (row < m && col < n) { out[wg.z * m * n + row * n + col] = acc; }
}
`;

/** Whether the GPU computes this product: float32 operands and result. */
export function matmulRuns(a: StridedArray, b: StridedArray, outDtype: DType): boolean {
  return a.dtype === "float32" && b.dtype === "float32" && outDtype === "float32";
}

/** [batch, m, k] x [batch, k, n] -> a new contiguous [batch, m, n] (shapes checked as the CPU's bmm). */
export function bmm(q: Queue, a: StridedArray, b: StridedArray, name: string): StridedArray {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new TorchletError(
      `${name}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied`,
    );
  }
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  const out = gpuArray(q, [batch, m, n], "float32");
  if (out.numel === 0) return out;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  const params = [m, n, k, a.offset, b.offset, sab, sam, sak, sbb, sbk, sbn];
  const buffers = [storageOf(out).buffer, storageOf(a).buffer, storageOf(b).buffer];
  q.dispatch(SHADER, params, buffers, [Math.ceil(n / TILE), Math.ceil(m / TILE), batch]);
  return out;
}

/** [m, k] x [k, n] -> a new contiguous [m, n] (shapes checked as the CPU's mm). */
export function mm(q: Queue, a: StridedArray, b: StridedArray, name: string): StridedArray {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    const what = a.ndim !== 2 || b.ndim !== 2 ? "expects two 2-D matrices, got" : "cannot multiply";
    throw new TorchletError(`${name}: ${what} shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  return bmm(q, a.unsqueeze(0), b.unsqueeze(0), name).squeeze(0);
}

import { type DType, fmtShape, type StridedArray, TorchletError } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import type { Queue } from "./queue.js";

const TILE = 16;
const DIRECT_WORKGROUP = 64;

/**
 * The tiled product: each 16x16 workgroup computes a 16x16 block of the output, staging 16x16 tiles of
 * a and b in workgroup memory so that each element loaded from the buffers is used 16 times. Batched
 * over workgroup_id.z; a and b may have any strides (transposed views, stride-0 broadcast batches).
 */
const TILED_SHADER = /* wgsl */ `
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

/**
 * The direct product: one invocation per output element, its dot product read straight from the
 * buffers. Without workgroup memory there are no barriers, which is what small products need: a tile
 * only pays when its loads are reused in both directions, and barriers are costly where invocations
 * run as coroutines (SwiftShader). Same parameters as the tiled kernel.
 */
const DIRECT_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@compute @workgroup_size(${DIRECT_WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let m = params[0]; let n = params[1]; let k = params[2];
  let i = (wg.x + wg.y * nw.x) * ${DIRECT_WORKGROUP}u + li;
  if (i >= params[11] * m * n) { return; }
  let batch = i / (m * n);
  let row = (i / n) % m;
  let col = i % n;
  var pa = params[3] + batch * params[5] + row * params[6];
  var pb = params[4] + batch * params[8] + col * params[10];
  var acc = 0.0;
  for (var p = 0u; p < k; p++) {
    acc = acc + a[pa] * b[pb];
    pa += params[7];
    pb += params[9];
  }
  out[i] = acc;
}
`;

/** Whether the tiled kernel pays: every tile of the output and of the sum is full in each direction. */
function tiled(m: number, n: number, k: number): boolean {
  return m >= TILE && n >= TILE && k >= TILE;
}

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
  const params = [m, n, k, a.offset, b.offset, sab, sam, sak, sbb, sbk, sbn, batch];
  const buffers = [storageOf(out).buffer, storageOf(a).buffer, storageOf(b).buffer];
  if (tiled(m, n, k))
    q.dispatch(TILED_SHADER, params, buffers, [Math.ceil(n / TILE), Math.ceil(m / TILE), batch]);
  else q.dispatch(DIRECT_SHADER, params, buffers, Math.ceil(out.numel / DIRECT_WORKGROUP));
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

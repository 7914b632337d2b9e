import { checkGather, checkIndexSelect, checkScatter } from "@torchlet/ops/internal";
import { StridedArray } from "@torchlet/storage";
import { gpuArray, onGpu, storageOf } from "./arrays.js";
import { type GpuType, gpuType } from "./element-types.js";
import { elementwise, IDENTITY, MAX_DIMS } from "./elementwise.js";
import { INVOCATION, WORKGROUP } from "./invocation.js";
import type { Queue } from "./queue.js";
import type { ValueChecks } from "./value-checks.js";

// gather, indexSelect and scatter/scatterAdd as WGSL. Indices are int64 (or int32) held as i32; the
// values are checked by ValueChecks (an index out of range raises at the next read), and the kernels
// clamp them meanwhile so that no read leaves its buffer.

/** The element types `take` and `scatter` move; bool is u32, int64 is i32. */
const typeOf = (a: StridedArray) => gpuType(a.dtype) as GpuType;

// Parameter words of `take`: count, dims, (unused), a's offset, the index's offset, a's stride along
// the dim, its size there, then the output's shape (8), a's strides (16; 0 along the dim) and
// the index's strides over the output's dims (24).
const takeShader = (t: GpuType) => /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
@group(0) @binding(2) var<storage, read> a: array<${t}>;
@group(0) @binding(3) var<storage, read> index: array<i32>;

${INVOCATION}
  var rest = i;
  var pa = params[3];
  var pi = params[4];
  for (var k = i32(params[1]) - 1; k >= 0; k--) {
    let d = u32(k);
    let at = rest % params[8u + d];
    rest = rest / params[8u + d];
    pa += at * params[16u + d];
    pi += at * params[24u + d];
  }
  let j = u32(clamp(index[pi], 0, i32(params[6]) - 1));
  out[i] = a[pa + j * params[5]];
}
`;

/**
 * `out[coords] = a[coords with the dim's coordinate replaced by index[indexAt(coords)]]` over the
 * output's shape: gather (the index has the output's shape) and indexSelect (a 1-D index along the
 * dim) are this one kernel with different index strides.
 */
function take(
  q: Queue,
  a: StridedArray,
  dim: number,
  index: StridedArray,
  shape: readonly number[],
  indexStrides: readonly number[],
): StridedArray {
  const out = gpuArray(q, shape, a.dtype);
  if (out.numel === 0) return out;
  const params = new Array<number>(32).fill(0);
  params[0] = out.numel;
  params[1] = shape.length;
  params[3] = a.offset;
  params[4] = index.offset;
  params[5] = a.strides[dim] as number;
  params[6] = a.shape[dim] as number;
  shape.forEach((s, d) => {
    params[8 + d] = s;
    params[16 + d] = d === dim ? 0 : (a.strides[d] as number);
    params[24 + d] = indexStrides[d] as number;
  });
  const buffers = [storageOf(out).buffer, storageOf(a).buffer, storageOf(index).buffer];
  q.dispatch(takeShader(typeOf(a)), params, buffers, Math.ceil(out.numel / WORKGROUP));
  return out;
}

/** Whether the GPU kernels take this indexing: a 1- to 8-dim array and an index on the GPU. */
export function indexingRuns(a: StridedArray, index: StridedArray): boolean {
  return a.ndim >= 1 && a.ndim <= MAX_DIMS && onGpu(index);
}

/** PyTorch's gather: `out[i][j] = a[index[i][j]][j]` for dim 0 (likewise for any dim). */
export function gather(
  q: Queue,
  checks: ValueChecks,
  a: StridedArray,
  dim: number,
  index: StridedArray,
): StridedArray {
  checkGather(a, dim, index);
  checks.index("gather", index, dim, a.shape[dim] as number);
  return take(q, a, dim, index, index.shape, index.strides);
}

/** PyTorch's index_select: the slices of `a` along `dim` at the positions the 1-D `index` holds. */
export function indexSelect(
  q: Queue,
  checks: ValueChecks,
  a: StridedArray,
  dim: number,
  index: StridedArray,
): StridedArray {
  checkIndexSelect(index);
  checks.index("indexSelect", index, dim, a.shape[dim] as number);
  const shape = a.shape.map((s, d) => (d === dim ? index.numel : s));
  const strides = a.shape.map((_, d) => (d === dim && index.ndim === 1 ? (index.strides[0] as number) : 0));
  return take(q, a, dim, index, shape, strides);
}

// Parameter words of `scatter`: lines, dims, the dim, the offsets of the index and src, the index's
// length along the dim, whether to add, src's value when it is a number (bits), a's size along the
// dim, then the lines' shape (16: the index's, 1 along the dim), the output's strides (24), the
// index's (32) and src's (40).
const scatterShader = (t: GpuType, scalar: boolean) => /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
${scalar ? "" : `@group(0) @binding(3) var<storage, read> src: array<${t}>;`}

${INVOCATION}
  let dim = params[2];
  var rest = i;
  var po = 0u;
  var pi = params[3];
  var ps = params[4];
  for (var k = i32(params[1]) - 1; k >= 0; k--) {
    let d = u32(k);
    let at = rest % params[16u + d];
    rest = rest / params[16u + d];
    po += at * params[24u + d];
    pi += at * params[32u + d];
    ps += at * params[40u + d];
  }
  for (var k = 0u; k < params[5]; k++) {
    let j = index[pi + k * params[32u + dim]];
    if (j < 0 || j >= i32(params[8])) { continue; } // flagged by the value checks
    let v = ${scalar ? `bitcast<${t}>(params[7])` : "src[ps + k * params[40u + dim]]"};
    let at = po + u32(j) * params[24u + dim];
    out[at] = select(v, out[at] + v, params[6] == 1u);
  }
}
`;

/**
 * PyTorch's scatter and scatter_add (`add`): a copy of `a` where, for dim 0, `out[index[i][j]][j]` is
 * set to (or increased by) `src[i][j]`, or set to the number `src` (given as the bits of its GPU value).
 *
 * After the copy, one invocation per line of the index along the dim walks it in order, writing the
 * elements of the output's line with the same other coordinates: no two invocations write one
 * element, so no atomics are needed, duplicate indices add in the CPU's order (float32 sums equal the
 * CPU's bit for bit) and the last write wins, as on the CPU.
 */
export function scatter(
  q: Queue,
  checks: ValueChecks,
  a: StridedArray,
  dim: number,
  index: StridedArray,
  src: StridedArray | { bits: number },
  add: boolean,
): StridedArray {
  const op = add ? "scatterAdd" : "scatter";
  const tensor = src instanceof StridedArray ? src : null;
  checkScatter(op, a, dim, index, tensor ?? 0);
  checks.index(op, index, dim, a.shape[dim] as number);
  const out = elementwise(q, IDENTITY, [a], gpuArray(q, a.shape, a.dtype));
  // a 0-d index (or src) beside a 1-d a is one element along the dim
  const indexShape = index.ndim === 0 ? [1] : index.shape;
  const indexStrides = index.ndim === 0 ? [0] : index.strides;
  const length = indexShape[dim] as number;
  const lines = length === 0 ? 0 : index.numel / length;
  if (lines === 0) return out;
  const params = new Array<number>(48).fill(0);
  params[0] = lines;
  params[1] = a.ndim;
  params[2] = dim;
  params[3] = index.offset;
  params[5] = length;
  params[6] = add ? 1 : 0;
  params[8] = a.shape[dim] as number;
  a.shape.forEach((_, d) => {
    params[16 + d] = d === dim ? 1 : (indexShape[d] as number);
    params[24 + d] = out.strides[d] as number;
    params[32 + d] = indexStrides[d] as number;
  });
  const buffers = [storageOf(out).buffer, storageOf(index).buffer];
  if (tensor === null) params[7] = (src as { bits: number }).bits;
  else {
    params[4] = tensor.offset;
    a.shape.forEach((_, d) => {
      params[40 + d] = tensor.ndim === 0 ? 0 : (tensor.strides[d] as number);
    });
    buffers.push(storageOf(tensor).buffer);
  }
  q.dispatch(scatterShader(typeOf(a), tensor === null), params, buffers, Math.ceil(lines / WORKGROUP));
  return out;
}

const INT32_MAX = 2 ** 31 - 1;
const WORD = new DataView(new ArrayBuffer(4));

/**
 * scatter's source as the kernel takes it: a GPU array, or a number's bits in `a`'s element type;
 * null where the GPU does not compute it as the CPU does (those run through the CPU): scatterAdd of
 * int64 (its sums may leave the int32 range the GPU holds) or bool, a source not on the GPU, a number
 * that int64 or bool storage on the GPU cannot hold.
 */
export function scatterSource(
  a: StridedArray,
  src: StridedArray | number,
  add: boolean,
): StridedArray | { bits: number } | null {
  if (add && a.dtype !== "float32" && a.dtype !== "int32") return null;
  if (typeof src !== "number") return onGpu(src) ? src : null;
  switch (a.dtype) {
    case "float32":
      WORD.setFloat32(0, src, true);
      break;
    case "int32":
      WORD.setInt32(0, src, true); // wraps as the CPU's Int32Array store does
      break;
    case "int64":
      if (!Number.isInteger(src) || Math.abs(src) > INT32_MAX) return null;
      WORD.setInt32(0, src, true);
      break;
    default:
      if (src !== 0 && src !== 1) return null;
      WORD.setUint32(0, src, true);
  }
  return { bits: WORD.getUint32(0, true) };
}

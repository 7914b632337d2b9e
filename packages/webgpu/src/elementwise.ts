import { WGSL_HELPERS } from "@torchlet/ops";
import {
  broadcastShapes,
  type DType,
  inversePermutation,
  outputOrder,
  type StridedArray,
} from "@torchlet/storage";
import { gpuArray, onGpu, storageOf } from "./arrays.js";
import { type GpuType, gpuType } from "./element-types.js";
import type { Queue } from "./queue.js";

/** The most dims a generated elementwise kernel walks (more falls back through the CPU). */
export const MAX_DIMS = 8;
const WORKGROUP = 256;
/**
 * Elements per invocation: each invocation strides over the array, so that small arrays take one or a
 * few workgroups (a workgroup has a fixed cost, large on a CPU implementation such as SwiftShader)
 * while large ones still spread over many.
 */
const PER_INVOCATION = 16;
const NAMES = ["x", "y", "c"] as const;

// Parameter words of an elementwise dispatch: count, dims, output offset, then per operand its offset
// (4 + i), its value when it is a CPU scalar (8 + i, f32 bits), the shape (12), the output's strides
// (20), and each operand's strides broadcast to the shape (28 + 8i).
const SHAPE = 12;
const OUT_STRIDES = 20;
const STRIDES = 28;

/**
 * An operand of an elementwise kernel: an array on the GPU (float32 or bool), or a 0-d CPU array,
 * PyTorch's wrapped number, whose value travels with the dispatch's parameters.
 */
type Operand = StridedArray;

/** Whether the generated kernels compute this op on the GPU: f32 or bool arrays in, f32 or bool out. */
export function elementwiseRuns(out: DType, operands: readonly Operand[], shape: readonly number[]): boolean {
  if (out !== "float32" && out !== "bool") return false;
  if (shape.length > MAX_DIMS) return false;
  return operands.every((a) => (onGpu(a) ? a.dtype === "float32" || a.dtype === "bool" : a.ndim === 0));
}

/** The broadcast shape of the operands (a TorchletError naming `op` when they do not broadcast). */
export function broadcastAll(op: string, operands: readonly Operand[]): number[] {
  let shape: number[] = [];
  for (const a of operands) shape = broadcastShapes(op, shape, a.shape);
  return shape;
}

/**
 * Computes `body` (a WGSL f32 expression over x, y, c) of the operands, broadcast, into `out` (a new
 * contiguous array, or any view of a GPU array for copies and fills). The shader is generated per body
 * and operand kinds, and cached by its text.
 */
export function elementwise(
  q: Queue,
  body: string,
  operands: readonly Operand[],
  out: StridedArray,
  valueType?: GpuType,
): StridedArray {
  const n = out.numel;
  if (n === 0) return out;
  const shape = out.shape;
  const nd = shape.length;
  const params = new Array<number>(STRIDES + 8 * operands.length).fill(0);
  params[0] = n;
  params[1] = nd;
  params[2] = out.offset;
  shape.forEach((s, d) => {
    params[SHAPE + d] = s;
    params[OUT_STRIDES + d] = out.strides[d] as number;
  });
  const buffers = [storageOf(out).buffer];
  const kinds: string[] = [];
  operands.forEach((a, i) => {
    if (!onGpu(a)) {
      params[8 + i] = scalarBits(
        a.data[a.offset] as number,
        valueType === "i32" || (gpuType(out.dtype) === "i32" && body === IDENTITY),
      );
      kinds.push("scalar");
      return;
    }
    params[4 + i] = a.offset;
    const lead = nd - a.ndim;
    for (let d = 0; d < a.ndim; d++) {
      params[STRIDES + 8 * i + lead + d] = (a.shape[d] as number) === 1 ? 0 : (a.strides[d] as number);
    }
    buffers.push(storageOf(a).buffer);
    kinds.push(gpuType(a.dtype) as GpuType);
  });
  const outType = gpuType(out.dtype) as GpuType;
  q.dispatch(
    cachedShader(body, kinds, outType, valueType),
    params,
    buffers,
    Math.ceil(n / (WORKGROUP * PER_INVOCATION)),
  );
  return out;
}

/**
 * Copies `src` (broadcast; a GPU array or a CPU scalar) into `dst`, any view of a GPU array. Equal
 * element types move bits unchanged (int32 and int64 included); float32 and bool convert.
 */
export function copyElements(q: Queue, src: Operand, dst: StridedArray): void {
  if (onGpu(src) && src.deviceStorage === dst.deviceStorage) {
    // One buffer cannot be bound for reading and writing in one dispatch: copy the source out first.
    const temp = elementwise(q, IDENTITY, [src], gpuArray(q, src.shape, src.dtype));
    elementwise(q, IDENTITY, [temp], dst);
    return;
  }
  elementwise(q, IDENTITY, [src], dst);
}

/** The body of a copy. */
export const IDENTITY = "x";

/** Whether `copyElements` handles these dtypes: the same element type, or float32 and bool either way. */
export function copyRuns(from: DType, to: DType): boolean {
  const a = gpuType(from);
  const b = gpuType(to);
  if (a === null || b === null) return false;
  return a === b || (a !== "i32" && b !== "i32");
}

/**
 * `elementwise` into a new array of the broadcast shape, laid out as the CPU lays it out (PyTorch's
 * TensorIterator): row-major for contiguous operands, else in the dim order of `layoutFrom`'s strides
 * (the operands, in the CPU kernel's order), so a transposed input gives a transposed output.
 */
export function elementwiseNew(
  q: Queue,
  op: string,
  body: string,
  operands: readonly Operand[],
  dtype: DType,
  layoutFrom: readonly Operand[] = operands,
): StridedArray {
  const shape = broadcastAll(op, operands);
  return elementwise(q, body, operands, newLike(q, shape, dtype, layoutFrom));
}

/** A new GPU array of `shape` in the dim order an elementwise result of `operands` takes. */
export function newLike(
  q: Queue,
  shape: readonly number[],
  dtype: DType,
  operands: readonly Operand[],
): StridedArray {
  const strided = operands.filter((a) => onGpu(a) && !a.isContiguous());
  const order =
    strided.length === 0
      ? null
      : outputOrder(
          shape,
          operands.map((a) => a.expand(shape).strides),
        );
  if (!order) return gpuArray(q, shape, dtype);
  return gpuArray(
    q,
    order.map((d) => shape[d] as number),
    dtype,
  ).permute(inversePermutation(order));
}

const shaders = new Map<string, string>();

/** The kernel's text, generated once per body and operand kinds (the same string then keys its pipeline). */
function cachedShader(body: string, kinds: readonly string[], outType: GpuType, valueType?: GpuType): string {
  const key = `${outType} ${valueType ?? ""} ${kinds.join(" ")} ${body}`;
  let text = shaders.get(key);
  if (text === undefined) {
    text = shader(body, kinds, outType, valueType);
    shaders.set(key, text);
  }
  return text;
}

/**
 * The kernel's text. Values are f32 in the body unless `forced` (i32 for the integer kernels); a copy
 * between equal element types (i32 included) moves them unconverted, so int32 and int64 copies are exact.
 */
function shader(body: string, kinds: readonly string[], outType: GpuType, forced?: GpuType): string {
  const raw = body === IDENTITY && kinds.every((k) => k === outType || (k === "scalar" && outType === "i32"));
  const valueType = forced ?? (raw ? outType : "f32");
  const bindings: string[] = [];
  const loads: string[] = [];
  let binding = 2;
  kinds.forEach((kind, i) => {
    const name = NAMES[i] as string;
    if (kind === "scalar") {
      loads.push(`let ${name} = bitcast<${valueType}>(params[${8 + i}u]);`);
      return;
    }
    bindings.push(`@group(0) @binding(${binding++}) var<storage, read> ${name}s: array<${kind}>;`);
    loads.push(`let ${name} = ${valueType}(${name}s[p${i}]);`);
  });
  const positions = kinds.map((_, i) => `var p${i} = params[${4 + i}u];`).join(" ");
  const steps = kinds.map((_, i) => `p${i} += at * params[${STRIDES + 8 * i}u + d];`).join(" ");
  const store =
    valueType === outType
      ? "out[po] = v;"
      : outType === "u32"
        ? `out[po] = select(0u, 1u, v != ${valueType}(0));`
        : `out[po] = ${outType}(v);`;
  return `${WGSL_HELPERS}
fn t_isnan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<${outType}>;
${bindings.join("\n")}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let threads = nw.x * nw.y * ${WORKGROUP}u;
  for (var i = (wg.x + wg.y * nw.x) * ${WORKGROUP}u + li; i < params[0]; i += threads) {
    var rest = i;
    var po = params[2];
    ${positions}
    for (var k = i32(params[1]) - 1; k >= 0; k--) {
      let d = u32(k);
      let size = params[${SHAPE}u + d];
      let at = rest % size;
      rest = rest / size;
      po += at * params[${OUT_STRIDES}u + d];
      ${steps}
    }
    ${loads.join("\n    ")}
    let v = ${body};
    ${store}
  }
}
`;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const I32 = new Int32Array(F32.buffer);
/** A scalar's bits for the parameters: as an f32, or as an i32 for an integer copy or fill. */
function scalarBits(value: number, asInt: boolean): number {
  if (asInt) I32[0] = value;
  else F32[0] = value;
  return U32[0] as number;
}

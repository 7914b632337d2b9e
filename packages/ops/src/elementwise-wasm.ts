import {
  broadcastShapes,
  contiguousStrides,
  type DType,
  numel,
  StridedArray,
  shapesEqual,
} from "@torchlet/storage";
import {
  allocateUnfilled,
  HEAP_MAX_PAGES,
  HEAP_MIN_BYTES,
  HEAP_SCRATCH_BYTES,
  heapAddress,
  wasmHeap,
} from "@torchlet/storage/internal";
import { binary, unary, where } from "./elementwise.js";
import { reduce, reducedShape } from "./reduce.js";
import { thresholdBackward } from "./threshold-backward.js";
import {
  A_AT,
  B_AT,
  C_AT,
  CHUNK,
  D_AT,
  elementwiseKernels,
  type Kind,
  PAGES,
  S_AT,
  SIMD_ARITHMETIC,
  SIMD_COMPARISONS,
} from "./wasm/elementwise-kernels.js";
import { encodeModule } from "./wasm/emit.js";
import { type Instantiated, instantiate, once } from "./wasm/instantiate.js";

/**
 * Dispatch of the streaming float32 ops of large contiguous arrays to Wasm SIMD (the kernels are in
 * wasm/elementwise-kernels.ts): the binary ops whose formula compiles to SIMD (add, sub, mul, div:
 * same shape, one operand a single element, or one a row broadcast down the other; comparisons with a
 * scalar), relu and its backward, where with a scalar, and whole-array and column sums and means. A
 * plain-JS loop converts every float32 to a double and back, one element at a time; these run four
 * lanes at a time. Wasm cannot read JS typed arrays, so each call streams its operands through a small
 * fixed scratch memory in chunks that stay in L2 (copy in, SIMD, copy out, each copy a memcpy);
 * everything else goes to the reference kernels. Results are bit-identical to the reference (a
 * float32 op rounded once equals the double op rounded to float32; relu works on the bits as the
 * reference does); sums accumulate in double precision as the reference does, in eight interleaved
 * partial sums rather than one, which changes the result only below float32 precision.
 */

/** Below this many elements the JS loops win (a call and three copies per chunk cost a few hundred ns). */
const MIN_WASM = 2048;

type Kernel = (...args: number[]) => void;

interface Kernels {
  readonly u8: Uint8Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly fn: Record<string, Kernel>;
  /** Whether this instance runs in storage's Wasm heap, where heap arrays are used in place. */
  readonly inHeap: boolean;
}

/**
 * Two instances of the kernels: one inside storage's Wasm heap where there is one (large float32
 * tensors live there and are computed in place; its HEAP_SCRATCH_BYTES, the same PAGES, are this
 * module's scratch), and one on a private scratch memory. The heap is a shared memory (its helper
 * threads read it), and a typed-array copy into or out of shared memory is a relaxed-atomic copy,
 * three to six times slower than a memcpy; so calls too small to live in the heap, whose operands are
 * copied anyway, stream them through the private memory.
 */
const instances = once((): { heap: Kernels | null; own: Kernels } | null => {
  const fns = elementwiseKernels();
  const own = instantiate((memory) => encodeModule(fns, memory), {
    initialPages: PAGES,
    maximumPages: PAGES,
    shared: false,
  });
  if (own === null) return null;
  const memory = wasmHeap();
  const heap =
    memory &&
    instantiate(
      (spec) => encodeModule(fns, spec),
      { initialPages: HEAP_SCRATCH_BYTES / 65536, maximumPages: HEAP_MAX_PAGES, shared: true },
      memory,
    );
  return { heap: heap ? bind(heap, fns, true) : null, own: bind(own, fns, false) };
});

function bind(wasm: Instantiated, fns: readonly { name: string }[], inHeap: boolean): Kernels {
  const fn: Record<string, Kernel> = {};
  for (const { name } of fns) fn[name] = wasm.exports[name] as Kernel;
  // Views of the scratch pages only: a heap's memory grows, but a shared memory's old views stay valid.
  const buffer = wasm.memory.buffer;
  const bytes = PAGES * 65536;
  return {
    u8: new Uint8Array(buffer, 0, bytes),
    f32: new Float32Array(buffer, 0, bytes / 4),
    f64: new Float64Array(buffer, 0, bytes / 8),
    fn,
    inHeap,
  };
}

/** Calls so far on each Wasm path (elementwiseInfo reports them; tests check a path ran). */
const counts = {
  binary: 0,
  rowBroadcast: 0,
  compare: 0,
  where: 0,
  relu: 0,
  thresholdBackward: 0,
  sum: 0,
  columnSum: 0,
  /** Calls (of any of the above) that computed on Wasm heap arrays in place. */
  inPlace: 0,
};

/**
 * Whether the elementwise Wasm SIMD paths run here, and how many calls so far took each of them
 * (as `matmulInfo().paths` does for matmul).
 *
 * @example
 * const before = elementwiseInfo().paths.relu;
 * torch.randn(4096).relu();
 * elementwiseInfo().paths.relu - before; // 1
 */
export function elementwiseInfo(): { simd: boolean; paths: { [P in keyof typeof counts]: number } } {
  return { simd: instances() !== null, paths: { ...counts } };
}

/**
 * The one eligibility check of the Wasm paths: every array float32 and contiguous, and `n` (the
 * elements streamed) large enough to pay for the copies. The kernels to run (in the heap for calls of
 * heap-sized arrays, else on the private scratch), or null for the reference.
 */
function eligible(n: number, a: StridedArray, b: StridedArray = a): Kernels | null {
  if (n < MIN_WASM || !streamable(a) || !streamable(b)) return null;
  const set = instances();
  if (set === null) return null;
  return set.heap !== null && n * 4 >= HEAP_MIN_BYTES ? set.heap : set.own;
}
const streamable = (a: StridedArray) => a.dtype === "float32" && a.isContiguous();

/**
 * An operand or result of a kernel call: a contiguous run of float32 or bool elements, either copied
 * through its scratch region `at` (bytes) or, when it lives in the Wasm heap (`address`, the byte
 * address of its first element, else -1), used in place; or (`data` null) a region of scratch
 * filled beforehand, `offset` its bytes per element (0: a scalar, 4: a tiled row). `ptr` is where
 * the current pass finds it.
 */
interface Slot {
  readonly data: Float32Array | Uint8Array | null;
  readonly offset: number;
  readonly at: number;
  address: number;
  ptr: number;
}
function slot(k: Kernels, a: StridedArray, at: number): Slot {
  const data = a.data as Float32Array | Uint8Array;
  const base = k.inHeap ? heapAddress(data) : -1;
  return {
    data,
    offset: a.offset,
    at,
    address: base < 0 ? -1 : base + a.offset * data.BYTES_PER_ELEMENT,
    ptr: at,
  };
}
/** A scalar kept at `at` in scratch, or (`tiled`) a chunk's worth of float32 values tiled there. */
const pinned = (at: number, tiled = false): Slot => ({
  data: null,
  offset: tiled ? 4 : 0,
  at,
  address: -1,
  ptr: at,
});

/**
 * The one chunk-streaming loop: for each chunk of up to `chunk` of the `n` elements, points every
 * slot at its elements (in place in the heap, else copied into scratch), calls `run(c)` for the c
 * elements of the chunk, and copies a scratch output's slice out. The kernels work in 16-element
 * steps, so in place they get whole multiples of `whole` elements (16: a kernel writing or summing
 * padding lanes must not touch the bytes after an array) and the chunk's last few elements go
 * through scratch. A heap output that overlaps a heap input other than exactly is copied out
 * chunk by chunk as before, so results never depend on where the arrays live.
 */
function stream(
  k: Kernels,
  n: number,
  chunk: number,
  inputs: readonly Slot[],
  output: Slot | null,
  run: (c: number) => void,
  whole = 16,
): void {
  if (output !== null && inputs.some((s) => overlapsPartially(s, output, n))) output.address = -1;
  const resident = (output !== null && output.address >= 0) || inputs.some((s) => s.address >= 0);
  if (resident) counts.inPlace++;
  for (let i = 0; i < n; i += chunk) {
    const c = Math.min(chunk, n - i);
    const inPlace = resident ? c - (c % whole) : 0;
    if (inPlace > 0) pass(k, i, 0, inPlace, true, inputs, output, run);
    if (c > inPlace) pass(k, i, inPlace, c - inPlace, false, inputs, output, run);
  }
}

/** One kernel call over elements [i + from, i + from + c) of the chunk at i (see `stream`). */
function pass(
  k: Kernels,
  i: number,
  from: number,
  c: number,
  inPlace: boolean,
  inputs: readonly Slot[],
  output: Slot | null,
  run: (c: number) => void,
): void {
  const e = i + from;
  for (const s of inputs) {
    if (s.data === null) s.ptr = s.at + from * s.offset;
    else if (inPlace && s.address >= 0) s.ptr = s.address + e * s.data.BYTES_PER_ELEMENT;
    else {
      view(k, s.data).set(s.data.subarray(s.offset + e, s.offset + e + c), s.at / s.data.BYTES_PER_ELEMENT);
      s.ptr = s.at;
    }
  }
  if (output === null || output.data === null) {
    run(c);
    return;
  }
  const direct = inPlace && output.address >= 0;
  output.ptr = direct ? output.address + e * output.data.BYTES_PER_ELEMENT : output.at;
  run(c);
  if (!direct) {
    const first = output.at / output.data.BYTES_PER_ELEMENT;
    output.data.set(view(k, output.data).subarray(first, first + c), output.offset + e);
  }
}
/** Whether heap slots `a` and `b` of `n` float32 elements share some bytes without starting together. */
function overlapsPartially(a: Slot, b: Slot, n: number): boolean {
  if (a.address < 0 || b.address < 0 || a.address === b.address) return false;
  return a.address < b.address + n * 4 && b.address < a.address + n * 4;
}
const view = (k: Kernels, data: Float32Array | Uint8Array) => (data instanceof Uint8Array ? k.u8 : k.f32);

/** Bytes the kernels process for `c` elements: rounded up to whole 64-byte steps (the padding is scratch). */
const stepBytes = (c: number) => Math.ceil(c / 16) * 64;

/**
 * `into` when it can take the result in place, else a new contiguous array of `dtype`, not cleared:
 * every path here writes all of its elements.
 */
function target(
  into: StridedArray | undefined,
  dtype: DType,
  shape: readonly number[],
  n: number,
): StridedArray {
  return into !== undefined && into.dtype === dtype && shapesEqual(into.shape, shape) && into.isContiguous()
    ? into
    : new StridedArray(allocateUnfilled(dtype, n), dtype, shape, contiguousStrides(shape));
}

/** Whether contiguous `r` is one row of `shape`: its last dim at full size, every other dim 1. */
function isRowOf(r: StridedArray, shape: readonly number[]): boolean {
  const c = shape.at(-1) ?? 1;
  return r.numel === c && c > 1 && c <= CHUNK && r.ndim > 0 && r.shape.at(-1) === c;
}

/** How one operand relates to the other: same shape, either a single element, or neither (null). */
function kindOf(a: StridedArray, b: StridedArray, n: number): Kind | null {
  if (a.numel === n && b.numel === n) return "vv";
  if (b.numel === 1 && a.numel === n) return "vs";
  if (a.numel === 1 && b.numel === n) return "sv";
  return null;
}

/**
 * `binary` (same contract), on Wasm SIMD for float32 operands of the ops whose formula compiles to it
 * (add/sub/mul/div of same-shape arrays, a scalar, or a row broadcast down a matrix; comparisons with
 * a scalar).
 */
export const fastBinary: typeof binary = (op, a, b, outDtype, name = op, into) => {
  const arithmetic = outDtype === "float32" && SIMD_ARITHMETIC.includes(op);
  const comparison = outDtype === "bool" && SIMD_COMPARISONS.includes(op);
  const k = arithmetic || comparison ? eligible(Math.max(a.numel, b.numel), a, b) : null;
  if (k === null) return binary(op, a, b, outDtype, name, into);
  const shape = shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(name, a.shape, b.shape);
  const n = numel(shape);
  const kind = kindOf(a, b, n);
  if (comparison) {
    if (kind !== "vs" && kind !== "sv") return binary(op, a, b, outDtype, name, into);
    const [full, one] = kind === "vs" ? [a, b] : [b, a];
    const out = target(into, "bool", shape, n);
    const fn = k.fn[`${op}_${kind}`] as Kernel;
    k.f32[B_AT / 4] = one.data[one.offset] as number;
    counts.compare++;
    const [x, o] = [slot(k, full, A_AT), slot(k, out, D_AT)];
    stream(k, n, CHUNK, [x], o, (c) => fn(o.ptr, x.ptr, B_AT, stepBytes(c)));
    return out;
  }
  if (kind === null) {
    // A row broadcast down a matrix (x.mm(w).add(b) with b [1, h]): the row, tiled, is a vector operand.
    const rowB = isRowOf(b, shape) && a.numel === n;
    if (!rowB && !(isRowOf(a, shape) && b.numel === n)) return binary(op, a, b, outDtype, name, into);
    const out = target(into, "float32", shape, n);
    counts.rowBroadcast++;
    rowBroadcast(k, k.fn[`${op}_vv`] as Kernel, rowB, out, a, b, n, shape.at(-1) as number);
    return out;
  }
  const out = target(into, "float32", shape, n);
  const fn = k.fn[`${op}_${kind}`] as Kernel;
  if (kind === "vs") k.f32[B_AT / 4] = b.data[b.offset] as number;
  if (kind === "sv") k.f32[A_AT / 4] = a.data[a.offset] as number;
  // A scalar operand stays at its address in scratch: its slot is never streamed.
  const x = kind === "sv" ? pinned(A_AT) : slot(k, a, A_AT);
  const y = kind === "vs" ? pinned(B_AT) : slot(k, b, B_AT);
  const o = slot(k, out, D_AT);
  counts.binary++;
  stream(k, n, CHUNK, [x, y], o, (c) => fn(o.ptr, x.ptr, y.ptr, stepBytes(c)));
  return out;
};

/**
 * `fn` (a vv kernel) over a contiguous [n / c, c] operand and a row of c broadcast down it: the row is
 * tiled once into its input slot, then whole rows of the matrix stream through in chunks.
 */
function rowBroadcast(
  k: Kernels,
  fn: Kernel,
  rowB: boolean,
  out: StridedArray,
  a: StridedArray,
  b: StridedArray,
  n: number,
  c: number,
): void {
  const mem = k.f32;
  const [full, row] = rowB ? [a, b] : [b, a];
  const R = (row.data as Float32Array).subarray(row.offset, row.offset + c);
  const rowAt = (rowB ? B_AT : A_AT) / 4;
  const step = Math.min(Math.floor(CHUNK / c) * c, n);
  // Tile the row by doubling: a few copies instead of one call per row (100 for a [100, 32] bias add).
  mem.set(R, rowAt);
  for (let t = c; t < step; t *= 2) mem.copyWithin(rowAt + t, rowAt, rowAt + Math.min(t, step - t));
  const streamed = slot(k, full, rowB ? A_AT : B_AT);
  const tiled = pinned(rowAt * 4, true);
  const [x, y] = rowB ? [streamed, tiled] : [tiled, streamed];
  const o = slot(k, out, D_AT);
  stream(k, n, step, [x, y], o, (len) => fn(o.ptr, x.ptr, y.ptr, stepBytes(len)));
}

/**
 * `where` (same contract), with a large contiguous bool condition choosing between a contiguous
 * float32 array of its shape and a float32 scalar (where(mask, g, 0), relu's gradient) on Wasm SIMD.
 */
export function fastWhere(
  cond: StridedArray,
  x: StridedArray,
  y: StridedArray,
  outDtype: DType,
): StridedArray {
  const n = cond.numel;
  const vs = y.numel === 1 && x.numel === n;
  const k =
    outDtype === "float32" &&
    cond.dtype === "bool" &&
    cond.isContiguous() &&
    (vs || (x.numel === 1 && y.numel === n))
      ? eligible(n, x, y)
      : null;
  if (k === null) return where(cond, x, y, outDtype);
  const [full, one] = vs ? [x, y] : [y, x];
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape), y.shape);
  if (!shapesEqual(shape, cond.shape) || !shapesEqual(full.shape, shape)) return where(cond, x, y, outDtype);
  const out = target(undefined, "float32", shape, n);
  const fn = k.fn[vs ? "where_vs" : "where_sv"] as Kernel;
  k.f32[(vs ? B_AT : A_AT) / 4] = one.data[one.offset] as number;
  counts.where++;
  // The conditions are read at C_AT by the kernel, so they are always copied (bool: never in the heap).
  const p = vs ? slot(k, full, A_AT) : pinned(A_AT);
  const q = vs ? pinned(B_AT) : slot(k, full, B_AT);
  const o = slot(k, out, D_AT);
  stream(k, n, CHUNK, [p, q, slot(k, cond, C_AT)], o, (c) => fn(o.ptr, p.ptr, q.ptr, stepBytes(c)));
  return out;
}

/**
 * `thresholdBackward` (same contract), fused for contiguous float operands of one shape: one pass and
 * no bool mask, on Wasm SIMD for large float32 arrays at threshold 0 (relu), a JS loop otherwise.
 */
export function fastThresholdBackward(
  grad: StridedArray,
  input: StridedArray,
  threshold: number,
  into?: StridedArray,
): StridedArray {
  const dtype = grad.dtype;
  if (
    (dtype !== "float32" && dtype !== "float64") ||
    input.dtype !== dtype ||
    !shapesEqual(grad.shape, input.shape) ||
    !grad.isContiguous() ||
    !input.isContiguous()
  ) {
    return thresholdBackward(grad, input, threshold);
  }
  const n = grad.numel;
  // Over the grad itself when the caller owns it: each element is read before it is written.
  const out = into === grad ? grad : target(undefined, dtype, grad.shape, n);
  const k = threshold === 0 ? eligible(n, grad, input) : null;
  if (k !== null) {
    const fn = k.fn.relugrad as Kernel;
    counts.thresholdBackward++;
    const [g, r, o] = [slot(k, grad, A_AT), slot(k, input, B_AT), slot(k, out, D_AT)];
    stream(k, n, CHUNK, [g, r], o, (c) => fn(o.ptr, g.ptr, r.ptr, stepBytes(c)));
    return out;
  }
  const G = grad.data as Float32Array | Float64Array;
  const R = input.data as Float32Array | Float64Array;
  const d = out.data as Float32Array | Float64Array;
  for (let o = out.offset, g = grad.offset, r = input.offset; o < out.offset + n; o++, g++, r++) {
    d[o] = (R[r] as number) <= threshold ? 0 : (G[g] as number);
  }
  return out;
}

/** `unary` (same contract), with the relu of a large contiguous float32 array on Wasm SIMD. */
export const fastUnary: typeof unary = (op, a, outDtype = a.dtype, into) => {
  const k = op === "relu" && outDtype === "float32" ? eligible(a.numel, a) : null;
  if (k === null) return unary(op, a, outDtype, into);
  const n = a.numel;
  const out = target(into, "float32", a.shape, n);
  const fn = k.fn.relu as Kernel;
  counts.relu++;
  const [x, o] = [slot(k, a, A_AT), slot(k, out, D_AT)];
  stream(k, n, CHUNK, [x], o, (c) => fn(o.ptr, x.ptr, 0, stepBytes(c)));
  return out;
};

/** `reduce` (same contract), with the sum/mean of every element of a large contiguous float32 array on Wasm SIMD. */
export const fastReduce: typeof reduce = (op, a, dims, keepdim, outDtype = a.dtype) => {
  const sum = op === "sum" || op === "mean";
  if (sum && a.ndim === 2 && dims.length === 1 && dims[0] === 0) return columnSum(op, a, keepdim, outDtype);
  const k = sum && dims.length === a.ndim ? eligible(a.numel, a) : null;
  if (k === null) return reduce(op, a, dims, keepdim, outDtype);
  const n = a.numel;
  const fn = k.fn.sum as Kernel;
  let total = 0;
  counts.sum++;
  const x = slot(k, a, A_AT);
  stream(k, n, CHUNK, [x], null, (c) => {
    const bytes = stepBytes(c);
    // The padding lanes of a chunk copied into scratch; in place c is whole steps.
    if (x.ptr === A_AT) k.f32.fill(0, A_AT / 4 + c, A_AT / 4 + bytes / 4);
    fn(S_AT, x.ptr, 0, bytes);
    total += (k.f64[S_AT / 8] as number) + (k.f64[S_AT / 8 + 1] as number);
  });
  const out = StridedArray.zeros(reducedShape(a.shape, dims, keepdim), outDtype);
  out.data[0] = op === "mean" ? total / n : total;
  return out;
};

/** Most columns for `columnSum`: their double accumulators (and three of padding) fill B's region. */
const MAX_COLS = CHUNK / 2 - 4;

/**
 * The sum/mean over dim 0 of a contiguous float32 matrix (a bias gradient): rows stream through the
 * scratch memory and add into double accumulators, each column left to right, as the reference does.
 */
function columnSum(op: "sum" | "mean", a: StridedArray, keepdim: boolean, outDtype: DType): StridedArray {
  const [rows, cols] = a.shape as [number, number];
  const k = cols <= MAX_COLS ? eligible(a.numel, a) : null;
  if (k === null) return reduce(op, a, [0], keepdim, outDtype);
  const f64 = k.f64;
  const fn = k.fn.colsum as Kernel;
  f64.fill(0, B_AT / 8, B_AT / 8 + cols + 4);
  counts.columnSum++;
  // Whole rows in place: the kernel writes only the accumulators, and the lanes it reads past a row's
  // end land in their padding (the heap's blocks end with a spare line for the last row's).
  const x = slot(k, a, A_AT);
  const rowsPerChunk = Math.floor(CHUNK / cols) * cols;
  stream(k, a.numel, rowsPerChunk, [x], null, (len) => fn(B_AT, x.ptr, len * 4, cols * 4), cols);
  const out = StridedArray.zeros(reducedShape(a.shape, [0], keepdim), outDtype);
  const acc = f64.subarray(B_AT / 8, B_AT / 8 + cols);
  if (op === "mean") for (let j = 0; j < cols; j++) out.data[j] = (acc[j] as number) / rows;
  else out.data.set(acc);
  return out;
}

import {
  broadcastShapes,
  contiguousStrides,
  type DType,
  numel,
  StridedArray,
  shapesEqual,
} from "@torchlet/storage";
import { allocate } from "@torchlet/storage/internal";
import { binary, unary, where } from "./elementwise.js";
import type { BinaryOp, UnaryOp } from "./records/registry.js";
import { type ReduceOp, reduce, reducedShape } from "./reduce.js";
import { thresholdBackward } from "./threshold-backward.js";
import { encodeModule, FunctionBody, I32, V128 } from "./wasm/emit.js";

/**
 * Wasm SIMD kernels for the streaming float32 ops of large contiguous arrays: add, sub, mul, div
 * (same shape, one operand a single element, or one a row broadcast down the other), relu, and the
 * sum/mean of all elements. A plain-JS loop converts every float32 to a double and back, one element at a time; these run four lanes at a
 * time. Wasm cannot read JS typed arrays, so each call streams its operands through a small fixed
 * scratch memory in chunks that stay in L2 (copy in, SIMD, copy out, each copy a memcpy); everything
 * else goes to the reference kernels. Results are bit-identical to the reference for add, sub, mul,
 * div and relu (a float32 op rounded once equals the double op rounded to float32; relu works on the
 * bits as the reference does); sums accumulate in double precision as the reference does, in eight
 * interleaved partial sums rather than one, which changes the result only below float32 precision.
 */

/** Elements per operand per pass: three 64 KiB regions (a, b, out) and a little scratch, 4 pages. */
const CHUNK = 16384;
const A_AT = 0;
const B_AT = CHUNK * 4;
const D_AT = 2 * CHUNK * 4;
const S_AT = 3 * CHUNK * 4;
/** A chunk of bool conditions (one byte each) for where, after the sum's scratch. */
const C_AT = S_AT + 64;
const PAGES = 4;

/** Below this many elements the JS loops win (a call and three copies per chunk cost a few hundred ns). */
const MIN_WASM = 2048;

const ARITH = ["add", "sub", "mul", "div"] as const;
type Arith = (typeof ARITH)[number];
/** Operand kinds: both vectors, the second a scalar, the first a scalar. */
const KINDS = ["vv", "vs", "sv"] as const;
type Kind = (typeof KINDS)[number];

type Kernel = (...args: number[]) => void;

const COMPARE = ["eq", "ne", "lt", "gt", "le", "ge"] as const;
type Compare = (typeof COMPARE)[number];
/** The comparison with its operands swapped: `s op x` is `x flip(op) s` (NaN included). */
const FLIPPED: Record<Compare, Compare> = { eq: "eq", ne: "ne", lt: "gt", gt: "lt", le: "ge", ge: "le" };

interface Kernels {
  readonly u8: Uint8Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly arith: Record<string, Kernel>;
  readonly relu: Kernel;
  readonly sum: Kernel;
  readonly colsum: Kernel;
}

/**
 * The loop of the streaming kernels: p runs over [0, bytes) in 64-byte steps, and `step(u)` emits the
 * work on the u-th of its four 16-byte vectors (at p + 16u), unrolled.
 */
function stepLoop(f: FunctionBody, p: number, bytes: number, step: (u: number) => void): void {
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  for (let u = 0; u < 4; u++) step(u);
  f.get(p).i32(64).add().set(p);
  f.br(0).end().end();
}

/** fn(d, a, b, bytes): d = a op b over `bytes` (a multiple of 64); scalars are read at a or b. */
function arithBody(op: Arith, kind: Kind): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const s = f.local(V128);
  if (kind === "vs") f.get(b).loadSplat(4, 0).set(s);
  if (kind === "sv") f.get(a).loadSplat(4, 0).set(s);
  stepLoop(f, p, bytes, (u) => {
    f.get(d).get(p).add();
    if (kind === "sv") f.get(s);
    else
      f.get(a)
        .get(p)
        .add()
        .v128Load(16 * u);
    if (kind === "vs") f.get(s);
    else
      f.get(b)
        .get(p)
        .add()
        .v128Load(16 * u);
    if (op === "add") f.vAdd(4);
    else if (op === "sub") f.vSub(4);
    else if (op === "mul") f.vMul(4);
    else f.vDiv(4);
    f.v128Store(16 * u);
  });
  return f;
}

/**
 * relu(d, a, _, bytes) on float32 bits, as reluFloat32Bits: keep v unless its sign bit is set and it
 * is no NaN, else +0.
 */
function reluBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, , bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const v = f.local(V128);
  const inf = f.local(V128);
  const abs = f.local(V128);
  f.i32(0x7f800000).i32x4Splat().set(inf);
  f.i32(0x7fffffff).i32x4Splat().set(abs);
  stepLoop(f, p, bytes, (u) => {
    f.get(d).get(p).add();
    f.get(a)
      .get(p)
      .add()
      .v128Load(16 * u)
      .set(v);
    f.get(v);
    f.get(v).i32(31).i32x4ShrS(); // negative: all ones
    f.get(inf).get(v).get(abs).vAnd().i32x4Sub().i32(31).i32x4ShrS(); // NaN: all ones
    f.vAndNot(); // negative and no NaN
    f.vAndNot(); // v & ~that
    f.v128Store(16 * u);
  });
  return f;
}

/**
 * relugrad(d, a, b, bytes): d = b <= 0 ? +0 : a, relu's backward with the gradient at a and the
 * forward's input or result at b (a NaN at b compares false and passes the gradient on).
 */
function reluGradBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const zero = f.local(V128);
  f.i32(0).i32x4Splat().set(zero);
  stepLoop(f, p, bytes, (u) => {
    f.get(d).get(p).add();
    f.get(a)
      .get(p)
      .add()
      .v128Load(16 * u);
    f.get(b)
      .get(p)
      .add()
      .v128Load(16 * u)
      .get(zero)
      .f32x4Cmp("le");
    f.vAndNot();
    f.v128Store(16 * u);
  });
  return f;
}

/** sum(d, a, _, bytes): two doubles at d whose sum is the double-precision sum of the floats at a. */
function sumBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, , bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  for (let k = 0; k < 8; k++) {
    const r = acc[k % 4] as number;
    f.get(r)
      .get(a)
      .get(p)
      .add()
      .load64Zero(8 * k)
      .promoteLow()
      .vAdd(8)
      .set(r);
  }
  f.get(p).i32(64).add().set(p);
  f.br(0).end().end();
  f.get(d);
  f.get(acc[0] as number)
    .get(acc[1] as number)
    .vAdd(8);
  f.get(acc[2] as number)
    .get(acc[3] as number)
    .vAdd(8);
  f.vAdd(8).v128Store(0);
  return f;
}

/**
 * cmp(d, a, b, bytes): bytes d[i] = a[i] op b (b a float32 scalar) as 1 or 0, for the floats at a over
 * `bytes` (a multiple of 64); the f32x4 comparison agrees with the double one of the reference.
 */
function compareBody(op: Compare): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const q = f.local(I32);
  const s = f.local(V128);
  f.get(b).loadSplat(4, 0).set(s);
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  f.get(d).get(q).add();
  for (let half = 0; half < 2; half++) {
    for (let u = 0; u < 2; u++)
      f.get(a)
        .get(p)
        .add()
        .v128Load(16 * (2 * half + u))
        .get(s)
        .f32x4Cmp(op);
    f.i16x8NarrowS();
  }
  f.i8x16NarrowS().i8x16Abs().v128Store(0);
  f.get(p).i32(64).add().set(p);
  f.get(q).i32(16).add().set(q);
  f.br(0).end().end();
  return f;
}

/**
 * where(d, a, b, bytes) with the bool conditions at C_AT: d = cond ? x : y, one of x, y a scalar
 * (`vs`: x the floats at a, y the scalar at b; `sv`: x the scalar at a, y the floats at b), on bits.
 */
function whereBody(kind: "vs" | "sv"): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const q = f.local(I32);
  const s = f.local(V128);
  const zero = f.local(V128);
  const m = f.local(V128);
  f.i32(0).i32x4Splat().set(zero);
  f.get(kind === "vs" ? b : a)
    .loadSplat(4, 0)
    .set(s);
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  f.i32(C_AT).get(q).add().v128Load(0).get(zero).i8x16Ne().set(m);
  for (let u = 0; u < 4; u++) {
    f.get(d).get(p).add();
    if (kind === "vs")
      f.get(a)
        .get(p)
        .add()
        .v128Load(16 * u)
        .get(s);
    else
      f.get(s)
        .get(b)
        .get(p)
        .add()
        .v128Load(16 * u);
    f.get(m)
      .i16x8ExtendS(u >= 2)
      .i32x4ExtendS(u % 2 === 1)
      .bitselect();
    f.v128Store(16 * u);
  }
  f.get(p).i32(64).add().set(p);
  f.get(q).i32(16).add().set(q);
  f.br(0).end().end();
  return f;
}

/**
 * colsum(acc, a, total, rowBytes): acc[j] += a[r][j] (doubles at acc, floats at a) for every row r of
 * `rowBytes` in `total` bytes, row by row, so each column adds left to right as the reference does.
 * Columns run in steps of four, so up to three lanes past the row end land in padding of acc.
 */
function colsumBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [acc, a, total, rowBytes] = [0, 1, 2, 3];
  const row = f.local(I32);
  const end = f.local(I32);
  const inner = f.local(I32);
  const j = f.local(I32);
  const ap = f.local(I32);
  const cp = f.local(I32);
  f.get(a).set(row);
  f.get(a).get(total).add().set(end);
  f.get(rowBytes).i32(12).add().i32(-16).and().set(inner);
  f.block().loop();
  f.get(row).get(end).geS().brIf(1);
  f.i32(0).set(j);
  f.block().loop();
  f.get(j).get(inner).geS().brIf(1);
  f.get(row).get(j).add().set(ap);
  f.get(acc).get(j).add().get(j).add().set(cp);
  for (let h = 0; h < 2; h++) {
    f.get(cp);
    f.get(cp).v128Load(16 * h);
    f.get(ap)
      .load64Zero(8 * h)
      .promoteLow();
    f.vAdd(8).v128Store(16 * h);
  }
  f.get(j).i32(16).add().set(j);
  f.br(0).end().end();
  f.get(row).get(rowBytes).add().set(row);
  f.br(0).end().end();
  return f;
}

let kernels: Kernels | null | undefined;

function createKernels(): Kernels | null {
  if (typeof WebAssembly === "undefined") return null;
  try {
    const fns: { name: string; body: FunctionBody }[] = [];
    for (const op of ARITH)
      for (const kind of KINDS) fns.push({ name: `${op}_${kind}`, body: arithBody(op, kind) });
    fns.push({ name: "relu", body: reluBody() }, { name: "sum", body: sumBody() });
    for (const op of COMPARE) fns.push({ name: op, body: compareBody(op) });
    fns.push({ name: "where_vs", body: whereBody("vs") }, { name: "where_sv", body: whereBody("sv") });
    fns.push({ name: "colsum", body: colsumBody() }, { name: "relugrad", body: reluGradBody() });
    const bytes = encodeModule(fns, { initialPages: PAGES, maximumPages: PAGES, shared: false });
    if (!WebAssembly.validate(bytes)) return null; // no SIMD here
    const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
    const arith: Record<string, Kernel> = {};
    for (const { name } of fns) arith[name] = exports[name] as Kernel;
    // The memory never grows, so these views stay valid.
    return {
      u8: new Uint8Array(memory.buffer),
      f32: new Float32Array(memory.buffer),
      f64: new Float64Array(memory.buffer),
      arith,
      relu: exports.relu as Kernel,
      sum: exports.sum as Kernel,
      colsum: exports.colsum as Kernel,
    };
  } catch {
    return null;
  }
}

function getKernels(): Kernels | null {
  if (kernels === undefined) kernels = createKernels();
  return kernels;
}

/** Bytes the kernels process for `c` elements: rounded up to whole 64-byte steps (the padding is scratch). */
const stepBytes = (c: number) => Math.ceil(c / 16) * 64;

/** d[o..o+n) = A op B, streamed through the scratch memory; `kind` says which operand is one element. */
function arithF32(
  k: Kernels,
  fn: Kernel,
  kind: Kind,
  d: Float32Array,
  o: number,
  A: Float32Array,
  pa: number,
  B: Float32Array,
  pb: number,
  n: number,
): void {
  const mem = k.f32;
  if (kind === "vs") mem[B_AT / 4] = B[pb] as number;
  if (kind === "sv") mem[A_AT / 4] = A[pa] as number;
  for (let i = 0; i < n; i += CHUNK) {
    const c = Math.min(CHUNK, n - i);
    if (kind !== "sv") mem.set(A.subarray(pa + i, pa + i + c), A_AT / 4);
    if (kind !== "vs") mem.set(B.subarray(pb + i, pb + i + c), B_AT / 4);
    fn(D_AT, A_AT, B_AT, stepBytes(c));
    d.set(mem.subarray(D_AT / 4, D_AT / 4 + c), o + i);
  }
}

/** `into` when it can take the result in place, else a new contiguous float32 array. */
function targetF32(into: StridedArray | undefined, shape: readonly number[], n: number): StridedArray {
  return into !== undefined &&
    into.dtype === "float32" &&
    shapesEqual(into.shape, shape) &&
    into.isContiguous()
    ? into
    : new StridedArray(allocate("float32", n), "float32", shape, contiguousStrides(shape));
}

/** Whether contiguous `r` is one row of `shape`: its last dim at full size, every other dim 1. */
function isRowOf(r: StridedArray, shape: readonly number[]): boolean {
  const c = shape.at(-1) ?? 1;
  return r.numel === c && c > 1 && c <= CHUNK && r.ndim > 0 && r.shape.at(-1) === c;
}

/**
 * `fn` (a vv kernel) over a contiguous [n / c, c] operand and a row of c broadcast down it: the row is
 * tiled once into its input slot, then whole rows of the matrix stream through in chunks.
 */
function rowF32(
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
  const d = out.data as Float32Array;
  const [full, row] = rowB ? [a, b] : [b, a];
  const F = full.data as Float32Array;
  const R = (row.data as Float32Array).subarray(row.offset, row.offset + c);
  const fullAt = (rowB ? A_AT : B_AT) / 4;
  const rowAt = (rowB ? B_AT : A_AT) / 4;
  const step = Math.min(Math.floor(CHUNK / c) * c, n);
  // Tile the row by doubling: a few copies instead of one call per row (100 for a [100, 32] bias add).
  mem.set(R, rowAt);
  for (let t = c; t < step; t *= 2) mem.copyWithin(rowAt + t, rowAt, rowAt + Math.min(t, step - t));
  for (let i = 0; i < n; i += step) {
    const len = Math.min(step, n - i);
    mem.set(F.subarray(full.offset + i, full.offset + i + len), fullAt);
    fn(D_AT, A_AT, B_AT, stepBytes(len));
    d.set(mem.subarray(D_AT / 4, D_AT / 4 + len), out.offset + i);
  }
}

/** `binary` (same contract), with float32 add/sub/mul/div of large contiguous arrays on Wasm SIMD. */
export function fastBinary(
  op: BinaryOp,
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
  name: string = op,
  into?: StridedArray,
): StridedArray {
  const k =
    outDtype === "float32" &&
    a.dtype === "float32" &&
    b.dtype === "float32" &&
    (op === "add" || op === "sub" || op === "mul" || op === "div") &&
    (a.numel >= MIN_WASM || b.numel >= MIN_WASM) &&
    a.isContiguous() &&
    b.isContiguous()
      ? getKernels()
      : null;
  if (k === null) return compareBinary(op, a, b, outDtype, name, into);
  let shape: readonly number[];
  let kind: Kind;
  if (shapesEqual(a.shape, b.shape)) {
    shape = a.shape;
    kind = "vv";
  } else {
    shape = broadcastShapes(name, a.shape, b.shape);
    const n = numel(shape);
    if (b.numel === 1 && a.numel === n) kind = "vs";
    else if (a.numel === 1 && b.numel === n) kind = "sv";
    else {
      // A row broadcast down a matrix (x.mm(w).add(b) with b [1, h]): the row, tiled, is a vector operand.
      const rowB = isRowOf(b, shape) && a.numel === n;
      if (!rowB && !(isRowOf(a, shape) && b.numel === n)) return binary(op, a, b, outDtype, name, into);
      const out = targetF32(into, shape, n);
      rowF32(k, k.arith[`${op}_vv`] as Kernel, rowB, out, a, b, n, shape.at(-1) as number);
      return out;
    }
  }
  const n = numel(shape);
  const out = targetF32(into, shape, n);
  const fn = k.arith[`${op}_${kind}`] as Kernel;
  arithF32(
    k,
    fn,
    kind,
    out.data as Float32Array,
    out.offset,
    a.data as Float32Array,
    a.offset,
    b.data as Float32Array,
    b.offset,
    n,
  );
  return out;
}

/**
 * `binary` for the rest, with a float32 comparison of a large contiguous array against a float32
 * scalar (x.gt(0)) into bool on Wasm SIMD.
 */
function compareBinary(
  op: BinaryOp,
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
  name: string,
  into: StridedArray | undefined,
): StridedArray {
  const cmp = (COMPARE as readonly string[]).includes(op) ? (op as Compare) : null;
  const vs = b.numel === 1 && a.numel >= MIN_WASM;
  const k =
    cmp !== null &&
    outDtype === "bool" &&
    a.dtype === "float32" &&
    b.dtype === "float32" &&
    (vs || (a.numel === 1 && b.numel >= MIN_WASM)) &&
    a.isContiguous() &&
    b.isContiguous()
      ? getKernels()
      : null;
  if (k === null || cmp === null) return binary(op, a, b, outDtype, name, into);
  const [full, one] = vs ? [a, b] : [b, a];
  const shape = broadcastShapes(name, a.shape, b.shape);
  const n = full.numel;
  if (numel(shape) !== n) return binary(op, a, b, outDtype, name, into);
  const out =
    into !== undefined && into.dtype === "bool" && shapesEqual(into.shape, shape) && into.isContiguous()
      ? into
      : new StridedArray(allocate("bool", n), "bool", shape, contiguousStrides(shape));
  const fn = k.arith[vs ? cmp : FLIPPED[cmp]] as Kernel;
  const d = out.data as Uint8Array;
  const F = full.data as Float32Array;
  k.f32[B_AT / 4] = one.data[one.offset] as number;
  for (let i = 0; i < n; i += CHUNK) {
    const c = Math.min(CHUNK, n - i);
    k.f32.set(F.subarray(full.offset + i, full.offset + i + c), A_AT / 4);
    fn(D_AT, A_AT, B_AT, stepBytes(c));
    d.set(k.u8.subarray(D_AT, D_AT + c), out.offset + i);
  }
  return out;
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
    x.dtype === "float32" &&
    y.dtype === "float32" &&
    n >= MIN_WASM &&
    (vs || (x.numel === 1 && y.numel === n)) &&
    cond.isContiguous() &&
    x.isContiguous() &&
    y.isContiguous()
      ? getKernels()
      : null;
  if (k === null) return where(cond, x, y, outDtype);
  const full = vs ? x : y;
  const one = vs ? y : x;
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape), y.shape);
  if (!shapesEqual(shape, cond.shape) || !shapesEqual(full.shape, shape)) return where(cond, x, y, outDtype);
  const out = new StridedArray(allocate("float32", n), "float32", shape, contiguousStrides(shape));
  const d = out.data as Float32Array;
  const F = full.data as Float32Array;
  const C = cond.data as Uint8Array;
  const fn = k.arith[vs ? "where_vs" : "where_sv"] as Kernel;
  const fullAt = vs ? A_AT : B_AT;
  k.f32[(vs ? B_AT : A_AT) / 4] = one.data[one.offset] as number;
  for (let i = 0; i < n; i += CHUNK) {
    const c = Math.min(CHUNK, n - i);
    k.f32.set(F.subarray(full.offset + i, full.offset + i + c), fullAt / 4);
    k.u8.set(C.subarray(cond.offset + i, cond.offset + i + c), C_AT);
    fn(D_AT, A_AT, B_AT, stepBytes(c));
    d.set(k.f32.subarray(D_AT / 4, D_AT / 4 + c), i);
  }
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
  const out =
    into === grad
      ? grad
      : new StridedArray(allocate(dtype, n), dtype, grad.shape, contiguousStrides(grad.shape));
  const G = grad.data as Float32Array | Float64Array;
  const R = input.data as Float32Array | Float64Array;
  const k = dtype === "float32" && threshold === 0 && n >= MIN_WASM ? getKernels() : null;
  if (k !== null) {
    const relugrad = k.arith.relugrad as Kernel;
    arithF32(
      k,
      relugrad,
      "vv",
      out.data as Float32Array,
      out.offset,
      G as Float32Array,
      grad.offset,
      R as Float32Array,
      input.offset,
      n,
    );
    return out;
  }
  const d = out.data as Float32Array | Float64Array;
  for (let o = out.offset, g = grad.offset, r = input.offset; o < out.offset + n; o++, g++, r++) {
    d[o] = (R[r] as number) <= threshold ? 0 : (G[g] as number);
  }
  return out;
}

/** `unary` (same contract), with the relu of a large contiguous float32 array on Wasm SIMD. */
export function fastUnary(op: UnaryOp, a: StridedArray, outDtype: DType = a.dtype): StridedArray {
  const k =
    op === "relu" &&
    outDtype === "float32" &&
    a.dtype === "float32" &&
    a.numel >= MIN_WASM &&
    a.isContiguous()
      ? getKernels()
      : null;
  if (k === null) return unary(op, a, outDtype);
  const n = a.numel;
  const out = new StridedArray(allocate("float32", n), "float32", a.shape, contiguousStrides(a.shape));
  const d = out.data as Float32Array;
  const A = a.data as Float32Array;
  const mem = k.f32;
  for (let i = 0; i < n; i += CHUNK) {
    const c = Math.min(CHUNK, n - i);
    mem.set(A.subarray(a.offset + i, a.offset + i + c), A_AT / 4);
    k.relu(D_AT, A_AT, 0, stepBytes(c));
    d.set(mem.subarray(D_AT / 4, D_AT / 4 + c), i);
  }
  return out;
}

/** `reduce` (same contract), with the sum/mean of every element of a large contiguous float32 array on Wasm SIMD. */
export function fastReduce(
  op: ReduceOp,
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
  outDtype: DType = a.dtype,
): StridedArray {
  const sum = (op === "sum" || op === "mean") && a.dtype === "float32" && a.numel >= MIN_WASM;
  if (sum && a.ndim === 2 && dims.length === 1 && dims[0] === 0) return columnSum(op, a, keepdim, outDtype);
  const k = sum && dims.length === a.ndim && a.isContiguous() ? getKernels() : null;
  if (k === null) return reduce(op, a, dims, keepdim, outDtype);
  const n = a.numel;
  const A = a.data as Float32Array;
  const mem = k.f32;
  let total = 0;
  for (let i = 0; i < n; i += CHUNK) {
    const c = Math.min(CHUNK, n - i);
    mem.set(A.subarray(a.offset + i, a.offset + i + c), A_AT / 4);
    const bytes = stepBytes(c);
    mem.fill(0, A_AT / 4 + c, A_AT / 4 + bytes / 4);
    k.sum(S_AT, A_AT, 0, bytes);
    total += (k.f64[S_AT / 8] as number) + (k.f64[S_AT / 8 + 1] as number);
  }
  const out = StridedArray.zeros(reducedShape(a.shape, dims, keepdim), outDtype);
  out.data[0] = op === "mean" ? total / n : total;
  return out;
}

/** Most columns for `columnSum`: their double accumulators (and three of padding) fill B's region. */
const MAX_COLS = CHUNK / 2 - 4;

/**
 * The sum/mean over dim 0 of a contiguous float32 matrix (a bias gradient): rows stream through the
 * scratch memory and add into double accumulators, each column left to right, as the reference does.
 */
function columnSum(op: "sum" | "mean", a: StridedArray, keepdim: boolean, outDtype: DType): StridedArray {
  const [rows, cols] = a.shape as [number, number];
  const k = cols <= MAX_COLS && a.isContiguous() ? getKernels() : null;
  if (k === null) return reduce(op, a, [0], keepdim, outDtype);
  const A = a.data as Float32Array;
  const f64 = k.f64;
  f64.fill(0, B_AT / 8, B_AT / 8 + cols + 4);
  const step = Math.floor(CHUNK / cols);
  for (let r = 0; r < rows; r += step) {
    const len = Math.min(step, rows - r) * cols;
    k.f32.set(A.subarray(a.offset + r * cols, a.offset + r * cols + len), A_AT / 4);
    k.colsum(B_AT, A_AT, len * 4, cols * 4);
  }
  const out = StridedArray.zeros(reducedShape(a.shape, [0], keepdim), outDtype);
  const acc = f64.subarray(B_AT / 8, B_AT / 8 + cols);
  if (op === "mean") for (let j = 0; j < cols; j++) out.data[j] = (acc[j] as number) / rows;
  else out.data.set(acc);
  return out;
}

import {
  broadcastShapes,
  contiguousStrides,
  type DType,
  inversePermutation,
  numel,
  outputOrder,
  StridedArray,
  shapesEqual,
  type TypedArray,
} from "@torchlet/storage";
import { allocateUnfilled } from "@torchlet/storage/internal";
import {
  BINARY_LOOPS,
  type BinaryLoop,
  INT32_LOOPS,
  INT64_LOOPS,
  reluFloat32Bits,
  reluInt32,
  UNARY_LOOPS,
  type UnaryLoop,
  whereBits,
} from "./elementwise-loops.js";
import { broadcastStrides, coalesce, forEachRow } from "./elementwise-walk.js";
import { settleInt64 } from "./int64.js";
import { evaluate } from "./records/expr.js";
import { BINARY_OPS, type BinaryOp, ELEMENTWISE, UNARY_OPS, type UnaryOp } from "./records/registry.js";

/**
 * The elementwise functions of one argument, each a plain number -> number map: the records' formulas,
 * evaluated (the reference every kernel is tested against).
 *
 * @example
 * UNARY.relu(-2); // 0
 * UNARY.sigmoid(0); // 0.5
 */
export const UNARY = Object.fromEntries(
  UNARY_OPS.map((op) => [op, (x: number) => evaluate(ELEMENTWISE[op].formula, x, 0)]),
) as Record<UnaryOp, (x: number) => number>;

/**
 * The elementwise functions of two arguments; comparisons return 1 or 0 for a bool output.
 *
 * @example
 * BINARY.pow(2, 10); // 1024
 * BINARY.gt(1, 2); // 0
 */
export const BINARY = Object.fromEntries(
  BINARY_OPS.map((op) => [op, (a: number, b: number) => evaluate(ELEMENTWISE[op].formula, a, b)]),
) as Record<BinaryOp, (a: number, b: number) => number>;

/**
 * Applies `op` to every element of `a`, writing a new array of `outDtype` laid out as `a` is (a
 * transposed input gives a transposed output, as PyTorch's TensorIterator does).
 *
 * `into`, as for `binary`: a contiguous array of the result's shape and dtype that a contiguous input
 * is written into instead of a new array (`out=`); it may be `a` itself. Otherwise it is ignored.
 */
export function unary(
  op: UnaryOp,
  a: StridedArray,
  outDtype: DType = a.dtype,
  into?: StridedArray,
): StridedArray {
  const n = a.numel;
  const bits =
    op === "relu" && n > SMALL && outDtype === a.dtype && (outDtype === "float32" || outDtype === "int32");
  const loop: UnaryLoop = bits ? reluBits(outDtype) : UNARY_LOOPS[op];
  // Contiguous inputs (the common case) give a row-major output; skip the layout analysis.
  if (a.isContiguous()) {
    const out = target(outDtype === "int64" ? undefined : into, a.shape, outDtype, n);
    if (bits) loop(int32View(out.data), out.offset, int32View(a.data), a.offset, 1, n);
    else loop(out.data, out.offset, a.data, a.offset, 1, n);
    return settleInt64(op, normalizeBool(out));
  }
  const order = outputOrder(a.shape, [a.strides]);
  if (order) return unary(op, a.permute(order), outDtype).permute(inversePermutation(order));
  const out = contiguousArray(a.shape, outDtype, n);
  if (n === 0) return out;
  const walk = coalesce(a.shape, [a.strides]);
  const ia = walk.strides[0]?.[0] as number;
  const inner = walk.sizes[0] as number;
  const dst = bits ? int32View(out.data) : out.data;
  const src = bits ? int32View(a.data) : a.data;
  forEachRow(walk, [a.offset], (o, p) => loop(dst, o, src, p[0] as number, ia, inner));
  return settleInt64(op, normalizeBool(out));
}

/** relu's branch-free loop for a float32 or int32 input of the same output dtype. */
function reluBits(dtype: DType): UnaryLoop {
  return (dtype === "float32" ? reluFloat32Bits : reluInt32) as UnaryLoop;
}

/**
 * The 32-bit words of float32 (or int32) storage, index for index: a view that writes through, except
 * for the few-element arrays V8 keeps inside its heap (asking for their `.buffer` would move them out
 * on every call), which only kernels' read-only operands (a scalar `x` of where) are, and get a copy.
 */
function int32View(data: TypedArray): Int32Array {
  if (data instanceof Int32Array) return data;
  if (data.length > SMALL) return new Int32Array(data.buffer, data.byteOffset, data.length);
  const words = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    FLOAT_WORD[0] = data[i] as number;
    words[i] = INT_WORD[0] as number;
  }
  return words;
}

/** Arrays up to this many elements are read through a copy (see `int32View`); kernels below it skip the bit loops. */
const SMALL = 16;
const FLOAT_WORD = new Float32Array(1);
const INT_WORD = new Int32Array(FLOAT_WORD.buffer);

/**
 * Applies `op` elementwise to `a` and `b` broadcast together, into a new array of `outDtype` laid out
 * as the inputs are (PyTorch's TensorIterator order; row-major for contiguous inputs).
 * Values are read as JS doubles, computed, and rounded by the typed array on store (float32 rounding,
 * int32 wrap-around, as the C kernels do); an int64 result beyond ±(2^53 - 1) is an error instead (see
 * int64.ts). `op` names the public operation for error messages.
 *
 * `into`, when given, is a contiguous array of the result's shape and dtype that the contiguous fast
 * paths write into instead of allocating (in-place ops and `out=`); it may be `a` itself, or `b` when `b` has the
 * same layout, since each element is read before it is written. Other cases, and int64 results (whose
 * range check may still fail), ignore it and return a new array, which the caller copies.
 */
export function binary(
  op: BinaryOp,
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
  name: string = op,
  into?: StridedArray,
): StridedArray {
  if (outDtype === "int64") return settleInt64(name, binaryInto(op, a, b, outDtype, name, undefined));
  return binaryInto(op, a, b, outDtype, name, into);
}

function binaryInto(
  op: BinaryOp,
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
  name: string,
  into: StridedArray | undefined,
): StridedArray {
  const integer = outDtype === "int64" ? INT64_LOOPS : outDtype === "int32" ? INT32_LOOPS : undefined;
  const loop = integer?.[op] ?? BINARY_LOOPS[op];
  const same = shapesEqual(a.shape, b.shape);
  const shape = same ? a.shape : broadcastShapes(name, a.shape, b.shape);
  const ca = a.isContiguous();
  const cb = b.isContiguous();
  if (ca && cb) {
    // Contiguous inputs (the common case) give a row-major output; skip the layout analysis.
    const n = numel(shape);
    if (same || (a.numel === n && b.numel === n)) {
      const out = target(into, shape, outDtype, n);
      loop(out.data, out.offset, a.data, a.offset, 1, b.data, b.offset, 1, n);
      return normalizeBool(out, op);
    }
    if (b.numel === 1 && a.numel === n) {
      const out = target(into, shape, outDtype, n);
      loop(out.data, out.offset, a.data, a.offset, 1, b.data, b.offset, 0, n);
      return normalizeBool(out, op);
    }
    if (a.numel === 1 && b.numel === n) {
      const out = target(into, shape, outDtype, n);
      loop(out.data, out.offset, a.data, a.offset, 0, b.data, b.offset, 1, n);
      return normalizeBool(out, op);
    }
    return normalizeBool(binaryRowMajor(loop, a, b, shape, outDtype), op);
  }
  if (readsOneElement(a) && readsOneElement(b)) {
    // Each operand one element, or expanded from one (every stride 0, as sum's and mean's gradients
    // are): the layout analysis below finds nothing to order, so the output is row-major. Not `into`,
    // which may hold the element read.
    const n = numel(shape);
    const out = contiguousArray(shape, outDtype, n);
    loop(out.data, out.offset, a.data, a.offset, 0, b.data, b.offset, 0, n);
    return normalizeBool(out, op);
  }
  const sa = broadcastStrides(shape, a.shape, a.strides);
  const sb = broadcastStrides(shape, b.shape, b.strides);
  const order = outputOrder(shape, [sa, sb]);
  if (order) {
    const ea = a.expand(shape).permute(order);
    const eb = b.expand(shape).permute(order);
    const out = binaryRowMajor(loop, ea, eb, ea.shape, outDtype);
    return normalizeBool(out, op).permute(inversePermutation(order));
  }
  return normalizeBool(binaryRowMajor(loop, a, b, shape, outDtype), op);
}

/** Whether every element of `a` is the one at its offset: a single element, or all strides 0. */
function readsOneElement(a: StridedArray): boolean {
  if (a.numel === 1) return true;
  for (let d = 0; d < a.strides.length; d++) if (a.strides[d] !== 0) return false;
  return true;
}

/** `binary` for an output of `shape` in row-major order; `a` and `b` broadcast to it. */
function binaryRowMajor(
  loop: BinaryLoop,
  a: StridedArray,
  b: StridedArray,
  shape: readonly number[],
  outDtype: DType,
): StridedArray {
  const n = numel(shape);
  const out = contiguousArray(shape, outDtype, n);
  if (n === 0) return out;
  const walk = coalesce(shape, [
    broadcastStrides(shape, a.shape, a.strides),
    broadcastStrides(shape, b.shape, b.strides),
  ]);
  const inner = walk.sizes[0] as number;
  const ia = walk.strides[0]?.[0] as number;
  const ib = walk.strides[1]?.[0] as number;
  const dst = out.data;
  const A = a.data;
  const B = b.data;
  forEachRow(walk, [a.offset, b.offset], (o, p) =>
    loop(dst, o, A, p[0] as number, ia, B, p[1] as number, ib, inner),
  );
  return out;
}

/**
 * Picks `x` where `cond` is nonzero and `y` elsewhere, all three broadcast together (torch.where);
 * the output is laid out as the inputs are, like every elementwise result.
 */
export function where(cond: StridedArray, x: StridedArray, y: StridedArray, outDtype: DType): StridedArray {
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape), y.shape);
  const sc = broadcastStrides(shape, cond.shape, cond.strides);
  const sx = broadcastStrides(shape, x.shape, x.strides);
  const sy = broadcastStrides(shape, y.shape, y.strides);
  const contiguous = cond.isContiguous() && x.isContiguous() && y.isContiguous();
  const order = contiguous ? null : outputOrder(shape, [sc, sx, sy]);
  if (!order) return whereRowMajor(cond, x, y, shape, [sc, sx, sy], outDtype);
  const c = cond.expand(shape).permute(order);
  const ex = x.expand(shape).permute(order);
  const ey = y.expand(shape).permute(order);
  const out = whereRowMajor(c, ex, ey, c.shape, [c.strides, ex.strides, ey.strides], outDtype);
  return out.permute(inversePermutation(order));
}

/** `where` for an output of `shape` in row-major order; `strides` are the operands' broadcast ones. */
function whereRowMajor(
  c: StridedArray,
  x: StridedArray,
  y: StridedArray,
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  outDtype: DType,
): StridedArray {
  const n = numel(shape);
  const out = contiguousArray(shape, outDtype, n);
  if (n === 0) return out;
  const walk = coalesce(shape, strides);
  const inner = walk.sizes[0] as number;
  const ic = walk.strides[0]?.[0] as number;
  const ix = walk.strides[1]?.[0] as number;
  const iy = walk.strides[2]?.[0] as number;
  const C = c.data;
  // float32/int32 values are moved, not converted: select their bits without a branch.
  const bits =
    n > SMALL &&
    (outDtype === "float32" || outDtype === "int32") &&
    x.dtype === outDtype &&
    y.dtype === outDtype;
  if (bits) {
    const dst = int32View(out.data);
    const X = int32View(x.data);
    const Y = int32View(y.data);
    forEachRow(walk, [c.offset, x.offset, y.offset], (o, p) =>
      whereBits(dst, o, C, p[0] as number, ic, X, p[1] as number, ix, Y, p[2] as number, iy, inner),
    );
    return out;
  }
  const dst = out.data;
  const X = x.data;
  const Y = y.data;
  forEachRow(walk, [c.offset, x.offset, y.offset], (o, p) =>
    whereLoop(dst, o, C, p[0] as number, ic, X, p[1] as number, ix, Y, p[2] as number, iy, inner),
  );
  return out;
}

/** One row of `where`; a contiguous condition with a scalar or contiguous x and y gets its own loop. */
function whereLoop(
  d: TypedArray,
  o: number,
  C: TypedArray,
  pc: number,
  ic: number,
  X: TypedArray,
  px: number,
  ix: number,
  Y: TypedArray,
  py: number,
  iy: number,
  n: number,
): void {
  if (ic === 1 && ix === 0 && iy === 1) {
    const x = X[px] as number;
    for (let j = 0; j < n; j++) d[o + j] = C[pc + j] !== 0 ? x : (Y[py + j] as number);
  } else if (ic === 1 && ix === 1 && iy === 0) {
    const y = Y[py] as number;
    for (let j = 0; j < n; j++) d[o + j] = C[pc + j] !== 0 ? (X[px + j] as number) : y;
  } else if (ic === 1 && ix === 1 && iy === 1) {
    for (let j = 0; j < n; j++) d[o + j] = C[pc + j] !== 0 ? (X[px + j] as number) : (Y[py + j] as number);
  } else {
    for (let j = 0; j < n; j++) {
      d[o + j] = C[pc + j * ic] !== 0 ? (X[px + j * ix] as number) : (Y[py + j * iy] as number);
    }
  }
}

/** `into` when it can hold the result as is (contiguous, same shape and dtype), else a new array. */
function target(
  into: StridedArray | undefined,
  shape: readonly number[],
  dtype: DType,
  n: number,
): StridedArray {
  if (into !== undefined && into.dtype === dtype && shapesEqual(into.shape, shape) && into.isContiguous()) {
    return into;
  }
  return contiguousArray(shape, dtype, n);
}

/**
 * A new row-major array of `shape` (which it keeps: callers pass arrays nobody mutates), not cleared:
 * every elementwise kernel writes each of its elements before anything reads it.
 */
function contiguousArray(shape: readonly number[], dtype: DType, n: number): StridedArray {
  return new StridedArray(allocateUnfilled(dtype, n), dtype, shape, contiguousStrides(shape));
}

/** Ops whose loops store only 0 or 1 (a bool result by their dtype rule), so a bool output needs no second pass. */
const ZERO_ONE: ReadonlySet<string> = new Set(
  BINARY_OPS.filter((op) => ELEMENTWISE[op].dtype.result === "bool"),
);

/** A bool result holds 0 or 1: arithmetic on bools (true + true) is logical, as in PyTorch. */
function normalizeBool(out: StridedArray, op?: string): StridedArray {
  if (out.dtype === "bool" && (op === undefined || !ZERO_ONE.has(op))) {
    const d = out.data;
    for (let i = out.offset, end = out.offset + out.numel; i < end; i++) if (d[i] !== 0) d[i] = 1;
  }
  return out;
}

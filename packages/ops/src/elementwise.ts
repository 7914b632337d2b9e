import {
  broadcastShapes,
  type DType,
  inversePermutation,
  outputOrder,
  StridedArray,
} from "@torchlet/storage";

/** The elementwise functions of one argument, each a plain number -> number map. */
export const UNARY = {
  neg: (x: number) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0), // NaN gives 0, as torch.sign does in 1.13
  relu: (x: number) => (x > 0 ? x : x === 0 || x < 0 ? 0 : x), // NaN passes through, as torch.relu
  sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
} satisfies Record<string, (x: number) => number>;

export type UnaryOp = keyof typeof UNARY;

/** The elementwise functions of two arguments; comparisons return 1 or 0 for a bool output. */
export const BINARY = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
  pow: (a: number, b: number) => a ** b,
  eq: (a: number, b: number) => (a === b ? 1 : 0),
  ne: (a: number, b: number) => (a !== b ? 1 : 0),
  gt: (a: number, b: number) => (a > b ? 1 : 0),
  ge: (a: number, b: number) => (a >= b ? 1 : 0),
  lt: (a: number, b: number) => (a < b ? 1 : 0),
  le: (a: number, b: number) => (a <= b ? 1 : 0),
} satisfies Record<string, (a: number, b: number) => number>;

export type BinaryOp = keyof typeof BINARY;

/**
 * Applies `op` to every element of `a`, writing a new array of `outDtype` laid out as `a` is (a
 * transposed input gives a transposed output, as PyTorch's TensorIterator does).
 */
export function unary(op: UnaryOp, a: StridedArray, outDtype: DType = a.dtype): StridedArray {
  // Contiguous inputs (the common case) give a row-major output; skip the layout analysis.
  const order = a.isContiguous() ? null : outputOrder(a.shape, [a.strides]);
  if (order) return unary(op, a.permute(order), outDtype).permute(inversePermutation(order));
  const fn = UNARY[op];
  const out = StridedArray.zeros(a.shape, outDtype);
  const dst = out.data;
  const src = a.data;
  if (a.isContiguous()) {
    const off = a.offset;
    for (let i = 0, n = a.numel; i < n; i++) dst[i] = fn(src[off + i] as number);
  } else {
    a.forEachIndex((p, i) => {
      dst[i] = fn(src[p] as number);
    });
  }
  return normalizeBool(out);
}

/**
 * Applies `op` elementwise to `a` and `b` broadcast together, into a new array of `outDtype` laid out
 * as the inputs are (PyTorch's TensorIterator order; row-major for contiguous inputs).
 * Values are read as JS doubles, computed, and rounded by the typed array on store (float32 rounding,
 * int32 wrap-around, as the C kernels do). `op` names the public operation for error messages.
 */
export function binary(
  op: BinaryOp,
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
  name: string = op,
): StridedArray {
  const shape = broadcastShapes(name, a.shape, b.shape);
  // Contiguous inputs (the common case) give a row-major output; skip the layout analysis.
  if (a.isContiguous() && b.isContiguous()) return normalizeBool(binaryRowMajor(BINARY[op], a, b, outDtype));
  const ea = a.expand(shape);
  const eb = b.expand(shape);
  const order = outputOrder(shape, [ea.strides, eb.strides]);
  if (order) {
    const out = binaryRowMajor(BINARY[op], ea.permute(order), eb.permute(order), outDtype);
    return normalizeBool(out).permute(inversePermutation(order));
  }
  return normalizeBool(binaryRowMajor(BINARY[op], a, b, outDtype));
}

/** `binary` for an output in row-major order; `a` and `b` broadcast to the output's shape. */
function binaryRowMajor(
  fn: (x: number, y: number) => number,
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
): StridedArray {
  const shape = broadcastShapes("binary", a.shape, b.shape);
  const out = StridedArray.zeros(shape, outDtype);
  const dst = out.data;
  const n = out.numel;
  const A = a.data;
  const B = b.data;
  if (n === 0) return out;
  // Fast paths: same layout contiguous, or one side a single value.
  if (a.numel === n && b.numel === n && a.isContiguous() && b.isContiguous()) {
    const oa = a.offset;
    const ob = b.offset;
    for (let i = 0; i < n; i++) dst[i] = fn(A[oa + i] as number, B[ob + i] as number);
    return out;
  }
  if (b.numel === 1 && a.numel === n && a.isContiguous()) {
    const oa = a.offset;
    const y = B[b.offset] as number;
    for (let i = 0; i < n; i++) dst[i] = fn(A[oa + i] as number, y);
    return out;
  }
  if (a.numel === 1 && b.numel === n && b.isContiguous()) {
    const ob = b.offset;
    const x = A[a.offset] as number;
    for (let i = 0; i < n; i++) dst[i] = fn(x, B[ob + i] as number);
    return out;
  }
  // General case: walk the output in row-major order with both inputs' broadcast strides.
  const ea = a.expand(shape);
  const eb = b.expand(shape);
  const nd = shape.length;
  const sa = ea.strides;
  const sb = eb.strides;
  const inner = shape[nd - 1] as number;
  const ia = sa[nd - 1] as number;
  const ib = sb[nd - 1] as number;
  const counter = new Array<number>(nd).fill(0);
  let pa = ea.offset;
  let pb = eb.offset;
  for (let o = 0; o < n; o += inner) {
    for (let j = 0; j < inner; j++) dst[o + j] = fn(A[pa + j * ia] as number, B[pb + j * ib] as number);
    for (let d = nd - 2; d >= 0; d--) {
      const c = (counter[d] as number) + 1;
      const step_a = sa[d] as number;
      const step_b = sb[d] as number;
      if (c < (shape[d] as number)) {
        counter[d] = c;
        pa += step_a;
        pb += step_b;
        break;
      }
      counter[d] = 0;
      pa -= (c - 1) * step_a;
      pb -= (c - 1) * step_b;
    }
  }
  return out;
}

/**
 * Picks `x` where `cond` is nonzero and `y` elsewhere, all three broadcast together (torch.where);
 * the output is laid out as the inputs are, like every elementwise result.
 */
export function where(cond: StridedArray, x: StridedArray, y: StridedArray, outDtype: DType): StridedArray {
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape), y.shape);
  const c = cond.expand(shape);
  const ex = x.expand(shape);
  const ey = y.expand(shape);
  const order = outputOrder(shape, [c.strides, ex.strides, ey.strides]);
  if (!order) return whereRowMajor(c, ex, ey, outDtype);
  const out = whereRowMajor(c.permute(order), ex.permute(order), ey.permute(order), outDtype);
  return out.permute(inversePermutation(order));
}

/** `where` for an output in row-major order; the inputs already have the output's shape. */
function whereRowMajor(c: StridedArray, x: StridedArray, y: StridedArray, outDtype: DType): StridedArray {
  const out = StridedArray.zeros(c.shape, outDtype);
  const xs = x.storageIndices();
  const ys = y.storageIndices();
  const dst = out.data;
  const C = c.data;
  const X = x.data;
  const Y = y.data;
  c.forEachIndex((p, i) => {
    dst[i] = C[p] !== 0 ? (X[xs[i] as number] as number) : (Y[ys[i] as number] as number);
  });
  return out;
}

/** A bool result holds 0 or 1: arithmetic on bools (true + true) is logical, as in PyTorch. */
function normalizeBool(out: StridedArray): StridedArray {
  if (out.dtype === "bool") {
    const d = out.data;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) d[i] = 1;
  }
  return out;
}

import { type DeviceBackend, ELEMENTWISE, toWgsl } from "@torchlet/ops";
import {
  fmtShape,
  isNonOverlappingAndDense,
  StridedArray,
  shapesEqual,
  TorchletError,
} from "@torchlet/storage";
import { castChecked } from "@torchlet/storage/internal";
import { alongDim, alongDimRuns } from "./along-dim.js";
import { argReduce, argReduceRuns, extremumDim } from "./arg-reduce.js";
import { gpuArray, storageOf, uploaded } from "./arrays.js";
import { fromGpuBytes } from "./element-types.js";
import {
  broadcastAll,
  copyElements,
  copyRuns,
  elementwise,
  elementwiseNew,
  elementwiseRuns,
  IDENTITY,
  MAX_DIMS,
  newLike,
} from "./elementwise.js";
import { type Kernels, viaCpu, withCpuFallback } from "./fallback.js";
import { gather, indexingRuns, indexSelect, scatter, scatterSource } from "./indexing.js";
import { integerNew, integerRuns } from "./integer.js";
import { bmm, matmulRuns, mm } from "./matmul.js";
import { avgPool2d, maxPool2d, poolRuns } from "./pool.js";
import type { Queue } from "./queue.js";
import { reduce, reduceRuns } from "./reduce.js";
import { softmaxBackward, softmaxBackwardRuns } from "./softmax-backward.js";
import { ValueChecks } from "./value-checks.js";
import { col2im, im2col, windowRuns } from "./window.js";

/**
 * What the records' formulas give PyTorch's answer for only where IEEE-754 special values are kept:
 * WGSL leaves NaN and the infinities to the implementation (SwiftShader's exp(NaN) is Infinity, its
 * log(0) -88 and its NaN != NaN false), so these ops spell them out. Every float op of one operand
 * but sign (PyTorch's sign(NaN) is 0) gives NaN for NaN.
 */
const SPECIAL_VALUES: Partial<Record<keyof typeof ELEMENTWISE, (body: string) => string>> = {
  log: (body) => `select(select(${body}, -t_inf(), x == 0.0), t_nan(), x < 0.0)`,
  log1p: (body) => `select(select(${body}, -t_inf(), x == -1.0), t_nan(), x < -1.0)`,
  tanh: (body) => `select(${body}, sign(x), abs(x) > 10.0)`,
  ne: () => "select(1.0, 0.0, x == y)",
  pow: (body) => `select(${body}, t_nan(), (t_isnan(x) && y != 0.0) || (t_isnan(y) && x != 1.0))`,
};

function guarded(op: keyof typeof ELEMENTWISE, body: string): string {
  const r = ELEMENTWISE[op];
  const special = SPECIAL_VALUES[op]?.(body) ?? body;
  const keepsNan = r.arity === 1 && r.dtype.result !== "bool" && op !== "sign";
  return keepsNan ? `select(${special}, x, t_isnan(x))` : special;
}

/** The bodies of the elementwise ops, rendered once from their records. */
const BODIES = Object.fromEntries(
  Object.entries(ELEMENTWISE).map(([op, r]) => [
    op,
    guarded(op as keyof typeof ELEMENTWISE, toWgsl(r.formula)),
  ]),
) as Record<keyof typeof ELEMENTWISE, string>;

/** relu's backward: 0 where the input (y) is at most the threshold (c), else the gradient (x), NaN inputs included. */
const THRESHOLD_BACKWARD = "select(x, 0.0, y <= c)";
/** where: x where the condition (c) holds, else y. */
const WHERE = "select(y, x, c != 0.0)";

/** The device's own members, and the kernels that have WGSL (or refuse, as maskedSelect). */
type GpuKernels = Partial<Kernels> & Omit<DeviceBackend, keyof Kernels>;

/**
 * The WebGPU backend: WGSL kernels where they exist (elementwise ops generated from the op records,
 * where, relu's backward, reductions, softmax and its backward, index reductions, gather, scatter,
 * indexSelect, im2col/col2im, the pools, int32 arithmetic, the tiled matmul, copies and fills), every other kernel of the seam through the CPU (fallback.ts), announced once per op.
 */
export function webgpuBackend(q: Queue): DeviceBackend {
  const scalar = (value: number) => StridedArray.fromFlat(new Float32Array([value]), []);
  const checks = new ValueChecks(q);
  const gpu: GpuKernels = {
    name: "webgpu",
    device: "webgpu",
    unary: (op, a, outDtype = a.dtype) =>
      elementwiseRuns(outDtype, [a], a.shape)
        ? elementwiseNew(q, op, BODIES[op], [a], outDtype)
        : integerRuns(op, outDtype, [a], a.shape)
          ? integerNew(q, checks, op, [a], outDtype)
          : viaCpu(q, "unary", op, [op, a, outDtype]),
    binary: (op, a, b, outDtype, name = op) => {
      const shape = broadcastAll(name, [a, b]);
      return elementwiseRuns(outDtype, [a, b], shape)
        ? elementwiseNew(q, name, BODIES[op], [a, b], outDtype)
        : integerRuns(op, outDtype, [a, b], shape)
          ? integerNew(q, checks, op, [a, b], outDtype, name)
          : viaCpu(q, "binary", op, [op, a, b, outDtype, name]);
    },
    where: (cond, x, y, outDtype) => {
      const shape = broadcastAll("where", [x, y, cond]);
      return elementwiseRuns(outDtype, [x, y, cond], shape)
        ? elementwiseNew(q, "where", WHERE, [x, y, cond], outDtype, [cond, x, y])
        : integerRuns("where", outDtype, [x, y, cond], shape)
          ? integerNew(q, checks, "where", [x, y, cond], outDtype)
          : viaCpu(q, "where", "where", [cond, x, y, outDtype]);
    },
    thresholdBackward: (grad, input, threshold) => {
      if (!shapesEqual(grad.shape, input.shape) || grad.dtype !== input.dtype) {
        throw new TorchletError(
          `threshold_backward: grad ${grad.dtype} ${fmtShape(grad.shape)} and input ${input.dtype} ${fmtShape(input.shape)} must have one shape and dtype`,
        );
      }
      const c = scalar(threshold);
      return elementwiseRuns(grad.dtype, [grad, input, c], grad.shape)
        ? elementwiseNew(q, "threshold_backward", THRESHOLD_BACKWARD, [grad, input, c], grad.dtype)
        : viaCpu(q, "thresholdBackward", "threshold_backward", [grad, input, threshold]);
    },
    reduce: (op, a, dims, keepdim, outDtype = a.dtype) =>
      reduceRuns(op, a, dims, outDtype)
        ? reduce(q, op, a, dims, keepdim)
        : viaCpu(q, "reduce", op, [op, a, dims, keepdim, outDtype]),
    reduceDims: (op, a, dims, keepdim, outDtype = a.dtype, options = {}) =>
      reduceRuns(op, a, dims, outDtype)
        ? reduce(q, op, a, dims, keepdim)
        : viaCpu(q, "reduceDims", op, [op, a, dims, keepdim, outDtype, options]),
    argReduce: (op, a, dim, keepdim) =>
      argReduceRuns(a)
        ? argReduce(q, op, a, dim, keepdim)
        : viaCpu(q, "argReduce", op, [op, a, dim, keepdim]),
    extremumDim: (op, a, dim, keepdim) =>
      argReduceRuns(a)
        ? extremumDim(q, op, a, dim, keepdim)
        : viaCpu(q, "extremumDim", op, [op, a, dim, keepdim]),
    alongDim: (op, a, dim, outDtype = a.dtype) =>
      alongDimRuns(a, outDtype) ? alongDim(q, op, a, dim) : viaCpu(q, "alongDim", op, [op, a, dim, outDtype]),
    softmaxBackward: (op, grad, result, dim) =>
      softmaxBackwardRuns(grad, result)
        ? softmaxBackward(q, op, grad, result, dim)
        : viaCpu(q, "softmaxBackward", op, [op, grad, result, dim]),
    mm: (a, b, outDtype, name = "mm") =>
      matmulRuns(a, b, outDtype) ? mm(q, a, b, name) : viaCpu(q, "mm", name, [a, b, outDtype, name]),
    bmm: (a, b, outDtype, name = "bmm") =>
      matmulRuns(a, b, outDtype) ? bmm(q, a, b, name) : viaCpu(q, "bmm", name, [a, b, outDtype, name]),
    copy: (a, dtype, preserveLayout = false) =>
      copyRuns(a.dtype, dtype) && a.ndim <= MAX_DIMS
        ? elementwise(
            q,
            IDENTITY,
            [a],
            preserveLayout && isNonOverlappingAndDense(a)
              ? newLike(q, a.shape, dtype, [a])
              : gpuArray(q, a.shape, dtype),
          )
        : viaCpu(q, "copy", "copy", [a, dtype, preserveLayout]),
    copyInto: (dst, src) => {
      broadcastAll("copy_", [dst, src]);
      if (copyRuns(src.dtype, dst.dtype) && dst.ndim <= MAX_DIMS) copyElements(q, src, dst);
      else viaCpu(q, "copyInto", "copy_", [dst, src]);
    },
    fill: (dst, value, op) => {
      const v = castChecked(op, dst.dtype, value);
      const filler = StridedArray.fromFlat(
        dst.dtype === "float32" ? new Float32Array([v]) : new Int32Array([v]),
        [],
      );
      if (dst.dtype !== "bool" && dst.ndim <= MAX_DIMS) elementwise(q, IDENTITY, [filler], dst);
      else viaCpu(q, "fill", op, [dst, value, op]);
    },
    gather: (a, dim, index) =>
      indexingRuns(a, index)
        ? gather(q, checks, a, dim, index)
        : viaCpu(q, "gather", "gather", [a, dim, index]),
    im2col: (x, g) =>
      windowRuns(x) && x.ndim === 4 ? im2col(q, x, g) : viaCpu(q, "im2col", "im2col", [x, g]),
    col2im: (cols, g, dtype = cols.dtype) =>
      windowRuns(cols, dtype) && cols.ndim === 2
        ? col2im(q, cols, g)
        : viaCpu(q, "col2im", "col2im", [cols, g, dtype]),
    maxPool2d: (x, g) => (poolRuns(x) ? maxPool2d(q, x, g) : viaCpu(q, "maxPool2d", "maxPool2d", [x, g])),
    avgPool2d: (x, g, countIncludePad) =>
      poolRuns(x)
        ? avgPool2d(q, x, g, countIncludePad)
        : viaCpu(q, "avgPool2d", "avgPool2d", [x, g, countIncludePad]),
    scatter: (a, dim, index, src, add = false) => {
      const source = indexingRuns(a, index) ? scatterSource(a, src, add) : null;
      return source
        ? scatter(q, checks, a, dim, index, source, add)
        : viaCpu(q, "scatter", add ? "scatterAdd" : "scatter", [a, dim, index, src, add]);
    },
    indexSelect: (a, dim, index) =>
      indexingRuns(a, index)
        ? indexSelect(q, checks, a, dim, index)
        : viaCpu(q, "indexSelect", "indexSelect", [a, dim, index]),
    maskedSelect: (a) => {
      throw new TorchletError(
        `maskedSelect: the size of its result depends on the values, which webgpu gives asynchronously; use (await t.cpuAsync()).maskedSelect(...) (shape ${fmtShape(a.shape)})`,
      );
    },
    advancedIndex: (a, _dims, _indices, op) => {
      throw new TorchletError(
        `${op}: advanced indexing of a webgpu tensor is not supported; index (await t.cpuAsync()) (shape ${fmtShape(a.shape)})`,
      );
    },
    upload: (a, op) => uploaded(q, a, op),
    download: async (a) => {
      checks.flush();
      const dense = a.isContiguous() && a.offset === 0 ? a : self.copy(a, a.dtype);
      const bytes = await q.read(storageOf(dense), dense.numel * 4);
      return fromGpuBytes(bytes, a.dtype, a.shape);
    },
    release: (a) => q.pool.reclaim(storageOf(a)),
  };
  const self: DeviceBackend = { ...gpu, ...withCpuFallback(q, gpu) };
  return self;
}

import { type DeviceBackend, ELEMENTWISE, toWgsl } from "@torchlet/ops";
import {
  fmtShape,
  isNonOverlappingAndDense,
  StridedArray,
  shapesEqual,
  TorchletError,
} from "@torchlet/storage";
import { castChecked } from "@torchlet/storage/internal";
import { gpuArray, storageOf } from "./arrays.js";
import { fromGpuBytes, toGpuValues } from "./element-types.js";
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
import { viaCpu } from "./fallback.js";
import { bmm, matmulRuns, mm } from "./matmul.js";
import type { Queue } from "./queue.js";
import { reduce, reduceRuns } from "./reduce.js";

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

/**
 * The WebGPU backend: WGSL kernels where they exist (elementwise ops generated from the op records,
 * where, relu's backward, sum and mean, the tiled matmul, copies and fills), every other kernel of the
 * seam through the CPU (fallback.ts), announced once per op.
 */
export function webgpuBackend(q: Queue): DeviceBackend {
  const scalar = (value: number) => StridedArray.fromFlat(new Float32Array([value]), []);
  const self: DeviceBackend = {
    name: "webgpu",
    device: "webgpu",
    unary: (op, a, outDtype = a.dtype) =>
      elementwiseRuns(outDtype, [a], a.shape)
        ? elementwiseNew(q, op, BODIES[op], [a], outDtype)
        : viaCpu(q, "unary", op, [op, a, outDtype]),
    binary: (op, a, b, outDtype, name = op) => {
      const shape = broadcastAll(name, [a, b]);
      return elementwiseRuns(outDtype, [a, b], shape)
        ? elementwiseNew(q, name, BODIES[op], [a, b], outDtype)
        : viaCpu(q, "binary", op, [op, a, b, outDtype, name]);
    },
    where: (cond, x, y, outDtype) => {
      const shape = broadcastAll("where", [x, y, cond]);
      return elementwiseRuns(outDtype, [x, y, cond], shape)
        ? elementwiseNew(q, "where", WHERE, [x, y, cond], outDtype, [cond, x, y])
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
        ? reduce(q, op as "sum" | "mean", a, dims, keepdim)
        : viaCpu(q, "reduce", op, [op, a, dims, keepdim, outDtype]),
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
      else viaCpu(q, "copyInto", "copy_", [dst, src], 0);
    },
    fill: (dst, value, op) => {
      const v = castChecked(op, dst.dtype, value);
      const filler = StridedArray.fromFlat(
        dst.dtype === "float32" ? new Float32Array([v]) : new Int32Array([v]),
        [],
      );
      if (dst.dtype !== "bool" && dst.ndim <= MAX_DIMS) elementwise(q, IDENTITY, [filler], dst);
      else viaCpu(q, "fill", op, [dst, value, op], 0);
    },
    argReduce: (...args) => viaCpu(q, "argReduce", args[0], args),
    alongDim: (...args) => viaCpu(q, "alongDim", args[0], args),
    reduceDims: (...args) => viaCpu(q, "reduceDims", args[0], args),
    extremumDim: (...args) => viaCpu(q, "extremumDim", args[0], args),
    gather: (...args) => viaCpu(q, "gather", "gather", args),
    softmaxBackward: (...args) => viaCpu(q, "softmaxBackward", args[0], args),
    im2col: (...args) => viaCpu(q, "im2col", "im2col", args),
    col2im: (...args) => viaCpu(q, "col2im", "col2im", args),
    maxPool2d: (...args) => viaCpu(q, "maxPool2d", "maxPool2d", args),
    avgPool2d: (...args) => viaCpu(q, "avgPool2d", "avgPool2d", args),
    scatter: (...args) => viaCpu(q, "scatter", "scatter", args),
    indexSelect: (...args) => viaCpu(q, "indexSelect", "indexSelect", args),
    maskedScatter: (...args) => viaCpu(q, "maskedScatter", "maskedScatter", args),
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
    upload: (a, op) => {
      const values = toGpuValues(op, a);
      const out = gpuArray(q, a.shape, a.dtype);
      q.upload(values, storageOf(out));
      return out;
    },
    download: async (a) => {
      const dense = a.isContiguous() && a.offset === 0 ? a : self.copy(a, a.dtype);
      const bytes = await q.read(storageOf(dense), dense.numel * 4);
      return fromGpuBytes(bytes, a.dtype, a.shape);
    },
  };
  return self;
}

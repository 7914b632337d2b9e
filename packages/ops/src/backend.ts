import { advancedIndex } from "./advanced-index.js";
import { alongDim } from "./along-dim.js";
import { argReduce } from "./arg-reduce.js";
import { binary, unary, where } from "./elementwise.js";
import { fastBinary, fastReduce, fastThresholdBackward, fastUnary, fastWhere } from "./elementwise-wasm.js";
import { gather, indexSelect, maskedScatter, maskedSelect, scatter } from "./indexing.js";
import { bmm, mm } from "./matmul.js";
import { bmm as fastBmm, mm as fastMm } from "./matmul-wasm.js";
import { avgPool2d, maxPool2d } from "./pool.js";
import { reduce } from "./reduce.js";
import { extremumDim, reduceDims } from "./reduce-dims.js";
import { thresholdBackward } from "./threshold-backward.js";
import { col2im, im2col } from "./window.js";

/**
 * The seam between the math and where it runs. Autograd calls kernels only through `backend()`, so a
 * faster implementation (Wasm SIMD, worker threads) plugs in with `setBackend` and the plain-TS
 * reference stays the fallback and the yardstick its tests compare against.
 *
 * @example
 * const counted: Backend = { ...referenceBackend, name: "counted" };
 * const previous = setBackend(counted);
 * backend().name; // "counted"
 * setBackend(previous);
 */
export interface Backend {
  /** A name for messages and benchmarks, e.g. `"reference"`. */
  readonly name: string;
  /** Elementwise function of one array (`neg`, `exp`, `relu`, ...). */
  unary: typeof unary;
  /** Elementwise function of two arrays, broadcast together (`add`, `mul`, `eq`, ...). */
  binary: typeof binary;
  /** Sum, mean, max or min over some dims. */
  reduce: typeof reduce;
  /** The int64 index of the largest or smallest element, along a dim or overall. */
  argReduce: typeof argReduce;
  /** Product of two matrices. */
  mm: typeof mm;
  /** Batched product of two stacks of matrices. */
  bmm: typeof bmm;
  /** Elementwise choice between two arrays by a condition. */
  where: typeof where;
  /** relu's backward: the gradient where the input is above a threshold, else 0. */
  thresholdBackward: typeof thresholdBackward;
  /** softmax, logSoftmax or cumsum of every line along a dim. */
  alongDim: typeof alongDim;
  /** amax, amin, prod, logsumexp, var, norm, all or any over some dims. */
  reduceDims: typeof reduceDims;
  /** max or min along a dim, with the index of each. */
  extremumDim: typeof extremumDim;
  /** Elements at the positions an index tensor holds along a dim. */
  gather: typeof gather;
  /** A copy with elements written (or added) at the positions an index tensor holds along a dim. */
  scatter: typeof scatter;
  /** The slices along a dim at the positions a 1-D index tensor holds. */
  indexSelect: typeof indexSelect;
  /** The elements where a bool mask is true, as a 1-D array. */
  maskedSelect: typeof maskedSelect;
  /** A copy whose masked positions take a source's elements in order. */
  maskedScatter: typeof maskedScatter;
  /** PyTorch's advanced indexing: integer index arrays along some dims, broadcast together. */
  advancedIndex: typeof advancedIndex;
  /** A convolution's input unfolded into `[channels * kh * kw, batch * oh * ow]` columns. */
  im2col: typeof im2col;
  /** im2col's adjoint: columns added back into `[batch, channels, height, width]`. */
  col2im: typeof col2im;
  /** The maximum of every 2-D window and its position in its plane. */
  maxPool2d: typeof maxPool2d;
  /** The average of every 2-D window. */
  avgPool2d: typeof avgPool2d;
}

/**
 * The plain-TypeScript kernels: the default backend, and the yardstick faster ones are tested against.
 *
 * @example
 * const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * referenceBackend.mm(a, a, "float32").toNested(); // [[7, 10], [15, 22]]
 * referenceBackend.unary("neg", a).toNested(); // [[-1, -2], [-3, -4]]
 */
export const referenceBackend: Backend = {
  name: "reference",
  unary,
  binary,
  reduce,
  argReduce,
  mm,
  bmm,
  where,
  thresholdBackward,
  alongDim,
  reduceDims,
  extremumDim,
  gather,
  scatter,
  indexSelect,
  maskedSelect,
  maskedScatter,
  advancedIndex,
  im2col,
  col2im,
  maxPool2d,
  avgPool2d,
};

/**
 * The default: the reference kernels except for float32/float64 matmul, which runs on generated Wasm
 * SIMD kernels (and worker threads when large, in Node), and the streaming float32 ops of large
 * contiguous arrays (add, sub, mul, div, relu and its backward, comparisons with a scalar, where with a
 * scalar, whole-array and column sums and means; see elementwise-wasm.ts),
 * falling back to the reference kernels for other dtypes, small or strided arrays, or where
 * WebAssembly SIMD is unavailable.
 *
 * @example
 * fastBackend.name; // "fast"
 * const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * fastBackend.mm(a, a, "float32").toNested(); // [[7, 10], [15, 22]]
 */
export const fastBackend: Backend = {
  ...referenceBackend,
  name: "fast",
  mm: fastMm,
  bmm: fastBmm,
  binary: fastBinary,
  unary: fastUnary,
  reduce: fastReduce,
  where: fastWhere,
  thresholdBackward: fastThresholdBackward,
};

let current: Backend = fastBackend;

/**
 * The backend every kernel call goes through.
 *
 * @example
 * backend().name; // "fast"
 */
export function backend(): Backend {
  return current;
}

/**
 * Installs `next` (pass `referenceBackend` to go back); returns the previous one.
 *
 * @example
 * const previous = setBackend({ ...referenceBackend, name: "mine" });
 * backend().name; // "mine"
 * setBackend(previous);
 */
export function setBackend(next: Backend): Backend {
  const previous = current;
  current = next;
  return previous;
}

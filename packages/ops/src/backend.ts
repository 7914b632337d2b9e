import {
  copyInto,
  copyPreservingLayout,
  type Device,
  type DType,
  fmtShape,
  type StridedArray,
  TorchletError,
} from "@torchlet/storage";
import { castChecked } from "@torchlet/storage/internal";
import { advancedIndex } from "./advanced-index.js";
import { alongDim } from "./along-dim.js";
import { argReduce } from "./arg-reduce.js";
import { binary, unary, where } from "./elementwise.js";
import { fastBinary, fastReduce, fastThresholdBackward, fastUnary, fastWhere } from "./elementwise-wasm.js";
import { gather, indexSelect, maskedScatter, maskedSelect, scatter } from "./indexing.js";
import {
  fastAlongDim,
  fastArgReduce,
  fastGather,
  fastIndexSelect,
  fastReduceDims,
  fastScatter,
  fastSoftmaxBackward,
} from "./last-dim.js";
import { bmm, mm } from "./matmul.js";
import { bmm as fastBmm, mm as fastMm } from "./matmul-wasm.js";
import { avgPool2d, maxPool2d } from "./pool.js";
import { reduce } from "./reduce.js";
import { extremumDim, reduceDims } from "./reduce-dims.js";
import { softmaxBackward } from "./softmax-backward.js";
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
  /** softmax's or logSoftmax's gradient from the upstream gradient and the forward result, in one pass. */
  softmaxBackward: typeof softmaxBackward;
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
  /** A copy with storage of its own in `dtype`: contiguous, or in the source's dim order when `preserveLayout`. */
  copy: (a: StridedArray, dtype: DType, preserveLayout?: boolean) => StridedArray;
  /** Writes `src` (broadcast to `dst`'s shape, cast to its dtype) into `dst`'s elements. */
  copyInto: (dst: StridedArray, src: StridedArray) => void;
  /** Sets every element of `dst` to `value` (cast to its dtype; `op` names the caller in errors). */
  fill: (dst: StridedArray, value: number, op: string) => void;
}

/**
 * The backend of a device other than the CPU: the kernels of `Backend` over its arrays, plus the two
 * transfers. Uploading is synchronous (the CPU has the values); reading back is not (a GPU answers
 * when its queue reaches the copy), hence the asynchronous readers of tensors.
 *
 * @example
 * const device: DeviceBackend["device"] = "webgpu"; // what @torchlet/webgpu registers
 */
export interface DeviceBackend extends Backend {
  readonly device: Exclude<Device, "cpu">;
  /** A copy of a CPU array on the device (a TorchletError for dtypes the device cannot hold). */
  upload(a: StridedArray, op: string): StridedArray;
  /** A contiguous CPU copy of a device array, once the device has computed it. */
  download(a: StridedArray): Promise<StridedArray>;
  /**
   * Takes back the memory of an array that nothing can reach any more (the backward engine's consumed
   * gradients), for reuse now rather than when the garbage collector gets to it. The caller vouches
   * that no tensor, view or later command uses it; commands already issued that read it stay correct.
   */
  release?(a: StridedArray): void;
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
  softmaxBackward,
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
  copy: (a, dtype, preserveLayout = false) =>
    preserveLayout ? copyPreservingLayout(a, dtype) : a.copy(dtype),
  copyInto,
  fill: (dst, value, op) => {
    const v = castChecked(op, dst.dtype, value);
    if (dst.isContiguous()) dst.data.fill(v, dst.offset, dst.offset + dst.numel);
    else {
      const data = dst.data;
      dst.forEachIndex((p) => {
        data[p] = v;
      });
    }
  },
};

/**
 * The default: the reference kernels except for float32/float64 matmul, which runs on generated Wasm
 * SIMD kernels (and worker threads when large, in Node), and the streaming float32 ops of large
 * contiguous arrays (add, sub, mul, div, relu and its backward, comparisons with a scalar, where with a
 * scalar, whole-array and column sums and means; see elementwise-wasm.ts), and the row loops of
 * softmax, logSoftmax and their backward, logsumexp, argmax/argmin, gather and scatterAdd over the
 * last dim of contiguous floats and indexSelect of contiguous blocks (last-dim.ts),
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
  alongDim: fastAlongDim,
  softmaxBackward: fastSoftmaxBackward,
  reduceDims: fastReduceDims,
  argReduce: fastArgReduce,
  gather: fastGather,
  scatter: fastScatter,
  indexSelect: fastIndexSelect,
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

const devices = new Map<Device, DeviceBackend>();

/**
 * Makes `next` the backend of arrays on its device (what `torch.webgpu.init()` does); returns the
 * previous one, or null.
 *
 * @example
 * const previous = registerDevice(null); // unregisters webgpu, returning its backend (null if none)
 * if (previous) registerDevice(previous);
 */
export function registerDevice(
  next: DeviceBackend | null,
  device: Exclude<Device, "cpu"> = "webgpu",
): DeviceBackend | null {
  const previous = devices.get(device) ?? null;
  if (next) devices.set(device, next);
  else devices.delete(device);
  return previous;
}

/**
 * The registered backend of `device`, or a TorchletError naming `op` when the device has not been
 * initialised.
 *
 * @example
 * deviceBackend("to", "webgpu"); // throws TorchletError until torch.webgpu.init() has answered true
 */
export function deviceBackend(op: string, device: Exclude<Device, "cpu">): DeviceBackend {
  const found = devices.get(device);
  if (!found) {
    throw new TorchletError(
      `${op}: no ${device} device is initialised; await torch.${device}.init() first (it returns false where none exists)`,
    );
  }
  return found;
}

/**
 * The backend of the device the operands are on: the CPU backend (`backend()`) or a registered device's.
 * As in PyTorch, a 0-d CPU array (a wrapped number) goes with operands on any device; any other mix of
 * devices is a TorchletError naming `op` and the operands.
 *
 * @example
 * const a = StridedArray.fromFlat(new Float32Array([1, 2]), [2]);
 * backendFor("add", a, a) === backend(); // true
 */
export function backendFor(op: string, ...arrays: readonly StridedArray[]): Backend {
  let on: StridedArray | null = null;
  for (const a of arrays) {
    if (a.deviceStorage === null) continue;
    if (on !== null && on.device !== a.device) throw mixedDevices(op, on, a);
    on = a;
  }
  if (on === null) return current;
  for (const a of arrays) if (a.deviceStorage === null && a.ndim > 0) throw mixedDevices(op, on, a);
  return deviceBackend(op, on.device as Exclude<Device, "cpu">);
}

function mixedDevices(op: string, a: StridedArray, b: StridedArray): TorchletError {
  return new TorchletError(
    `${op}: expected all tensors on the same device, got ${a.dtype} ${fmtShape(a.shape)} on ${a.device} and ${b.dtype} ${fmtShape(b.shape)} on ${b.device}; move one with .to("${a.device}")${b.device === "cpu" ? "" : " or await .cpuAsync()"}`,
  );
}

/**
 * `a` on `device`: itself when already there, an upload from the CPU, and an error for a device's array
 * wanted on the CPU synchronously (`await t.cpuAsync()` reads it back).
 *
 * @example
 * const a = StridedArray.fromFlat(new Float32Array([1, 2]), [2]);
 * transfer("to", a, "cpu") === a; // true
 */
export function transfer(op: string, a: StridedArray, device: Device): StridedArray {
  if (a.device === device) return a;
  if (device === "cpu") {
    throw new TorchletError(
      `${op}: copying a ${a.device} tensor to the CPU waits for the device; use await t.cpuAsync() (or await t.data())`,
    );
  }
  return deviceBackend(op, device).upload(a, op);
}

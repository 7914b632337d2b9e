import { backendFor } from "@torchlet/ops";
import {
  type DType,
  fmtShape,
  isFloating,
  type StridedArray,
  shapesEqual,
  TorchletError,
  typeName,
} from "@torchlet/storage";
import { isGradEnabled } from "../grad-mode.js";
import type { Tensor } from "../tensor.js";

/**
 * PyTorch's `out=` keyword: the tensor the result is written into, which the op returns. Its version
 * counter goes up, so a backward that saved it before the write fails as after any in-place change.
 *
 * @example
 * const a = torch.randn(1000);
 * const out = torch.zeros(1000);
 * for (let step = 0; step < 10; step++) a.add(1, { out }); // one buffer, no new memory per step
 * torch.add(a, a, { out }) === out; // true
 */
export interface OutOptions {
  /**
   * Where the result goes: of the result's shape (an empty tensor is resized to it) and of a dtype
   * the result can be cast to. Not allowed while recording gradients (PyTorch's rule).
   */
  out?: Tensor;
}

/** How strictly an op matches `out`'s dtype to its result's. */
export type OutDType =
  /** Any dtype the result can be cast to (elementwise ops, as PyTorch's TensorIterator). */
  | "castable"
  /** The result's dtype exactly (the ops of one operand that keep its dtype: neg, abs, floor, ...). */
  | "same"
  /** The result's dtype exactly (amax, amin: "Expected the dtype for input and out to match"). */
  | "input"
  /** The result's dtype exactly (matrix products: "Expected out tensor to have dtype float"). */
  | "product"
  /** Any dtype: the input is converted to out's dtype first (sum, prod: PyTorch's `dtype=out.dtype`). */
  | "converted";

/** What `writeOut` needs to know about one call. */
export interface OutCall {
  /** The op's public name, for error messages. */
  readonly op: string;
  /** The tensor operands, checked for gradients and, when `overlap`, for memory shared with `out`. */
  readonly inputs: readonly Tensor[];
  /** The result's shape and dtype, known before computing it. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly match: OutDType;
  /**
   * Whether an input that shares memory with `out` in another layout is an error (elementwise ops:
   * PyTorch's partial-overlap check); reductions and products compute into fresh memory first, so
   * for them, as in PyTorch, it is not.
   */
  readonly overlap: boolean;
}

/**
 * Validates `out` for `call`, then computes the result with `compute` and writes it into `out`;
 * returns `out`. `compute` receives out's storage when the kernel can write into it directly (same
 * dtype and shape, contiguous), else undefined, and returns where it wrote (copied in when not out's
 * storage). Every check runs before anything is written, so an error leaves `out` as it was.
 */
export function writeOut(
  call: OutCall,
  out: Tensor,
  compute: (into: StridedArray | undefined) => StridedArray,
): Tensor {
  checkOut(call, out);
  const resize = !shapesEqual(out.shape, call.shape);
  const target = out._array;
  const direct = !resize && out.dtype === call.dtype && target.isContiguous();
  const result = compute(direct ? target : undefined);
  const kernels = backendFor(call.op, target, result);
  if (resize) out._array = kernels.copy(result, out.dtype);
  else if (result !== target) kernels.copyInto(target, result);
  out._version.value++;
  return out;
}

/** Every error of `out=`, PyTorch's messages with the shapes and dtypes involved. */
function checkOut(call: OutCall, out: Tensor): void {
  const { op, inputs, shape, dtype } = call;
  if (isGradEnabled() && (out.requiresGrad || inputs.some((t) => t.requiresGrad))) {
    throw new TorchletError(
      `${op}: functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad; wrap the call in torch.noGrad or drop out`,
    );
  }
  if (call.match === "castable" && !canCast(dtype, out.dtype)) {
    throw new TorchletError(
      `${op}: result type ${scalarName(dtype)} can't be cast to the desired output type ${scalarName(out.dtype)}`,
    );
  }
  if (call.match === "same" && out.dtype !== dtype) {
    throw new TorchletError(
      `${op}: found dtype ${scalarName(out.dtype)} but expected ${scalarName(dtype)} (out of shape ${fmtShape(out.shape)})`,
    );
  }
  if (call.match === "input" && out.dtype !== dtype) {
    throw new TorchletError(
      `${op}: expected the dtype for input and out to match, but got ${scalarName(dtype)} for input's dtype and ${scalarName(out.dtype)} for out's dtype`,
    );
  }
  if (call.match === "product" && out.dtype !== dtype) {
    throw new TorchletError(
      `${op}: expected out tensor to have dtype ${scalarName(dtype).toLowerCase()}, but got ${scalarName(out.dtype).toLowerCase()} instead (${dtype} and ${out.dtype})`,
    );
  }
  if (!shapesEqual(out.shape, shape) && out.numel() !== 0) {
    throw new TorchletError(
      `${op}: out has shape ${fmtShape(out.shape)}, but the result has shape ${fmtShape(shape)}; pass an out of that shape, or an empty one (numel 0) to be resized`,
    );
  }
  const a = out._array;
  if (a.strides.some((stride, d) => stride === 0 && (a.shape[d] as number) > 1)) {
    throw new TorchletError(
      `${op}: unsupported operation: more than one element of the written-to tensor (shape ${fmtShape(a.shape)}, strides ${fmtShape(a.strides)}) refers to a single memory location; clone() it first`,
    );
  }
  if (!call.overlap) return;
  for (const input of inputs) {
    if (overlapsPartially(a, input._array)) {
      throw new TorchletError(
        `${op}: unsupported operation: some elements of the input tensor (shape ${fmtShape(input.shape)}) and the written-to tensor (shape ${fmtShape(out.shape)}) refer to a single memory location; clone() the input first`,
      );
    }
  }
}

/** PyTorch's can_cast: no floating value into an integer type, nothing but bool into bool. */
function canCast(from: DType, to: DType): boolean {
  if (isFloating(from) && !isFloating(to)) return false;
  return from === "bool" || to !== "bool";
}

/** PyTorch's scalar type name (`Float`, `Long`, ...), as its out= messages print it. */
function scalarName(dtype: DType): string {
  return typeName(dtype).slice("CPU".length, -"Type".length);
}

/**
 * Whether two arrays share memory without being the same view (same storage, offset, shape and
 * strides: PyTorch's full overlap, which an elementwise kernel handles, since each element is read
 * before it is written). Judged by the byte ranges the views span, so disjoint slices of one storage
 * do not overlap, while a strided view interleaved with another counts as overlapping.
 */
function overlapsPartially(out: StridedArray, input: StridedArray): boolean {
  if (out.numel === 0 || input.numel === 0) return false;
  if (memoryOf(out) !== memoryOf(input)) return false;
  const same =
    out.source === input.source &&
    out.offset === input.offset &&
    shapesEqual(out.shape, input.shape) &&
    shapesEqual(out.strides, input.strides);
  if (same) return false;
  const [outStart, outEnd] = byteSpan(out);
  const [inStart, inEnd] = byteSpan(input);
  return outStart < inEnd && inStart < outEnd;
}

/** The bytes a view's elements span in its buffer: [first byte, one past the last). */
function byteSpan(a: StridedArray): [number, number] {
  let low = a.offset;
  let high = a.offset;
  for (let d = 0; d < a.ndim; d++) {
    const reach = ((a.shape[d] as number) - 1) * (a.strides[d] as number);
    if (reach < 0) low += reach;
    else high += reach;
  }
  // A device's storage is a buffer of its own, of 4-byte elements.
  const size = a.deviceStorage ? 4 : a.data.BYTES_PER_ELEMENT;
  const start = a.deviceStorage ? 0 : a.data.byteOffset;
  return [start + low * size, start + (high + 1) * size];
}

/** The memory a view's elements live in: a CPU array's ArrayBuffer, a device array's storage. */
function memoryOf(a: StridedArray): unknown {
  return a.deviceStorage ?? a.data.buffer;
}

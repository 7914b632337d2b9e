import { fmtShape, StridedArray, shapesEqual, TorchletError } from "@torchlet/storage";
import { binary, where } from "./elementwise.js";

/**
 * relu's backward in one kernel (PyTorch's `threshold_backward`): `grad` where `input > threshold`,
 * else 0, so a NaN input passes its gradient through. The reference composes it from the compare and
 * `where` kernels (a bool mask in between); the fast backend fuses it (elementwise-wasm.ts) and may
 * write the result into `into`, the grad's own array, when its caller owns that (the reference always
 * allocates).
 *
 * @example
 * const grad = StridedArray.fromFlat(new Float32Array([1, 2, 3]), [3]);
 * const input = StridedArray.fromFlat(new Float32Array([-1, 0, 5]), [3]);
 * referenceBackend.thresholdBackward(grad, input, 0).toNested(); // [0, 0, 3]
 */
export function thresholdBackward(
  grad: StridedArray,
  input: StridedArray,
  threshold: number,
  _into?: StridedArray,
): StridedArray {
  if (!shapesEqual(grad.shape, input.shape) || grad.dtype !== input.dtype) {
    throw new TorchletError(
      `threshold_backward: grad ${grad.dtype} ${fmtShape(grad.shape)} and input ${input.dtype} ${fmtShape(input.shape)} must have one shape and dtype`,
    );
  }
  const dtype = grad.dtype;
  const scalar = (v: number) => {
    const s = StridedArray.zeros([], dtype);
    s.data[0] = v;
    return s;
  };
  return where(binary("le", input, scalar(threshold), "bool"), scalar(0), grad, dtype);
}

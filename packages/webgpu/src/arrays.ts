import { contiguousStrides, type DType, numel, StridedArray } from "@torchlet/storage";
import type { GpuStorage } from "./buffers.js";
import { toGpuValues } from "./element-types.js";
import type { Queue } from "./queue.js";

/** A new contiguous array of `shape` on the GPU (its values unset: every kernel writes all of them). */
export function gpuArray(q: Queue, shape: readonly number[], dtype: DType): StridedArray {
  return new StridedArray(q.pool.storage(numel(shape)), dtype, [...shape], contiguousStrides(shape));
}

/** The GPU storage of an array on the GPU. */
export function storageOf(a: StridedArray): GpuStorage {
  return a.deviceStorage as GpuStorage;
}

/** True for an array on the GPU. */
export function onGpu(a: StridedArray): boolean {
  return a.deviceStorage !== null;
}

/** A copy of a CPU array on the GPU (a TorchletError naming `op` for values the GPU cannot hold). */
export function uploaded(q: Queue, a: StridedArray, op: string): StridedArray {
  const values = toGpuValues(op, a);
  const out = gpuArray(q, a.shape, a.dtype);
  q.upload(values, storageOf(out));
  return out;
}

import { type DType, fmtShape, StridedArray, TorchletError } from "@torchlet/storage";

/**
 * How each dtype is held on the GPU: 4-byte elements, since WGSL has no 64-bit or 1-byte types.
 * float32 as f32, int32 as i32, int64 as i32 (values within ±(2^31 - 1), checked on the way in; indices
 * fit), bool as u32 0/1. float64 has no WGSL type, so it stays on the CPU (as on PyTorch's MPS).
 */
export type GpuType = "f32" | "i32" | "u32";

const GPU_TYPE: Partial<Record<DType, GpuType>> = { float32: "f32", int32: "i32", int64: "i32", bool: "u32" };

/** The WGSL element type of `dtype`, or null where the GPU cannot hold it. */
export function gpuType(dtype: DType): GpuType | null {
  return GPU_TYPE[dtype] ?? null;
}

const INT32_MAX = 2 ** 31 - 1;

/** A CPU array's values as the 4-byte elements the GPU holds (row-major), or a TorchletError naming `op`. */
export function toGpuValues(op: string, a: StridedArray): Float32Array | Int32Array | Uint32Array {
  const flat = a.flat();
  switch (a.dtype) {
    case "float32":
      return Float32Array.from(flat as Float32Array);
    case "int32":
      return Int32Array.from(flat as Int32Array);
    case "bool":
      return Uint32Array.from(flat as Uint8Array);
    case "int64": {
      for (const v of flat as Float64Array) {
        if (Math.abs(v) > INT32_MAX) {
          throw new TorchletError(
            `${op}: webgpu holds int64 values within ±${INT32_MAX} (as 32-bit integers), got ${v} in int64 ${fmtShape(a.shape)}`,
          );
        }
      }
      return Int32Array.from(flat as Float64Array);
    }
    default:
      throw new TorchletError(
        `${op}: webgpu holds float32, int32, int64 and bool tensors (WGSL has no 64-bit floats), got ${a.dtype} ${fmtShape(a.shape)}; convert with .to("float32") first`,
      );
  }
}

/** A contiguous CPU array of `dtype` from the GPU's bytes. */
export function fromGpuBytes(bytes: ArrayBuffer, dtype: DType, shape: readonly number[]): StridedArray {
  const out = StridedArray.zeros(shape, dtype);
  const n = out.numel;
  if (n === 0) return out;
  const source =
    dtype === "float32"
      ? new Float32Array(bytes, 0, n)
      : dtype === "bool"
        ? new Uint32Array(bytes, 0, n)
        : new Int32Array(bytes, 0, n);
  (out.data as { set(values: ArrayLike<number>): void }).set(source);
  return out;
}

import type { DeviceStorage } from "@torchlet/storage";
import { noteDeviceAllocation } from "@torchlet/storage/internal";
import { TENSOR_USAGE } from "./gpu-flags.js";

/** The elements of a tensor on the GPU: a buffer of 4-byte elements, shared by every view. */
export class GpuStorage implements DeviceStorage {
  readonly device = "webgpu" as const;
  constructor(
    readonly buffer: GPUBuffer,
    /** The bytes the tensor uses (the buffer may be larger: pooled buffers come in size buckets). */
    readonly bytes: number,
  ) {}
}

/**
 * Bytes in use by tensors and held for reuse, and how many buffers each.
 *
 * @example
 * const idle: MemoryInfo = { liveBytes: 0, pooledBytes: 0, liveBuffers: 0, pooledBuffers: 0 };
 */
export interface MemoryInfo {
  liveBytes: number;
  pooledBytes: number;
  liveBuffers: number;
  pooledBuffers: number;
}

/** The largest pool kept for reuse; buffers returned beyond it are destroyed. */
const POOL_LIMIT_BYTES = 256 * 1024 * 1024;
const MIN_BUCKET_BYTES = 256;

/**
 * GPU buffers without `dispose`: a tensor's buffer comes from a size-bucketed pool (powers of two) and
 * goes back to it when the garbage collector takes the tensor's storage (a FinalizationRegistry), so a
 * training loop reuses the same few buffers. Commands already encoded that read a returned buffer stay
 * correct: every later use of it is encoded (or queued) after them.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly collected = new FinalizationRegistry<GPUBuffer>((buffer) => this.release(buffer));
  private live = { bytes: 0, buffers: 0 };
  private pooled = { bytes: 0, buffers: 0 };

  constructor(private readonly device: GPUDevice) {}

  /** Storage for `elements` 4-byte elements, returned to the pool when collected. */
  storage(elements: number): GpuStorage {
    const bytes = Math.max(4, elements * 4);
    const storage = new GpuStorage(this.take(bytes), bytes);
    this.collected.register(storage, storage.buffer, storage);
    noteDeviceAllocation(storage);
    return storage;
  }

  /**
   * Returns a storage's buffer to the pool now (the backward engine's consumed gradients), instead of
   * when the collector takes the storage; a second call for the same storage does nothing.
   */
  reclaim(storage: GpuStorage): void {
    if (this.collected.unregister(storage)) this.release(storage.buffer);
  }

  private take(bytes: number): GPUBuffer {
    const size = bucket(bytes);
    const reused = this.free.get(size)?.pop();
    this.live.bytes += size;
    this.live.buffers++;
    if (reused) {
      this.pooled.bytes -= size;
      this.pooled.buffers--;
      return reused;
    }
    return this.device.createBuffer({ size, usage: TENSOR_USAGE });
  }

  private release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.live.bytes -= size;
    this.live.buffers--;
    if (this.pooled.bytes + size > POOL_LIMIT_BYTES) {
      buffer.destroy();
      return;
    }
    const list = this.free.get(size) ?? [];
    list.push(buffer);
    this.free.set(size, list);
    this.pooled.bytes += size;
    this.pooled.buffers++;
  }

  info(): MemoryInfo {
    return {
      liveBytes: this.live.bytes,
      pooledBytes: this.pooled.bytes,
      liveBuffers: this.live.buffers,
      pooledBuffers: this.pooled.buffers,
    };
  }
}

/** The size class of a buffer: the next power of two, at least 256 bytes. */
function bucket(bytes: number): number {
  return Math.max(MIN_BUCKET_BYTES, 2 ** Math.ceil(Math.log2(bytes)));
}

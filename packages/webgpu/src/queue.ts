import { TorchletError } from "@torchlet/storage";
import { BufferPool, type GpuStorage } from "./buffers.js";
import { MAP_READ, USAGE } from "./gpu-flags.js";

/** Each dispatch's parameters (shapes, strides, offsets, scalars): 64 u32 words, 256 bytes. */
export const META_WORDS = 64;
const META_BYTES = META_WORDS * 4;
/** Dispatches per command buffer: a batch is submitted when full, or when something reads. */
const BATCH_DISPATCHES = 128;
const WORKGROUPS_PER_DIM = 65535;

/** Bind groups kept for reuse; past this many the cache starts over. */
const BIND_GROUPS = 4096;

/** A compiled shader: its pipeline, the layout of its bindings, and an id for bind-group keys. */
interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  id: number;
}

/** What the scheduler has done, for tests and benchmarks. */
export interface QueueCounters {
  submits: number;
  dispatches: number;
}

/**
 * One device's command stream. Kernels encode into one command encoder and are submitted in batches,
 * not one submit per op; reading a buffer back submits what is pending. Each dispatch's parameters go
 * into a slot of one arena written just before its batch is submitted, so no dispatch needs a buffer
 * of its own.
 *
 * Work the CPU must do between GPU steps (an op without a GPU kernel) is deferred: `defer` submits what
 * is encoded and chains the task; batches encoded after it wait for it, so every command still runs in
 * program order while the JS code that issues them never blocks.
 */
export class Queue {
  readonly pool: BufferPool;
  readonly counters: QueueCounters = { submits: 0, dispatches: 0 };
  private encoder: GPUCommandEncoder | null = null;
  /**
   * The compute pass the batch's dispatches go into, one after another (WebGPU orders a pass's
   * dispatches, each seeing what the previous ones wrote); a copy ends it.
   */
  private pass: GPUComputePassEncoder | null = null;
  private dispatchesInBatch = 0;
  private readonly arena: GPUBuffer;
  private readonly metaWords = new Uint32Array(BATCH_DISPATCHES * META_WORDS);
  private readonly kernels = new Map<string, Kernel>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 0;
  /** Deferred tasks not yet finished, and the promise every later submit and read chains onto. */
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();
  /** The first failure of a deferred task, reported by the next read. */
  private failure: unknown = null;

  constructor(
    readonly device: GPUDevice,
    /**
     * The GPU object and adapter the device came from, held for as long as the device is used: Dawn
     * tears down its instance when the garbage collector takes them, and a device in use then crashes.
     */
    readonly owners: readonly object[] = [],
  ) {
    this.pool = new BufferPool(device);
    this.arena = device.createBuffer({
      size: BATCH_DISPATCHES * META_BYTES,
      usage: USAGE.STORAGE | USAGE.COPY_DST,
    });
  }

  /**
   * Encodes one compute dispatch of `wgsl` (its entry point `main`; binding 0 is the parameters, then
   * `buffers` in order) over `workgroups` workgroups, split over two dims past WebGPU's per-dim limit.
   */
  dispatch(
    wgsl: string,
    meta: ArrayLike<number>,
    buffers: readonly GPUBuffer[],
    workgroups: number | [number, number, number],
  ): void {
    if (meta.length > META_WORDS)
      throw new Error(`webgpu: ${meta.length} parameter words, at most ${META_WORDS}`);
    const kernel = this.kernel(wgsl);
    const slot = this.dispatchesInBatch;
    this.metaWords.fill(0, slot * META_WORDS, (slot + 1) * META_WORDS);
    this.metaWords.set(meta, slot * META_WORDS);
    const bindGroup = this.bindGroup(kernel, slot, buffers);
    this.pass ??= this.commands().beginComputePass();
    this.pass.setPipeline(kernel.pipeline);
    this.pass.setBindGroup(0, bindGroup);
    if (typeof workgroups === "number") {
      const x = Math.min(workgroups, WORKGROUPS_PER_DIM);
      this.pass.dispatchWorkgroups(x, Math.ceil(workgroups / x));
    } else this.pass.dispatchWorkgroups(...workgroups);
    this.counters.dispatches++;
    if (++this.dispatchesInBatch === BATCH_DISPATCHES) this.submit();
  }

  /** Copies CPU values (4-byte elements) into `storage`, in order with the encoded commands. */
  upload(values: Float32Array | Int32Array | Uint32Array, storage: GpuStorage): void {
    if (values.byteLength === 0) return;
    const staging = this.device.createBuffer({
      size: values.byteLength,
      usage: USAGE.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint32Array(staging.getMappedRange()).set(
      new Uint32Array(values.buffer, values.byteOffset, values.length),
    );
    staging.unmap();
    this.copies().copyBufferToBuffer(staging, 0, storage.buffer, 0, values.byteLength);
  }

  /** Submits the encoded commands now, or after the deferred tasks they depend on. */
  submit(): void {
    const encoder = this.encoder;
    if (!encoder) return;
    this.pass?.end();
    this.pass = null;
    const commands = encoder.finish();
    const meta = this.metaWords.slice(0, this.dispatchesInBatch * META_WORDS);
    this.encoder = null;
    this.dispatchesInBatch = 0;
    const run = () => {
      if (meta.length > 0) this.device.queue.writeBuffer(this.arena, 0, meta);
      this.device.queue.submit([commands]);
      this.counters.submits++;
    };
    if (this.pending === 0) run();
    else this.tail = this.tail.then(run);
  }

  /** Runs `task` once everything encoded so far has been submitted; later batches wait for it. */
  defer(task: () => Promise<void>): void {
    this.submit();
    this.pending++;
    this.tail = this.tail
      .then(task)
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.pending--;
      });
  }

  /** The bytes of `storage` once every command before this call has run. */
  read(storage: GpuStorage, bytes: number): Promise<ArrayBuffer> {
    const staging = this.staging(bytes);
    if (bytes > 0) this.copies().copyBufferToBuffer(storage.buffer, 0, staging, 0, bytes);
    this.submit();
    const done = this.tail.then(() => mapped(staging, bytes));
    this.tail = done.then(
      () => undefined,
      () => undefined,
    );
    return done.then((values) => {
      const failure = this.failure;
      if (failure !== null) {
        this.failure = null;
        throw failure instanceof TorchletError
          ? failure
          : new TorchletError(`webgpu: a kernel computed through the CPU failed: ${String(failure)}`);
      }
      return values;
    });
  }

  /**
   * The bytes of `storage` from inside a deferred task: what was encoded before the task has been
   * submitted, and what was encoded after it waits for the task, so this copy goes straight to the queue.
   */
  async readNow(storage: GpuStorage, bytes: number): Promise<ArrayBuffer> {
    const staging = this.staging(bytes);
    const encoder = this.device.createCommandEncoder();
    if (bytes > 0) encoder.copyBufferToBuffer(storage.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    this.counters.submits++;
    return mapped(staging, bytes);
  }

  private staging(bytes: number): GPUBuffer {
    return this.device.createBuffer({ size: Math.max(4, bytes), usage: USAGE.COPY_DST | USAGE.MAP_READ });
  }

  /** Writes CPU bytes into `storage` from a deferred task (the queue runs it before later batches). */
  write(storage: GpuStorage, values: Float32Array | Int32Array | Uint32Array): void {
    if (values.byteLength > 0)
      this.device.queue.writeBuffer(storage.buffer, 0, values as Float32Array<ArrayBuffer>);
  }

  private commands(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  /** The encoder, outside any compute pass, for a copy. */
  private copies(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    return this.commands();
  }

  private kernel(wgsl: string): Kernel {
    let kernel = this.kernels.get(wgsl);
    if (!kernel) {
      const module = this.device.createShaderModule({ code: wgsl });
      const pipeline = this.device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      kernel = { pipeline, layout: pipeline.getBindGroupLayout(0), id: this.kernels.size };
      this.kernels.set(wgsl, kernel);
    }
    return kernel;
  }

  /**
   * The bind group of a dispatch: its parameters' slot of the arena and its buffers. A training loop
   * binds the same pooled buffers to the same kernels epoch after epoch, so bind groups are kept and
   * reused (up to BIND_GROUPS of them; a buffer's id is never reused, so a destroyed one is never bound).
   */
  private bindGroup(kernel: Kernel, slot: number, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = `${kernel.id} ${slot}`;
    for (const buffer of buffers) key += ` ${this.bufferId(buffer)}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: this.arena, offset: slot * META_BYTES, size: META_BYTES } },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ];
      group = this.device.createBindGroup({ layout: kernel.layout, entries });
      if (this.bindGroups.size >= BIND_GROUPS) this.bindGroups.clear();
      this.bindGroups.set(key, group);
    }
    return group;
  }

  private bufferId(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) {
      id = this.nextBufferId++;
      this.bufferIds.set(buffer, id);
    }
    return id;
  }
}

/** The first `bytes` of a staging buffer once the GPU has filled it; the buffer is destroyed after. */
async function mapped(staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  await staging.mapAsync(MAP_READ);
  const copy = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return copy;
}

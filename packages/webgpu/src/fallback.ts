import { type Backend, backend } from "@torchlet/ops";
import { fmtShape, isNonOverlappingAndDense, StridedArray, TorchletError } from "@torchlet/storage";
import { gpuArray, onGpu, storageOf, uploaded } from "./arrays.js";
import { fromGpuBytes, gpuType, toGpuValues } from "./element-types.js";
import type { Queue } from "./queue.js";

/** The kernels of the seam (every member but the name). */
export type Kernels = Omit<Backend, "name">;
type Kernel = keyof Kernels;

const warned = new Set<string>();

/** The ops that have run through the CPU so far (each warned about once). */
export function fallbacksTaken(): readonly string[] {
  return [...warned];
}

/**
 * Runs a CPU kernel for GPU operands, for ops (or dtypes) without a WGSL kernel. The GPU cannot be read
 * synchronously, so the result is computed later: the kernel first runs on zero-filled stand-ins of
 * the operands, which gives the result's shape and dtype and raises the errors that do not depend on
 * the values; the result's GPU buffer is allocated now, and a deferred task reads the operands back,
 * runs the kernel on their values and uploads the result, before any later command runs. An error that
 * depends on the values (an index out of range) is raised by the next read. The first call per op
 * warns, naming it: falling back is never silent. Operands without elements have no values to wait
 * for: the stand-ins' result is uploaded at once, without a warning (GPU kernels send empty inputs
 * here, so that their results and errors are the CPU kernel's).
 *
 * A kernel that returns nothing (copyInto, fill) writes into its first GPU argument (the seam's
 * convention: the destination comes first), which is read back whole and uploaded again afterwards.
 */
export function viaCpu<K extends Kernel>(
  q: Queue,
  kernel: K,
  op: string,
  args: Parameters<Backend[K]>,
): ReturnType<Backend[K]> {
  const run = (values: readonly unknown[]) => (backend()[kernel] as (...a: unknown[]) => unknown)(...values);
  const gpuArgs = args.map((a) => (a instanceof StridedArray && onGpu(a) ? a : null));
  // Stand-ins keep the operands' layouts, so that the result takes the layout the CPU gives it.
  const standIns = (fill: number) =>
    args.map((a, i) => (gpuArgs[i] ? laidOutAs(a as StridedArray, fill) : a));
  const shaped = shapeOf(
    () => run(standIns(0)),
    () => run(standIns(1)),
  );
  const results = arraysOf(shaped);
  if (gpuArgs.every((a) => a === null || a.numel === 0)) {
    // No values to wait for: the stand-ins' result is the result (a sum over an empty dim is zeros).
    return rebuild(
      shaped,
      results.map((r) => uploaded(q, r, op)),
    ) as ReturnType<Backend[K]>;
  }
  const key = `${op} (${kernel})`;
  if (!warned.has(key)) {
    warned.add(key);
    console.warn(
      `torchlet webgpu: ${key} has no WebGPU kernel for these operands; it runs on the CPU (a read-back and an upload per call)`,
    );
  }
  const written = shaped === undefined ? gpuArgs.findIndex((a) => a !== null) : -1;
  const outs = results.map((r) => {
    if (gpuType(r.dtype) === null) {
      throw new TorchletError(`${op}: its ${r.dtype} ${fmtShape(r.shape)} result cannot be held on webgpu`);
    }
    if (r.isContiguous() || r.offset !== 0 || !isNonOverlappingAndDense(r))
      return gpuArray(q, r.shape, r.dtype);
    return new StridedArray(gpuArray(q, [r.numel], r.dtype).source, r.dtype, r.shape, r.strides);
  });
  q.defer(async () => {
    const values = await Promise.all(args.map((a, i) => (gpuArgs[i] ? readBack(q, a as StridedArray) : a)));
    const computed = arraysOf(run(values));
    computed.forEach((r, i) => {
      const out = outs[i] as StridedArray;
      // A result laid out in another dim order is written as it sits in memory.
      const values = out.isContiguous() ? r : new StridedArray(r.source, r.dtype, [r.numel], [1], r.offset);
      q.write(storageOf(out), toGpuValues(op, values));
    });
    if (written >= 0) {
      const dst = values[written] as StridedArray;
      const whole = new StridedArray(dst.source, dst.dtype, [dst.data.length], [1]);
      q.write(storageOf(args[written] as StridedArray), toGpuValues(op, whole));
    }
  });
  return rebuild(shaped, outs) as ReturnType<Backend[K]>;
}

/** A CPU array of `fill`s with the shape, strides and offset of `a`. */
function laidOutAs(a: StridedArray, fill: number): StridedArray {
  const whole = StridedArray.zeros([storageOf(a).bytes / 4], a.dtype);
  whole.data.fill(fill);
  return new StridedArray(whole.source, a.dtype, a.shape, a.strides, a.offset);
}

/**
 * The result of the kernel on stand-ins: zeros (valid indices), else ones where zeros raise an error
 * that depends on them (an integer division by zero); an error both raise does not depend on the values.
 */
function shapeOf(onZeros: () => unknown, onOnes: () => unknown): unknown {
  try {
    return onZeros();
  } catch (error) {
    if (!(error instanceof TorchletError)) throw error;
    try {
      return onOnes();
    } catch {
      throw error;
    }
  }
}

/** A CPU array with the layout of `a` over a copy of its whole GPU storage. */
async function readBack(q: Queue, a: StridedArray): Promise<StridedArray> {
  const storage = storageOf(a);
  const whole = fromGpuBytes(await q.readNow(storage, storage.bytes), a.dtype, [storage.bytes / 4]);
  return new StridedArray(whole.data, a.dtype, a.shape, a.strides, a.offset);
}

function arraysOf(result: unknown): StridedArray[] {
  if (result instanceof StridedArray) return [result];
  if (result && typeof result === "object")
    return Object.values(result).filter((v) => v instanceof StridedArray);
  return [];
}

function rebuild(shaped: unknown, outs: readonly StridedArray[]): unknown {
  if (shaped instanceof StridedArray) return outs[0];
  if (shaped && typeof shaped === "object") {
    let i = 0;
    return Object.fromEntries(
      Object.entries(shaped).map(([k, v]) => [k, v instanceof StridedArray ? outs[i++] : v]),
    );
  }
  return shaped;
}

/**
 * Every kernel of the CPU backend, from `gpu` where it has one and otherwise through the CPU
 * (`viaCpu`, warned once, the op named by the kernel's first argument where that is a string such as
 * "softmax", else by the kernel). The members are those of the CPU backend at the time, so a kernel
 * added to the seam later runs on the device before it has a WGSL kernel.
 */
export function withCpuFallback(q: Queue, gpu: Partial<Kernels>): Kernels {
  const names = Object.keys(backend()).filter((k): k is Kernel => k !== "name");
  const kernels = names.map((kernel) => {
    const own = gpu[kernel];
    if (own) return [kernel, own];
    const fallback = (...args: unknown[]) =>
      viaCpu(q, kernel, typeof args[0] === "string" ? args[0] : kernel, args as never);
    return [kernel, fallback];
  });
  return Object.fromEntries(kernels) as Kernels;
}

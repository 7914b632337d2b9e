import { TorchletError } from "@torchlet/storage";
import type { MemoryInfo } from "./buffers.js";
import { currentQueue, start } from "./device.js";

export type { MemoryInfo } from "./buffers.js";

let pending: Promise<boolean> | null = null;

/**
 * Finds a WebGPU adapter (the browser's `navigator.gpu`; in Node the optional `webgpu` package) and
 * registers the webgpu device, so that `t.to("webgpu")` and `{ device: "webgpu" }` work. Returns
 * false, and changes nothing, where no adapter exists; calling it again returns the first answer.
 *
 * @example
 * async function main() {
 *   if (await torch.webgpu.init()) {
 *     const x = torch.tensor([1, 2, 3], { device: "webgpu" });
 *     console.log(await x.mul(2).tolistAsync()); // [2, 4, 6]
 *   }
 * }
 */
export function init(): Promise<boolean> {
  pending ??= start();
  return pending;
}

/**
 * True once `init()` has found an adapter.
 *
 * @example
 * torch.webgpu.isAvailable(); // false (before torch.webgpu.init() has found an adapter)
 */
export function isAvailable(): boolean {
  return currentQueue() !== null;
}

/**
 * The GPU memory of tensors: bytes of live buffers (tensors not yet collected) and pooled ones (kept
 * for reuse), and how many of each. Buffers go back to the pool when the garbage collector takes
 * their tensors; nothing needs disposing.
 *
 * @example
 * async function report() {
 *   await torch.webgpu.init();
 *   const { liveBytes, pooledBytes } = torch.webgpu.memory();
 *   console.log(liveBytes + pooledBytes);
 * }
 */
export function memory(): MemoryInfo {
  const queue = currentQueue();
  if (!queue)
    throw new TorchletError(
      "webgpu.memory: no webgpu device is initialised; await torch.webgpu.init() first",
    );
  return queue.pool.info();
}

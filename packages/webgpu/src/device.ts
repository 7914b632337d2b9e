/// <reference types="@webgpu/types" />
import { registerDevice } from "@torchlet/ops";
import { findGpu } from "./adapter.js";
import { webgpuBackend } from "./backend.js";
import { Queue } from "./queue.js";

let queue: Queue | null = null;

/** The device's queue once `init()` has found an adapter (tests read its counters). */
export function currentQueue(): Queue | null {
  return queue;
}

/** Opens the device and registers its backend; false where no adapter exists. */
export async function start(): Promise<boolean> {
  const gpu = await findGpu();
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return false;
  const device = await adapter.requestDevice();
  queue = new Queue(device, [gpu as GPU, adapter]);
  registerDevice(webgpuBackend(queue));
  return true;
}

import { TorchletError } from "./errors.js";

/**
 * Where a tensor's elements live: `"cpu"` (a typed array) or `"webgpu"` (a GPU buffer, from
 * `@torchlet/webgpu`).
 *
 * @example
 * const device: Device = "webgpu";
 */
export type Device = "cpu" | "webgpu";

/**
 * Every device, in the order messages list them.
 *
 * @example
 * DEVICES; // ["cpu", "webgpu"]
 */
export const DEVICES: readonly Device[] = ["cpu", "webgpu"];

/**
 * Elements held by a device other than the CPU: the device's package implements it (a GPU buffer and
 * its size). A `StridedArray` over it has no `data` to index; the device's backend reads and writes
 * it, and every view of the array shares it, as views of CPU arrays share their typed array.
 *
 * @example
 * const storage: DeviceStorage = { device: "webgpu" };
 */
export interface DeviceStorage {
  readonly device: Exclude<Device, "cpu">;
}

/**
 * `value` as a device, or a TorchletError naming `op` and the devices there are.
 *
 * @example
 * checkDevice("to", "webgpu"); // "webgpu"
 * checkDevice("to", "cuda"); // throws TorchletError: to: unknown device "cuda" (devices: cpu, webgpu)
 */
export function checkDevice(op: string, value: unknown): Device {
  if (typeof value === "string" && (DEVICES as readonly string[]).includes(value)) return value as Device;
  throw new TorchletError(`${op}: unknown device ${JSON.stringify(value)} (devices: ${DEVICES.join(", ")})`);
}

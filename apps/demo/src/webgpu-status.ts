// Whether the training worker can train on WebGPU, and if not, why: the page offers the device only
// where torchlet opened it, and says what is missing otherwise (no WebGPU in this browser, no secure
// context, no adapter). Where it runs, the adapter is named, so the page can show what trained. The
// Digits worker, which trains on the CPU, only asks whether an adapter exists (`findAdapter`), so its
// bundle does not carry the webgpu device.
import * as torch from "torchlet";

export type WebgpuStatus = { available: true; adapter: string } | { available: false; reason: string };

/** The slice of `navigator.gpu` this needs (the DOM types here do not include WebGPU's). */
interface GpuEntry {
  requestAdapter(): Promise<{
    info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  } | null>;
}

/** Asks the browser for a WebGPU adapter and names it, without opening a device. */
export async function findAdapter(): Promise<WebgpuStatus> {
  const scope = globalThis as { navigator?: { gpu?: GpuEntry }; isSecureContext?: boolean };
  const gpu = scope.navigator?.gpu;
  if (!gpu) {
    return {
      available: false,
      reason:
        scope.isSecureContext === false
          ? "WebGPU needs a secure context (https or localhost)"
          : "this browser has no WebGPU (navigator.gpu is missing)",
    };
  }
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    return {
      available: false,
      reason: "the browser offers no WebGPU adapter (no usable GPU, or WebGPU is switched off)",
    };
  }
  const { vendor, architecture, device, description } = adapter.info ?? {};
  const name = [vendor, architecture, device, description].filter((s) => s).join(" ");
  return { available: true, adapter: name || "unnamed adapter" };
}

/** Finds the adapter, then opens torchlet's webgpu device on it. */
export async function startWebgpu(): Promise<WebgpuStatus> {
  const found = await findAdapter();
  if (found.available && !(await torch.webgpu.init()))
    return { available: false, reason: "torchlet could not open the WebGPU device" };
  return found;
}

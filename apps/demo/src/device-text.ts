// What both pages say about where training runs (page side: no torchlet here, only the workers'
// reports). The chapter's page trains on either device; Digits on the CPU (see README).
import type { BackendStatus } from "./backend-check.js";
import type { DeviceName } from "./protocol.js";
import type { WebgpuStatus } from "./webgpu-status.js";

/** How the CPU does the math: "Wasm SIMD, 2 helper threads". */
export function cpuMath({ simd, threads }: Pick<BackendStatus, "simd" | "threads">): string {
  const helpers = threads === 1 ? "1 helper thread" : `${threads} helper threads`;
  return `${simd ? "Wasm SIMD" : "TypeScript"}, ${threads > 0 ? helpers : "one thread"}`;
}

/** The device readout: "cpu (Wasm SIMD, 2 helper threads)" or "webgpu (google swiftshader)". */
export function deviceText(device: DeviceName, cpu: string, webgpu: WebgpuStatus | null): string {
  return device === "webgpu" && webgpu?.available ? `webgpu (${webgpu.adapter})` : `cpu (${cpu})`;
}

/** Why WebGPU is not offered, or which adapter it would use; null while the worker is still looking. */
export function webgpuNote(webgpu: WebgpuStatus | null): string {
  if (!webgpu) return "Looking for WebGPU…";
  return webgpu.available
    ? `WebGPU adapter: ${webgpu.adapter}.`
    : `WebGPU is not available: ${webgpu.reason}.`;
}

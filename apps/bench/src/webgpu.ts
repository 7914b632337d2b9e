/**
 * The WebGPU the GPU peers share. A browser has `navigator.gpu`; Node 20 has none, so in Node the
 * `webgpu` package (Dawn) is installed as `navigator.gpu`, with its globals (`GPUBufferUsage`, ...):
 * tfjs-webgpu and jax-js look for WebGPU only there, and torchlet takes `navigator.gpu` first too, so
 * all three open devices on one Dawn instance. Dawn finds an adapter only through a Vulkan driver:
 * `pnpm bench` (scripts/run.mjs) points it at Chromium's SwiftShader where no other driver is named.
 */
import type { NotAvailable } from "./peer.js";

interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power" }): Promise<{
    info: AdapterInfo;
  } | null>;
}

const NO_ADAPTER: NotAvailable = {
  na: "no WebGPU adapter: in Node the webgpu package needs a Vulkan driver (VK_ICD_FILENAMES)",
};

let pending: Promise<Gpu | NotAvailable> | undefined;

async function install(): Promise<Gpu | NotAvailable> {
  const g = globalThis as { navigator?: { gpu?: Gpu } };
  if (g.navigator?.gpu) return g.navigator.gpu;
  if (typeof process === "undefined" || !process.versions?.node) return { na: "no navigator.gpu" };
  let dawn: { create(flags: string[]): Gpu; globals: object };
  try {
    // A specifier in a variable keeps the browser worker's bundle from resolving this Node package.
    const name = "webgpu";
    dawn = await import(/* @vite-ignore */ name);
  } catch (error) {
    return { na: `the webgpu package does not load: ${(error as Error).message}` };
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 21+ has a navigator without gpu; Node 20 has none (jax-js reads its userAgent too).
  if (g.navigator) Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
  else {
    const navigator = { gpu, userAgent: `Node.js/${process.versions.node}` };
    Object.defineProperty(globalThis, "navigator", { value: navigator, configurable: true });
  }
  return gpu;
}

/** `navigator.gpu`, installed from Dawn in Node; why not, where no adapter exists. */
export async function webgpu(): Promise<Gpu | NotAvailable> {
  pending ??= install().then(async (gpu) => ("na" in gpu || (await gpu.requestAdapter()) ? gpu : NO_ADAPTER));
  return pending;
}

/**
 * The adapter a library gets for these options, in words: its description where the runtime gives
 * one (Dawn: "SwiftShader driver 5.0.0"; Chromium keeps it empty), its vendor and architecture,
 * and a warning where it is SwiftShader. torchlet asks for the default adapter, tfjs and jax-js for
 * the high-performance one.
 */
export async function adapterName(gpu: Gpu, powerPreference?: "high-performance"): Promise<string> {
  const info = (await gpu.requestAdapter(powerPreference ? { powerPreference } : undefined))?.info;
  if (!info) return "no adapter";
  const parts = [info.vendor, info.architecture, info.device].filter(Boolean).join(" ");
  const name = info.description ? `${info.description} (${parts})` : parts || "an adapter without a name";
  return /swiftshader/i.test(name) ? `${name}: SwiftShader, a CPU emulation of a GPU` : name;
}

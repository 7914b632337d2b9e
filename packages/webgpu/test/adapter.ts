import { init } from "../src/index.js";

/** Whether this machine has a WebGPU adapter; the tests that need one skip, saying why, when it has none. */
export const available = await init();

/** The reason the GPU tests skip, shown in their names. */
export const skipNote = available
  ? ""
  : " [skipped: no WebGPU adapter; in Node install the optional webgpu package and point VK_ICD_FILENAMES at a Vulkan driver, see the README]";
if (!available) console.warn(`@torchlet/webgpu:${skipNote}`);

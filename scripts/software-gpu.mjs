// The environment that lets Dawn (the `webgpu` package) find a WebGPU adapter on a machine without a
// GPU: the SwiftShader Vulkan driver and loader that Debian's chromium package ships. Used by the test
// runner and `npm run train`, so CI runs the webgpu tests; an environment that already names a driver
// (a real GPU) is left as it is.
import { existsSync } from "node:fs";

const CHROMIUM = "/usr/lib/chromium";
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;

/** `env` with VK_ICD_FILENAMES and LD_LIBRARY_PATH pointing at chromium's SwiftShader, where it exists. */
export function withSoftwareGpu(env) {
  if (env.VK_ICD_FILENAMES || !existsSync(ICD)) return env;
  const libraries = [CHROMIUM, env.LD_LIBRARY_PATH].filter(Boolean).join(":");
  return { ...env, VK_ICD_FILENAMES: ICD, LD_LIBRARY_PATH: libraries };
}

import * as torch from "torchlet";
import { choice, UsageError } from "./args.js";

/** `--device`: where a command's tensors live. */
export const deviceFlag = choice(
  "where the tensors live: cpu, or webgpu (a GPU through WebGPU, float32)",
  ["cpu", "webgpu"] as const,
  "cpu",
);

/** Finds the device's adapter when it is webgpu; a usage error (exit code 2) where there is none. */
export async function startDevice(device: torch.Device): Promise<void> {
  if (device === "webgpu" && !(await torch.webgpu.init())) {
    throw new UsageError(
      "--device webgpu: no WebGPU adapter found (in Node, the webgpu package and a Vulkan driver; see @torchlet/webgpu's README)",
    );
  }
}

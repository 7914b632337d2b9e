// `pnpm bench`: runs the bundle (dist/main.js) with these arguments. A Node run of `--device webgpu`
// needs a Vulkan driver for Dawn; where none is named (no GPU), it gets Chromium's SwiftShader, which
// must be in the environment when the process starts (the loader reads LD_LIBRARY_PATH only then).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withSoftwareGpu } from "../../../scripts/software-gpu.mjs";

const args = process.argv.slice(2);
const webgpu = args.some((a, i) => a === "--device=webgpu" || (a === "--device" && args[i + 1] === "webgpu"));
const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const env = webgpu && !args.includes("--browser") ? withSoftwareGpu(process.env) : process.env;
const { status, signal } = spawnSync(process.execPath, [main, ...args], { stdio: "inherit", env });
process.exitCode = status ?? (signal ? 1 : 0);

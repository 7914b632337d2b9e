// `pnpm bench`: runs the bundle (dist/main.js) with these arguments. A Node run of `--device webgpu`
// needs a Vulkan driver for Dawn: where Dawn finds no adapter by itself (no GPU), the run gets
// Chromium's SwiftShader, which must be in the environment when the process starts (the loader reads
// LD_LIBRARY_PATH only then).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { withSoftwareGpu } from "../../../scripts/software-gpu.mjs";

const bench = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const webgpu = args.some((a, i) => a === "--device=webgpu" || (a === "--device" && args[i + 1] === "webgpu"));

/** Whether Dawn finds an adapter in this environment (a GPU's Vulkan driver), asked in a child process. */
function dawnFindsAdapter(env) {
  const probe = `import("webgpu").then(async ({ create }) => process.exit((await create([]).requestAdapter()) ? 0 : 1), () => process.exit(1))`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", probe], {
    cwd: bench,
    env,
    stdio: "ignore",
    timeout: 60_000,
  });
  return child.status === 0;
}

const env =
  webgpu && !args.includes("--browser") && !dawnFindsAdapter(process.env)
    ? withSoftwareGpu(process.env)
    : process.env;
const { status, signal } = spawnSync(process.execPath, [`${bench}/dist/main.js`, ...args], {
  stdio: "inherit",
  env,
});
process.exitCode = status ?? (signal ? 1 : 0);

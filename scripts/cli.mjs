#!/usr/bin/env node
// `npm run train [-- options]`, `npm run digits [-- options]`: install, build the CLI and what it
// depends on, then run `torchlet <command>` with the options.
import { join } from "node:path";
import { bootstrap, root, run } from "./bootstrap.mjs";
import { withSoftwareGpu } from "./software-gpu.mjs";

const env = bootstrap();
const built = run(env, "turbo", [
  "run",
  "build",
  "--filter=@torchlet/cli...",
  "--output-logs=errors-only",
  "--log-prefix=none",
]);
if (built !== 0) process.exit(built);
process.exit(
  run(withSoftwareGpu(env), process.execPath, [
    join(root, "apps", "cli", "dist", "main.js"),
    ...process.argv.slice(2),
  ]),
);

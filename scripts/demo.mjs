#!/usr/bin/env node
// `npm run demo`: install, then build the web demo and serve it on 127.0.0.1 (prints the URL).
import { bootstrap, run } from "./bootstrap.mjs";

const env = bootstrap();
process.exit(run(env, "pnpm", ["--filter", "@torchlet/demo", "serve"]));

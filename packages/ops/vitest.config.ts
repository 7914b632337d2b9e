import { defineProject } from "vitest/config";

// Tests run from source: the "@torchlet/source" export condition points at src/index.ts. The forks
// pool passes --expose-gc: the Wasm heap's tests collect dead arrays so the heap has room again.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: { name: "@torchlet/ops", include: ["test/**/*.test.ts"], pool: "forks", execArgv: ["--expose-gc"] },
});

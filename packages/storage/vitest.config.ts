import { defineProject } from "vitest/config";

// Tests run from source: the "@torchlet/source" export condition points at src/index.ts. The forks
// pool passes --expose-gc, so the Wasm heap's test can collect an array and see its block freed.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: {
    name: "@torchlet/storage",
    include: ["test/**/*.test.ts"],
    pool: "forks",
    execArgv: ["--expose-gc"],
  },
});

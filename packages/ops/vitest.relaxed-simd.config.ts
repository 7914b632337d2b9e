import { defineProject } from "vitest/config";

// The Wasm kernel tests again in Node with relaxed SIMD switched on (Node 20 needs the flag; Node 22
// and Chromium have it by default), so the FMA kernels run in CI beside the plain SIMD ones of the
// default project. V8 flags need a child process: the forks pool passes execArgv to it.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: {
    name: "@torchlet/ops relaxed-simd",
    include: [
      "test/fma.test.ts",
      "test/matmul.test.ts",
      "test/matvec.test.ts",
      "test/matmul-threads.test.ts",
    ],
    pool: "forks",
    execArgv: ["--experimental-wasm-relaxed-simd"],
  },
});

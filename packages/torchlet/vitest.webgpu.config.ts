import { defineProject } from "vitest/config";

// The tensor-level WebGPU tests (device API, autograd, training, memory): a project of their own so
// that the memory test can force collections (`--expose-gc` needs a child process: the forks pool
// passes execArgv to it). They skip, saying why, where no adapter exists.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: {
    name: "torchlet webgpu",
    // The fixture suites' device variants sit beside the CPU suites whose replay modules they share.
    include: ["test/webgpu/**/*.test.ts", "test/*.webgpu.test.ts"],
    pool: "forks",
    execArgv: ["--expose-gc"],
    // SwiftShader computes on the CPU: a loaded machine makes each device test many times slower.
    testTimeout: 60_000,
  },
});

import { defineProject } from "vitest/config";

// Tests run from source: the "@torchlet/source" export condition points at src/index.ts. The WebGPU
// tests (test/webgpu/ and the fixture suites' device variants, test/*.webgpu.test.ts) have a project of
// their own (vitest.webgpu.config.ts).
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: {
    name: "torchlet",
    include: ["test/**/*.test.ts"],
    exclude: ["test/webgpu/**", "test/*.webgpu.test.ts"],
  },
});

import { defineConfig } from "vitest/config";

// One run over every package's own vitest project, so the whole suite reports one total.
export default defineConfig({
  test: {
    projects: [
      "packages/*",
      "apps/*",
      "packages/ops/vitest.relaxed-simd.config.ts",
      "packages/torchlet/vitest.webgpu.config.ts",
    ],
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
  },
});

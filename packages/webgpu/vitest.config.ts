import { defineProject } from "vitest/config";

// Tests run from source: the "@torchlet/source" export condition points at src/index.ts.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: { name: "@torchlet/webgpu", include: ["test/**/*.test.ts"] },
});

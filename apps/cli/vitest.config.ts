import { defineProject } from "vitest/config";

// Tests run from source: the "@torchlet/source" export condition points at src/index.ts.
// Most tests spawn the bundled binary, which the global setup builds when it is missing or stale.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: { conditions: ["@torchlet/source"] },
  test: {
    name: "@torchlet/cli",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/build-cli.ts"],
    testTimeout: 20_000,
  },
});

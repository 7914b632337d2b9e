import { fileURLToPath } from "node:url";
import { defineProject } from "vitest/config";

// Tests run from source: the "@torchlet/source" export condition points at src/index.ts.
// The public-API tests import the umbrella package, as users do; it is not a dependency of this
// package (it sits a layer above), so the tests reach its source through an alias, never src/.
export default defineProject({
  ssr: { resolve: { conditions: ["@torchlet/source"] } },
  resolve: {
    conditions: ["@torchlet/source"],
    alias: { torchlet: fileURLToPath(new URL("../torchlet/src/index.ts", import.meta.url)) },
  },
  test: { name: "@torchlet/data", include: ["test/**/*.test.ts"] },
});

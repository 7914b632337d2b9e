import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";
import { mnistDigits } from "./vite-plugin-digits.js";

// torchlet is built from its TypeScript sources (the "@torchlet/source" export condition), so the demo
// needs no prior `tsup` build of the libraries. The worker bundles are resolved by the same `resolve`
// settings; their format is "es" because the workers are module workers that import torchlet.
const conditions = ["@torchlet/source", ...defaultClientConditions];

// Cross-origin isolation gives the training worker shared memory, so torchlet can run large matmuls
// on helper threads there (every resource of the page is same-origin, so nothing is blocked).
const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  base: "./",
  resolve: { conditions },
  // The Digits worker imports the packed digits, and workers are bundled with their own plugins.
  worker: { format: "es", plugins: () => [mnistDigits()] },
  build: {
    target: "es2022",
    sourcemap: true,
    // Two pages: the chapter's network first (index.html), then the digits.
    rolldownOptions: {
      input: {
        index: fileURLToPath(new URL("index.html", import.meta.url)),
        digits: fileURLToPath(new URL("digits.html", import.meta.url)),
      },
    },
  },
  server: { headers: ISOLATION },
  preview: { host: "127.0.0.1", headers: ISOLATION },
});

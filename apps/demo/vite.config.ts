import { defaultClientConditions, defineConfig } from "vite";

// torchlet is built from its TypeScript sources (the "@torchlet/source" export condition), so the demo
// needs no prior `tsup` build of the libraries. The worker bundle is resolved by the same `resolve`
// settings; its format is "es" because the worker is a module worker that imports torchlet.
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
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: true },
  server: { headers: ISOLATION },
  preview: { host: "127.0.0.1", headers: ISOLATION },
});

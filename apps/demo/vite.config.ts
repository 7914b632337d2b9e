import { defaultClientConditions, defineConfig } from "vite";

// torchlet is built from its TypeScript sources (the "@torchlet/source" export condition), so the demo
// needs no prior `tsup` build of the libraries. The worker bundle is resolved by the same `resolve`
// settings; its format is "es" because the worker is a module worker that imports torchlet.
const conditions = ["@torchlet/source", ...defaultClientConditions];

export default defineConfig({
  base: "./",
  resolve: { conditions },
  worker: { format: "es" },
  build: { target: "es2022", sourcemap: true },
  preview: { host: "127.0.0.1" },
});

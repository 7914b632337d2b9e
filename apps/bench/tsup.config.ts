import { defineConfig } from "tsup";

// The suite runs as one bundle: torchlet comes from its TypeScript sources (the "@torchlet/source"
// condition), so `pnpm bench` measures the working tree without a build of the packages first.
// The peers stay external: tfjs-wasm and jax-js load their .wasm files relative to their own modules.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  clean: true,
  target: "node20",
  noExternal: [/^torchlet$/, /^@torchlet\//],
  external: [/^@tensorflow\//, "@jax-js/jax", "js-pytorch"],
  esbuildOptions(options) {
    options.conditions = ["@torchlet/source"];
  },
});

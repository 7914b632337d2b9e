import { defineConfig } from "tsup";

// The suite runs as one bundle: torchlet comes from its TypeScript sources (the "@torchlet/source"
// condition), so `pnpm bench` measures the working tree without a build of the packages first.
// The peers stay external: tfjs-wasm and jax-js load their .wasm files relative to their own modules.
// One exception: tfjs-core's gradient registrations exist only as bundler-style ESM (extensionless
// imports Node cannot load), so that module is bundled; its copy of tfjs-core's internals registers
// into the same global gradient registry and engine as the external tfjs-core.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  clean: true,
  target: "node20",
  noExternal: [/^torchlet$/, /^@torchlet\//, /^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
  external: [/^@tensorflow\//, "@jax-js/jax", "js-pytorch"],
  esbuildOptions(options) {
    options.conditions = ["@torchlet/source"];
  },
});

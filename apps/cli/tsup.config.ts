import { defineConfig } from "tsup";

// The CLI ships as one file with torchlet bundled in, so `node dist/main.js` needs no resolution tricks;
// the optional `webgpu` package (Dawn, for --device webgpu) stays an import of its own.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  clean: true,
  target: "node20",
  noExternal: [/^torchlet$/, /^@torchlet\//],
  esbuildOptions(options) {
    options.conditions = ["@torchlet/source"];
  },
  banner: { js: "#!/usr/bin/env node" },
});

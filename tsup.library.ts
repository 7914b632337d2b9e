import { defineConfig, type Options } from "tsup";

/**
 * The one build of every library package: ESM (index.js) and CJS (index.cjs) with type declarations
 * for both, so a packed tarball loads from `import` and `require` alike (see CONTRIBUTING.md, "Toolchain").
 */
export const library: Options = {
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
};

export default defineConfig(library);

import { defineConfig } from "tsup";
import { library } from "../../tsup.library.js";

// The shared library build with a second entry, `internal`. Code splitting (for CommonJS too) puts the
// modules both entries use in one shared chunk: the allocator's recycling pool must be one object,
// whichever entry a caller loaded it through.
export default defineConfig({ ...library, entry: ["src/index.ts", "src/internal.ts"], splitting: true });

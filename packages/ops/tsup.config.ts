import { defineConfig } from "tsup";
import { library } from "../../tsup.library.js";

// The shared library build with a second entry, `internal`: pure functions only (argument checks), so
// each entry may hold its own copy of them without splitting.
export default defineConfig({ ...library, entry: ["src/index.ts", "src/internal.ts"] });

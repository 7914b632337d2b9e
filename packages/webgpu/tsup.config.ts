// Every library builds the same way: the shared config lives at the workspace root.
export { default } from "../../tsup.library.js";

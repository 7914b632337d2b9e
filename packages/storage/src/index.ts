export * from "./dtype.js";
export * from "./errors.js";
export * from "./format.js";
export * from "./layout.js";
export * from "./nested.js";
export { RECYCLED_MIN_BYTES, recycledBytes } from "./recycle.js";
export * from "./shape.js";
export { sharesMemory } from "./slab.js";
export * from "./strided.js";

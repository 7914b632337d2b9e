export * from "./backend.js";
export * from "./elementwise.js";
export * from "./matmul.js";
export * from "./reduce.js";

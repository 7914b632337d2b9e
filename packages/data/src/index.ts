export * from "./batching.js";
export * from "./datasets.js";
export { Generator } from "./random/index.js";
export * from "./sampling.js";

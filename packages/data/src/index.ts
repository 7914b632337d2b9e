export * from "./batching.js";
export * from "./datasets.js";
export * from "./fill-random.js";
export * from "./loader.js";
export { fma64, fmaf32 } from "./random/fma.js";
export { Generator } from "./random/index.js";
export * from "./sampling.js";
export * as utils from "./utils.js";

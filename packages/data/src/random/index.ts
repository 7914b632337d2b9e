export type { CpuCapability, KernelOptions } from "./capability.js";
export { Generator, LEGACY_RNG_STATE_BYTES, RNG_STATE_BYTES } from "./generator.js";
export { DEFAULT_SEED, MT19937, type MT19937Data, toUint64Seed } from "./mt19937.js";
export { normalFill, normalFillSerial, normalSample } from "./normal.js";
export { type RandintArray, randintFill } from "./randint.js";
export { randperm } from "./randperm.js";
export { uniformFill } from "./uniform.js";

import { tfjsPeer } from "./tfjs-common.js";

/** TensorFlow.js with its `wasm` backend (XNNPACK, SIMD; one thread in Node, which lacks Web Workers). */
export const peer = tfjsPeer("tfjs-wasm", "wasm");

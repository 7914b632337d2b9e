import { tfjsPeer } from "./tfjs-common.js";

/** TensorFlow.js with its WebGPU backend (`@tensorflow/tfjs-backend-webgpu`), on `navigator.gpu`. */
export const peer = tfjsPeer("tfjs-webgpu", "webgpu");

import { tfjsPeer } from "./tfjs-common.js";

/** TensorFlow.js with its pure-JS `cpu` backend. */
export const peer = tfjsPeer("tfjs-cpu", "cpu");

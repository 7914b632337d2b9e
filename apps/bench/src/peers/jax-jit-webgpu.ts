import { jaxPeer } from "./jax-common.js";

/** jax-js on its `webgpu` device, the whole step under `jit`. */
export const peer = jaxPeer("jax-jit-webgpu", true, "webgpu");

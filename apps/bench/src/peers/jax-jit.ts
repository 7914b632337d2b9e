import { jaxPeer } from "./jax-common.js";

/** jax-js with the whole step under `jit`. */
export const peer = jaxPeer("jax-jit", true);

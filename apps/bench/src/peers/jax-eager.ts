import { jaxPeer } from "./jax-common.js";

/** jax-js, op by op (`valueAndGrad` without `jit`). */
export const peer = jaxPeer("jax-eager", false);

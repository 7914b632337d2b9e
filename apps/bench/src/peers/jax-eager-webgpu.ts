import { jaxPeer } from "./jax-common.js";

/** jax-js on its `webgpu` device, op by op (`valueAndGrad` without `jit`). */
export const peer = jaxPeer("jax-eager-webgpu", false, "webgpu");

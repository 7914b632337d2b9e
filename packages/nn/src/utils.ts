/**
 * `torch.nn.utils`.
 */
export { clipGradNorm_ } from "./clip-grad.js";

// `@torchlet/ops/internal`: what the device backends need and users do not call. The umbrella
// `torchlet` package does not re-export this entry.
// The checks of gather's, scatter's and indexSelect's operands that do not depend on the index values:
// a device that computes later (webgpu) raises these at the call and checks the values on the device.
export { checkGather, checkIndexSelect, checkScatter } from "./indexing.js";

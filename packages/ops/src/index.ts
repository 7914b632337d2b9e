// The kernels are reached through the backend seam (`backend().binary(...)`, `referenceBackend.mm(...)`),
// which keeps their short names free for the Tensor-level functions of the umbrella package.
export * from "./backend.js";
export { BINARY, type BinaryOp, UNARY, type UnaryOp } from "./elementwise.js";
export { configureMatmul, type MatmulOptions, matmulInfo, warmUpMatmulThreads } from "./matmul-wasm.js";
export { type ReduceOp, reducedShape, reductionDims } from "./reduce.js";

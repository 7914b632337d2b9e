// The kernels are reached through the backend seam (`backend().binary(...)`, `referenceBackend.mm(...)`),
// which keeps their short names free for the Tensor-level functions of the umbrella package.
export type { LineOp } from "./along-dim.js";
export type { ArgReduceOp } from "./arg-reduce.js";
export * from "./backend.js";
export { BINARY, UNARY } from "./elementwise.js";
export { elementwiseInfo } from "./elementwise-wasm.js";
export { isIndexDType } from "./index-dtype.js";
export { configureMatmul, type MatmulOptions, matmulInfo, warmUpMatmulThreads } from "./matmul-wasm.js";
export {
  type DTypeOperand,
  type DTypeRule,
  resultDType,
  resultType,
} from "./records/dtype-rule.js";
export type { Expr } from "./records/expr.js";
export {
  BINARY_OPS,
  type BinaryOp,
  ELEMENTWISE,
  type ElementwiseOp,
  type ElementwiseRecord,
  UNARY_OPS,
  type UnaryOp,
} from "./records/registry.js";
export { toWgsl, WGSL_HELPERS } from "./records/render-wgsl.js";
export { type ReduceOp, reducedShape, reductionDims } from "./reduce.js";
export type { DimReduceOp, ReduceOptions } from "./reduce-dims.js";
export type { Window2d } from "./window.js";

export type { Derivative, OpName, Saved } from "./derivatives.js";
export * from "./factories.js";
export * from "./functional.js";
export { autograd, type GradOptions } from "./grad.js";
export { AccumulateGrad, GradFn, type InputGrad, SavedContext } from "./grad-fn.js";
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from "./grad-mode.js";
export type { Conv2dOptions } from "./ops/convolution.js";
export type { BatchNormOptions } from "./ops/normalization.js";
export type { OutOptions } from "./ops/out.js";
export type { AvgPool2dOptions, MaxPool2dOptions } from "./ops/pooling.js";
export type { Dims, ValuesIndices, VarOptions } from "./ops/reductions.js";
export { type IndexItem, Slice, type SliceIndex } from "./ops/subscript.js";
export type { Pair } from "./ops/window.js";
export { sumTo } from "./sum-to.js";
export {
  avgPool2d,
  type BackwardOptions,
  batchNorm,
  cat,
  conv2d,
  derivatives,
  maxPool2d,
  maxPool2dWithIndices,
  type Operand,
  type ShapeArgs,
  stack,
  Tensor,
  type TensorOptions,
  where,
} from "./tensor.js";

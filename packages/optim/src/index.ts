/**
 * `torch.optim`: optimizers and learning-rate schedulers with PyTorch 1.13's float32 arithmetic.
 */
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { Adam, type AdamOptions, AdamW } from "./adam.js";
export * as lrScheduler from "./lr-scheduler-index.js";
export {
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
} from "./optimizer.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { SGD, type SGDOptions } from "./sgd.js";

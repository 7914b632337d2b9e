/**
 * `torch.nn`: modules, layers, losses, their functional forms and PyTorch's initialisers.
 */
export {
  Dropout,
  ELU,
  GELU,
  LeakyReLU,
  LogSoftmax,
  ReLU,
  Sigmoid,
  SiLU,
  Softmax,
  Tanh,
} from "./activations.js";
export { Conv2d, type Conv2dModuleOptions } from "./conv.js";
export { Embedding } from "./embedding.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export { Linear } from "./linear.js";
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss } from "./losses.js";
export { type LoadResult, Module } from "./module.js";
export { isParameter, Parameter } from "./parameter.js";
export { AvgPool2d, MaxPool2d } from "./pooling.js";
export { Sequential } from "./sequential.js";
export { Flatten, Identity } from "./shape-layers.js";
export * as utils from "./utils.js";

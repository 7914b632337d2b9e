/**
 * `torch.nn`: modules, layers, losses, their functional forms and PyTorch's initialisers.
 */
export { Dropout, ELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from "./activations.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export { Linear } from "./linear.js";
export { L1Loss, MSELoss } from "./losses.js";
export { type LoadResult, Module } from "./module.js";
export { isParameter, Parameter } from "./parameter.js";
export { Sequential } from "./sequential.js";
export { Flatten, Identity } from "./shape-layers.js";
export * as utils from "./utils.js";

// The umbrella package: `import * as torch from "torchlet"` gives the whole public API.
// It has no code of its own; each name lives in exactly one layer.
export * from "@torchlet/autograd";
export * from "@torchlet/data";
export * from "@torchlet/io";
export * as nn from "@torchlet/nn";
export * from "@torchlet/ops";
export * as optim from "@torchlet/optim";
export * from "@torchlet/storage";
export * as webgpu from "@torchlet/webgpu";

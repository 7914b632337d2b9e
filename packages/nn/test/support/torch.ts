// The names the tests use, as `import * as torch from "torchlet"` spells them, from this package and
// the layers below it.
export * from "@torchlet/autograd";
export * from "@torchlet/data";
export * from "@torchlet/storage";
export * as webgpu from "@torchlet/webgpu";
export * as nn from "../../src/index.js";

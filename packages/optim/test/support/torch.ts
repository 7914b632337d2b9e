// The names the tests use, as `import * as torch from "torchlet"` spells them, from this package and
// the layers below it (nn is no dependency of optim: the tests build their model by hand).
export * from "@torchlet/autograd";
export * from "@torchlet/data";
export * from "@torchlet/storage";
export * as optim from "../../src/index.js";

// The names the tests use, as `import * as torch from "torchlet"` spells them, built from this
// package and the layers below it: the tests need nothing from a layer above.
export * from "@torchlet/autograd";
export * from "@torchlet/storage";
export * from "../../src/index.js";

import { fromArray, parseShapeAndOptions, Tensor } from "@torchlet/autograd";
import { INT64_EXACT_MAX, StridedArray, TorchletError } from "@torchlet/storage";
import {
  type Generator,
  normalFill,
  randintFill,
  randperm as randpermFill,
  uniformFill,
} from "./random/index.js";
import { checkSeed } from "./random/seed.js";
import {
  checkFinite,
  checkRequiresGrad,
  defaultGenerator,
  describe,
  floatDtype,
  generatorOf,
  numericDtype,
  type RandomOptions,
} from "./validate.js";

export { defaultGenerator, type RandomOptions } from "./validate.js";

/**
 * Seeds the global generator: the same seed and the same calls give PyTorch's CPU numbers
 * (float32 rounding aside). Seeds are integers in [-2^63, 2^64), as for `torch.manual_seed`
 * (a bigint beyond 2^53). Returns the generator.
 *
 * @example
 * torch.manualSeed(42);
 * torch.randn(3).tolist(); // [0.3367, 0.1288, 0.2345] as torch.manual_seed(42); torch.randn(3)
 */
export function manualSeed(seed: number | bigint): Generator {
  checkSeed("manualSeed", seed);
  return defaultGenerator.manualSeed(seed);
}

type ShapeCall = number[] | [readonly number[]] | [readonly number[], RandomOptions];
type FloatFill = (gen: Generator, out: Float32Array | Float64Array) => void;

// The float samplers' common path: every check first (shape, dtype, generator), then one fill.
function floatSample(op: string, shape: readonly number[], options: RandomOptions, fill: FloatFill): Tensor {
  const [checked] = parseShapeAndOptions(op, [shape]);
  const array = StridedArray.zeros(checked, floatDtype(op, options.dtype));
  fill(generatorOf(op, options), array.data as Float32Array | Float64Array);
  return fromArray(array, options);
}

const standardNormal: FloatFill = (gen, out) => normalFill(gen, out, 0, 1);
const standardUniform: FloatFill = (gen, out) => uniformFill(gen, out, 0, 1);

/**
 * Standard normal samples: `randn(2, 3)` or `randn([2, 3], { dtype, requiresGrad, generator })`.
 *
 * @example
 * torch.manualSeed(42);
 * torch.randn(3).tolist(); // [0.3367, 0.1288, 0.2345]
 * torch.randn([2, 2], { dtype: "float64" }).dtype; // "float64"
 */
export function randn(...args: ShapeCall): Tensor {
  const [shape, options] = parseShapeAndOptions("randn", args) as [number[], RandomOptions];
  return floatSample("randn", shape, options, standardNormal);
}

/**
 * Uniform samples from [0, 1): `rand(2, 3)` or `rand([2, 3], opts)`.
 *
 * @example
 * torch.manualSeed(1);
 * torch.rand(3).tolist(); // [0.7576, 0.2793, 0.4031]
 */
export function rand(...args: ShapeCall): Tensor {
  const [shape, options] = parseShapeAndOptions("rand", args) as [number[], RandomOptions];
  return floatSample("rand", shape, options, standardUniform);
}

/**
 * Normal samples with the given mean and standard deviation (`torch.normal(mean, std, size)`).
 *
 * @example
 * torch.manualSeed(42);
 * torch.normal(10, 2, [3]).tolist(); // [10.6734, 10.2576, 10.4689]
 */
export function normal(
  mean: number,
  std: number,
  shape: readonly number[],
  options: RandomOptions = {},
): Tensor {
  checkFinite("normal", "mean", mean);
  checkFinite("normal", "std", std, 0);
  if (!Array.isArray(shape))
    throw new TorchletError(`normal: shape must be an array, got ${describe(shape)}`);
  return floatSample("normal", shape, options, (gen, out) => normalFill(gen, out, mean, std));
}

function likeShape(op: string, t: Tensor): number[] {
  if (!(t instanceof Tensor)) throw new TorchletError(`${op}: expected a Tensor, got ${describe(t)}`);
  return [...t.shape];
}

/**
 * `randn` with the shape (and dtype) of `t`.
 *
 * @example
 * torch.randnLike(torch.zeros(2, 3)).shape; // [2, 3]
 */
export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  const shape = likeShape("randnLike", t);
  return floatSample("randnLike", shape, { dtype: t.dtype, ...options }, standardNormal);
}

/**
 * `rand` with the shape (and dtype) of `t`.
 *
 * @example
 * torch.randLike(torch.zeros([2], { dtype: "float64" })).dtype; // "float64"
 */
export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  const shape = likeShape("randLike", t);
  return floatSample("randLike", shape, { dtype: t.dtype, ...options }, standardUniform);
}

// The largest integer magnitude each dtype holds exactly (PyTorch's check_from_to_in_range).
const EXACT_LIMIT = { int32: 2 ** 31, int64: INT64_EXACT_MAX, float32: 2 ** 24, float64: 2 ** 53 } as const;

/**
 * Integers drawn uniformly from [low, high): `randint(low, high, shape)` or `randint(high, shape)`.
 * int64 by default, as in PyTorch (low and high within ±(2^53 - 1), where int64 is exact).
 *
 * @example
 * torch.manualSeed(0);
 * torch.randint(0, 10, [5]).tolist(); // [4, 9, 3, 0, 3]
 * torch.randint(3, [2, 2]).shape; // [2, 2]
 * torch.randint(3, [2]).dtype; // "int64"
 */
export function randint(high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(...args: unknown[]): Tensor {
  const withLow = typeof args[1] === "number";
  const [low, high, shape, given] = withLow ? args : [0, ...args];
  const options = (given ?? {}) as RandomOptions;
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TorchletError(
      `randint: low and high must be integers, got low ${describe(low)} and high ${describe(high)}`,
    );
  }
  const [lo, hi] = [low as number, high as number];
  if (lo >= hi) throw new TorchletError(`randint: expects low < high, but got low=${lo} >= high=${hi}`);
  if (!Array.isArray(shape)) {
    throw new TorchletError(
      `randint: a shape array is required, e.g. randint(0, 10, [3]), got ${describe(shape)}`,
    );
  }
  const [checked] = parseShapeAndOptions("randint", [shape]);
  const dtype = numericDtype("randint", options.dtype, "int64");
  const limit = EXACT_LIMIT[dtype];
  // int32 holds high itself (2^31 exclusive); the float types must hold every value drawn.
  if (lo < -limit || (dtype === "int32" ? hi > limit : hi - 1 > limit)) {
    throw new TorchletError(`randint: [${lo}, ${hi}) does not fit in ${dtype}`);
  }
  checkRequiresGrad("randint", dtype, options);
  const gen = generatorOf("randint", options);
  const array = StridedArray.zeros(checked, dtype);
  // (int64 is a Float64Array of exact integers: drawn as float64, every value here is exact)
  randintFill(gen, array.data as Int32Array | Float32Array | Float64Array, lo, hi);
  return fromArray(array, options);
}

/**
 * A random permutation of 0..n-1 (int64 unless `dtype` says otherwise), as `torch.randperm(n)`.
 *
 * @example
 * torch.manualSeed(0);
 * torch.randperm(5).tolist(); // [4, 0, 1, 3, 2]
 */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  const dtype = numericDtype("randperm", options.dtype, "int64");
  // Every index 0..n-1 must be exact in the output type (and the shuffle's Int32Array holds fewer than 2^31).
  const limit = dtype === "int32" || dtype === "int64" ? 2 ** 31 - 1 : EXACT_LIMIT[dtype] + 1;
  if (!Number.isSafeInteger(n) || n < 0 || n > limit) {
    throw new TorchletError(
      `randperm: n must be an integer in [0, ${limit}] for ${dtype}, got ${describe(n)}`,
    );
  }
  checkRequiresGrad("randperm", dtype, options);
  const perm = StridedArray.fromFlat(randpermFill(generatorOf("randperm", options), n), [n], "int32");
  return fromArray(dtype === "int32" ? perm : perm.copy(dtype), options);
}

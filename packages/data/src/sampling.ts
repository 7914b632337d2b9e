import { fromArray, parseShapeAndOptions, type Tensor, type TensorOptions } from "@torchlet/autograd";
import { type DType, fmtShape, StridedArray, TorchletError } from "@torchlet/storage";
import { Generator, normalFill, randintFill, randperm as randpermFill, uniformFill } from "./random/index.js";

/** Options of the random factories: the tensor options plus the generator to draw from. */
export interface RandomOptions extends TensorOptions {
  /** An independent stream (`new torch.Generator().manualSeed(1)`); the global one when omitted. */
  generator?: Generator;
}

/** The global generator (PyTorch's `torch.default_generator`), seeded like PyTorch's at start-up. */
export const defaultGenerator = new Generator();

/**
 * Seeds the global generator: the same seed and the same calls give PyTorch's CPU numbers
 * (float32 rounding aside). Returns the generator.
 *
 * @example
 * torch.manualSeed(42);
 * torch.randn(3).tolist(); // [0.3367, 0.1288, 0.2345] as torch.manual_seed(42); torch.randn(3)
 */
export function manualSeed(seed: number | bigint): Generator {
  if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
    throw new TorchletError(`manualSeed: the seed must be an integer, got ${seed}`);
  }
  return defaultGenerator.manualSeed(seed);
}

type ShapeCall = number[] | [readonly number[]] | [readonly number[], RandomOptions];

function floatArray(op: string, shape: readonly number[], dtype: DType | undefined): StridedArray {
  const target = dtype ?? "float32";
  if (target !== "float32" && target !== "float64") {
    throw new TorchletError(`${op}: expected a floating point dtype, got ${target}`);
  }
  return StridedArray.zeros(shape, target);
}

const generatorOf = (options: RandomOptions) => options.generator ?? defaultGenerator;

/** Standard normal samples: `randn(2, 3)` or `randn([2, 3], { dtype, requiresGrad, generator })`. */
export function randn(...args: ShapeCall): Tensor {
  const [shape, options] = parseShapeAndOptions("randn", args) as [number[], RandomOptions];
  const array = floatArray("randn", shape, options.dtype);
  normalFill(generatorOf(options), array.data as Float32Array | Float64Array, 0, 1);
  return fromArray(array, options);
}

/** Uniform samples from [0, 1): `rand(2, 3)` or `rand([2, 3], opts)`. */
export function rand(...args: ShapeCall): Tensor {
  const [shape, options] = parseShapeAndOptions("rand", args) as [number[], RandomOptions];
  const array = floatArray("rand", shape, options.dtype);
  uniformFill(generatorOf(options), array.data as Float32Array | Float64Array, 0, 1);
  return fromArray(array, options);
}

/** Normal samples with the given mean and standard deviation (`torch.normal(mean, std, size)`). */
export function normal(
  mean: number,
  std: number,
  shape: readonly number[],
  options: RandomOptions = {},
): Tensor {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new TorchletError(
      `normal: expects a finite mean and a finite std >= 0, got mean ${mean} and std ${std}`,
    );
  }
  const [checked] = parseShapeAndOptions("normal", [shape]);
  const array = floatArray("normal", checked, options.dtype);
  normalFill(generatorOf(options), array.data as Float32Array | Float64Array, mean, std);
  return fromArray(array, options);
}

/** `randn` with the shape (and dtype) of `t`. */
export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return randn([...t.shape], { dtype: t.dtype, ...options });
}

/** `rand` with the shape (and dtype) of `t`. */
export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return rand([...t.shape], { dtype: t.dtype, ...options });
}

/**
 * Integers drawn uniformly from [low, high): `randint(low, high, shape)` or `randint(high, shape)`.
 * int32 by default (torchlet's integer type; PyTorch's int64 draws the same numbers).
 */
export function randint(high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(low: number, high: number, shape: readonly number[], options?: RandomOptions): Tensor;
export function randint(...args: (number | readonly number[] | RandomOptions | undefined)[]): Tensor {
  const numbers = args.filter((a): a is number => typeof a === "number");
  const shape = args.find((a): a is readonly number[] => Array.isArray(a));
  const options = (args.find((a) => typeof a === "object" && a !== null && !Array.isArray(a)) ??
    {}) as RandomOptions;
  const [low, high] =
    numbers.length === 1 ? [0, numbers[0] as number] : [numbers[0] as number, numbers[1] as number];
  if (!shape) throw new TorchletError("randint: a shape is required, e.g. randint(0, 10, [3])");
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
    throw new TorchletError(`randint: low and high must be integers, got low ${low} and high ${high}`);
  }
  if (low >= high) throw new TorchletError(`randint: expects low < high, but got low=${low} >= high=${high}`);
  const [checked] = parseShapeAndOptions("randint", [shape]);
  const dtype = options.dtype ?? "int32";
  if (dtype === "bool") throw new TorchletError("randint: bool is not a supported dtype");
  if (dtype === "int32" && (low < -(2 ** 31) || high > 2 ** 31)) {
    throw new TorchletError(`randint: [${low}, ${high}) does not fit in int32`);
  }
  const array = StridedArray.zeros(checked, dtype);
  randintFill(generatorOf(options), array.data as Int32Array | Float32Array | Float64Array, low, high);
  return fromArray(array, options);
}

/** A random permutation of 0..n-1 (int32 unless `dtype` says otherwise). */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new TorchletError(`randperm: n must be a non-negative integer, got ${n}`);
  const perm = randpermFill(generatorOf(options), n);
  const array = StridedArray.fromFlat(perm, [n], "int32");
  const out = options.dtype && options.dtype !== "int32" ? array.copy(options.dtype) : array;
  if (out.dtype === "bool")
    throw new TorchletError(`randperm: bool is not a supported dtype (shape ${fmtShape([n])})`);
  return fromArray(out, options);
}

import { transfer } from "@torchlet/ops";
import {
  checkDevice,
  checkShape,
  type DType,
  fromNested,
  type NestedData,
  StridedArray,
  TorchletError,
} from "@torchlet/storage";
import { argumentError, castChecked, castInRange, checkDType, checkScalar } from "@torchlet/storage/internal";
import { checkTensor, type ShapeArgs, shapeFromArgs, Tensor, type TensorOptions } from "./tensor.js";

/**
 * Wraps an array in a leaf tensor, applying `requiresGrad` from the options.
 *
 * @example
 * const t = torch.fromArray(StridedArray.fromFlat(new Float32Array([1, 2]), [2]), { requiresGrad: true });
 * t.requiresGrad; // true
 * t.tolist(); // [1, 2]
 */
export function fromArray(array: StridedArray, options: TensorOptions = {}): Tensor {
  const device = options.device === undefined ? array.device : checkDevice("tensor", options.device);
  const t = new Tensor(transfer("tensor", array, device));
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * A tensor from JS data: a number, a boolean, nested arrays, or a typed array. Numbers give float32,
 * booleans bool, a typed array its own dtype; `dtype` overrides. Ragged nesting is an error.
 *
 * @example
 * torch.tensor([[1, 2], [3, 4]]);            // float32, shape [2, 2]
 * torch.tensor([0.2, -1.3, -0.5], { dtype: "float64", requiresGrad: true });
 */
export function tensor(data: NestedData, options: TensorOptions = {}): Tensor {
  return fromArray(fromNested(data, checkOptions("tensor", options).dtype), options);
}

/**
 * Splits `(2, 3)` / `([2, 3], opts)` call forms into a shape and options.
 *
 * @example
 * parseShapeAndOptions("zeros", [2, 3]); // [[2, 3], {}]
 * parseShapeAndOptions("zeros", [[2, 3], { dtype: "int32" }]); // [[2, 3], { dtype: "int32" }]
 */
export function parseShapeAndOptions(op: string, args: readonly unknown[]): [number[], TensorOptions] {
  const last = args[args.length - 1];
  const hasOptions = isOptions(last);
  const shapeArgs = hasOptions ? args.slice(0, -1) : args;
  // `zeros([2, 3], "float64")`: a shape array takes nothing after it but the options.
  if (Array.isArray(shapeArgs[0]) && shapeArgs.length > 1)
    throw argumentError(op, "options", "an object such as { dtype }", shapeArgs[1]);
  const shape = shapeFromArgs(shapeArgs as ShapeArgs);
  checkShape(op, shape);
  return [shape, hasOptions ? checkOptions(op, last as TensorOptions) : {}];
}

/**
 * `options` when it is a plain object whose `dtype` (if any) names a dtype and whose `requiresGrad` (if
 * any) is a boolean; else a TorchletError naming `op`.
 *
 * @example
 * checkOptions("zeros", { dtype: "float64" }); // { dtype: "float64" }
 * checkOptions("zeros", { dtype: "float16" }); // throws: zeros: unknown dtype "float16" ...
 */
function checkOptions<T extends TensorOptions>(op: string, options: T): T {
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw argumentError(op, "options", "an object such as { dtype }", options);
  if (options.dtype !== undefined) checkDType(op, options.dtype);
  const grad = options.requiresGrad;
  if (grad !== undefined && typeof grad !== "boolean")
    throw argumentError(op, "requiresGrad", "a boolean", grad);
  return options;
}

type ShapeCall = [...ShapeArgs] | [readonly number[], TensorOptions];

/**
 * A tensor filled with `value`.
 *
 * @example
 * torch.full([2, 2], 7).tolist(); // [[7, 7], [7, 7]]
 */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  return filledTensor("full", shape, value, options);
}

/** A tensor of `shape` filled with `value`, for `op` (full, zeros, ones, the *Like factories). */
function filledTensor(
  op: string,
  shape: readonly number[],
  value: number | boolean,
  options: TensorOptions,
): Tensor {
  checkShape(op, shape);
  const fill = checkScalar(op, "fill_value", value);
  const dtype = checkOptions(op, options).dtype ?? (typeof value === "boolean" ? "bool" : "float32");
  const stored = castInRange(op, dtype, fill);
  const array = StridedArray.zeros(shape, dtype, op);
  array.data.fill(stored);
  return fromArray(array, options);
}

/**
 * A tensor of zeros: `zeros(2, 3)` or `zeros([2, 3], { dtype, requiresGrad })`.
 *
 * @example
 * torch.zeros(2, 3).shape; // [2, 3]
 * torch.zeros([2], { dtype: "int32" }).tolist(); // [0, 0]
 */
export function zeros(...args: ShapeCall): Tensor {
  const [shape, options] = parseShapeAndOptions("zeros", args);
  return filledTensor("zeros", shape, 0, options);
}

/**
 * A tensor of ones: `ones(2, 3)` or `ones([2, 3], opts)`.
 *
 * @example
 * torch.ones(2).tolist(); // [1, 1]
 * torch.ones([2, 1], { requiresGrad: true }).requiresGrad; // true
 */
export function ones(...args: ShapeCall): Tensor {
  const [shape, options] = parseShapeAndOptions("ones", args);
  return filledTensor("ones", shape, 1, options);
}

/**
 * Zeros with the shape (and dtype, unless overridden) of `t`.
 *
 * @example
 * torch.zerosLike(torch.ones([2], { dtype: "float64" })).dtype; // "float64"
 */
export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  checkTensor("zerosLike", "input", t);
  return filledTensor("zerosLike", t.shape, 0, {
    dtype: t.dtype,
    device: t.device,
    ...checkOptions("zerosLike", options),
  });
}

/**
 * Ones with the shape (and dtype, unless overridden) of `t`.
 *
 * @example
 * torch.onesLike(torch.zeros(2, 2)).tolist(); // [[1, 1], [1, 1]]
 */
export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  checkTensor("onesLike", "input", t);
  return filledTensor("onesLike", t.shape, 1, {
    dtype: t.dtype,
    device: t.device,
    ...checkOptions("onesLike", options),
  });
}

/**
 * A tensor of `value` with the shape (and dtype, unless overridden) of `t`.
 *
 * @example
 * torch.fullLike(torch.zeros(3), 0.5).tolist(); // [0.5, 0.5, 0.5]
 */
export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  checkTensor("fullLike", "input", t);
  return filledTensor("fullLike", t.shape, value, {
    dtype: t.dtype,
    device: t.device,
    ...checkOptions("fullLike", options),
  });
}

/**
 * Values from `start` (inclusive) to `end` (exclusive) in steps of `step`: `arange(5)` or
 * `arange(1, 2, 0.25)`. As in PyTorch, integer arguments give int64 and others float32, unless
 * `dtype` says otherwise (JS has no `1.0`: `arange(1, 3)` is int64 where Python's `arange(1.0, 3.0)`
 * would be float32; pass `{ dtype: "float32" }`).
 *
 * @example
 * torch.arange(5).tolist(); // [0, 1, 2, 3, 4]
 * torch.arange(5).dtype; // "int64"
 * torch.arange(1, 2, 0.25).tolist(); // [1, 1.25, 1.5, 1.75]
 * torch.arange(0, 10, 3, { dtype: "float64" }).tolist(); // [0, 3, 6, 9]
 */
export function arange(end: number, options?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, options?: TensorOptions): Tensor;
export function arange(...args: (number | TensorOptions | undefined)[]): Tensor {
  const last = args[args.length - 1];
  const options = checkOptions("arange", (isOptions(last) ? args.pop() : {}) as TensorOptions);
  // A trailing undefined is an omitted step: `arange(0, 5, undefined)`.
  while (args.length > 1 && args[args.length - 1] === undefined) args.pop();
  if (args.length < 1 || args.length > 3) throw argumentError("arange", "end", "a number", args[args.length]);
  const names = args.length === 1 ? ["end"] : ["start", "end", "step"];
  const nums = args.map((a, i) => {
    if (typeof a !== "number") throw argumentError("arange", names[i] as string, "a number", a);
    return a;
  });
  const [start, end, step] =
    nums.length === 1 ? [0, nums[0] as number, 1] : [nums[0] as number, nums[1] as number, nums[2] ?? 1];
  if (![start, end, step].every(Number.isFinite))
    throw new TorchletError(`arange: start ${start}, end ${end} and step ${step} must be finite`);
  const integers = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype: DType = options.dtype ?? (integers ? "int64" : "float32");
  // PyTorch computes in the dtype's accumulate type: an integer dtype truncates start and step first
  // (so arange(0, 2, 0.5) of an integer dtype has a zero step), and int64 counts from a truncated end.
  const integral = dtype === "int32" || dtype === "int64";
  const [first, by] = integral ? [Math.trunc(start), Math.trunc(step)] : [start, step];
  const span = dtype === "int64" ? Math.trunc(end) - first : end - start;
  if (by === 0) throw new TorchletError(`arange: step must be nonzero (step ${step} as ${dtype})`);
  if (span / by < 0) {
    throw new TorchletError(
      `arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  }
  const n = Math.ceil(span / (dtype === "int64" ? by : step));
  const array = StridedArray.zeros([n], dtype, "arange");
  for (let i = 0; i < n; i++) array.data[i] = castChecked("arange", dtype, first + i * by);
  return fromArray(array, options);
}

/**
 * `steps` evenly spaced values from `start` to `end`, both included.
 *
 * @example
 * torch.linspace(0, 1, 5).tolist(); // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (typeof start !== "number") throw argumentError("linspace", "start", "a number", start);
  if (typeof end !== "number") throw argumentError("linspace", "end", "a number", end);
  if (!Number.isInteger(steps) || steps < 0)
    throw argumentError("linspace", "steps", "a non-negative integer", steps);
  const dtype = checkOptions("linspace", options).dtype ?? "float32";
  // Both ends are stored values: an integer dtype refuses what it cannot hold (PyTorch's checked_convert).
  castInRange("linspace", dtype, start, false);
  castInRange("linspace", dtype, end, false);
  const array = StridedArray.zeros([steps], dtype, "linspace");
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // Like PyTorch, fill the second half backwards from `end` so that both ends are exact
  // (a single step gives `start`).
  const half = steps === 1 ? 1 : Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) array.data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return fromArray(array, options);
}

/**
 * The identity matrix (n x m, m defaulting to n): `eye(3)`, `eye(2, 4)`, `eye(3, { dtype })`.
 *
 * @example
 * torch.eye(2).tolist(); // [[1, 0], [0, 1]]
 * torch.eye(2, 3).shape; // [2, 3]
 */
export function eye(n: number, options?: TensorOptions): Tensor;
export function eye(n: number, m: number, options?: TensorOptions): Tensor;
export function eye(
  n: number,
  mOrOptions?: number | TensorOptions,
  maybeOptions: TensorOptions = {},
): Tensor {
  const m = mOrOptions === undefined || isOptions(mOrOptions) ? n : mOrOptions;
  const options = checkOptions("eye", isOptions(mOrOptions) ? mOrOptions : maybeOptions);
  checkShape("eye", [n, m]);
  const array = StridedArray.zeros([n, m], options.dtype ?? "float32", "eye");
  for (let i = 0; i < Math.min(n, m); i++) array.data[i * m + i] = 1;
  return fromArray(array, options);
}

/** Whether a trailing argument is an options object (not a number, an array or null). */
function isOptions(value: unknown): value is TensorOptions {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

import {
  type BinaryOp,
  backendFor,
  deviceBackend,
  ELEMENTWISE,
  reductionDims,
  resultDType,
  resultType,
  transfer,
  type UnaryOp,
} from "@torchlet/ops";
import {
  broadcastShapes,
  canCast,
  copyInto,
  copyPreservingLayout,
  type Device,
  type DType,
  fmtShape,
  formatTensor,
  inferShape,
  isFloating,
  numel,
  StridedArray,
  shapesEqual,
  sharesMemory,
  TorchletError,
  typeName,
} from "@torchlet/storage";
import {
  argumentError,
  castChecked,
  castInRange,
  checkDType,
  checkFlag,
  checkScalar,
} from "@torchlet/storage/internal";
import {
  type AttrsOf,
  type Derivative,
  type DerivativeTable,
  derivativeTable,
  type OpName,
} from "./derivatives.js";
import { runBackward } from "./engine.js";
import { AccumulateGrad, type Formulas, GradFn } from "./grad-fn.js";
import { isGradEnabled, noGrad } from "./grad-mode.js";
import { type Conv2dOptions, col2im, conv2d as conv2dOp, im2col } from "./ops/convolution.js";
import {
  gather,
  indexSelect,
  maskedFill,
  maskedScatter,
  maskedSelect,
  narrow,
  scatter,
  select,
} from "./ops/indexing.js";
import { cat as catOp, chunk, split, stack as stackOp, unbind } from "./ops/joining.js";
import type { OpKit } from "./ops/kit.js";
import { type BatchNormOptions, batchNorm as batchNormOp } from "./ops/normalization.js";
import { type OutDType, type OutOptions, writeOut } from "./ops/out.js";
import {
  type AvgPool2dOptions,
  avgPool2d as avgPool2dOp,
  type MaxPool2dOptions,
  maxPool2dWithIndices as maxPoolOp,
} from "./ops/pooling.js";
import {
  allAny,
  amaxAmin,
  cumsum,
  type Dims,
  extremumDim,
  norm,
  prod,
  type ValuesIndices,
  type VarOptions,
  variance,
} from "./ops/reductions.js";
import { logSoftmax, logsumexp, softmax } from "./ops/softmax.js";
import { type IndexItem, index, indexPut } from "./ops/subscript.js";
import type { Pair } from "./ops/window.js";

/**
 * Creation options shared by every factory.
 *
 * @example
 * const options: TensorOptions = { dtype: "float64", requiresGrad: true };
 * torch.zeros([2], options).dtype; // "float64"
 */
export interface TensorOptions {
  /** The element type; float32 unless the data says otherwise (booleans give bool, a typed array its own). */
  dtype?: DType;
  /** Record operations on the new tensor for backward (a leaf whose `.grad` fills in). */
  requiresGrad?: boolean;
  /** Where the elements live: `"cpu"` (the default) or `"webgpu"` (after `await torch.webgpu.init()`). */
  device?: Device;
}

/**
 * Options of `backward` and `autograd.grad`.
 *
 * @example
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * const y = x.pow(2).sum();
 * y.backward(undefined, { retainGraph: true });
 * y.backward(); // the graph is still there
 * x.grad!.tolist(); // [4, 8]
 */
export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients (implies retainGraph). */
  createGraph?: boolean;
}

/**
 * The right-hand side of arithmetic: another tensor or a plain number.
 *
 * @example
 * const a: Operand = 2;
 * const b: Operand = torch.tensor([1, 2]);
 * torch.tensor([1, 2]).mul(a).add(b).tolist(); // [3, 6]
 */
export type Operand = Tensor | number;

/**
 * A shape given as an array or as separate numbers: `reshape([2, 3])` or `reshape(2, 3)`.
 *
 * @example
 * const t = torch.arange(6);
 * t.reshape(2, 3).shape; // [2, 3]
 * t.reshape([3, 2]).shape; // [3, 2]
 */
export type ShapeArgs = [readonly number[]] | number[];

export function shapeFromArgs(args: ShapeArgs): number[] {
  return Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

/**
 * Checks that argument `name` of `op` is a Tensor (a TorchletError naming what it got otherwise).
 *
 * @example
 * checkTensor("mm", "other", torch.zeros(2, 2)); // passes
 * checkTensor("mm", "other", [[1, 2]]); // throws: mm: argument 'other' must be a Tensor, got an array [1,2]
 */
export function checkTensor(op: string, name: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) throw argumentError(op, name, "a Tensor", value);
}

/**
 * Checks the options of `backward` and `autograd.grad`: an object whose flags, when given, are booleans.
 *
 * @example
 * checkBackwardOptions("backward", { retainGraph: true }); // passes
 * checkBackwardOptions("backward", { retainGraph: "yes" }); // throws
 */
export function checkBackwardOptions(op: string, options: BackwardOptions): void {
  if (!isPlainObject(options))
    throw argumentError(op, "options", "an object such as { retainGraph: true }", options);
  for (const flag of ["retainGraph", "createGraph"] as const) {
    const value = options[flag];
    if (value !== undefined && typeof value !== "boolean") throw argumentError(op, flag, "a boolean", value);
  }
}

/** `tensors` as cat and stack take it: an array of Tensors. */
function checkTensorList(op: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors)) throw argumentError(op, "tensors", "an array of Tensors", tensors);
  for (const [i, t] of tensors.entries()) checkTensor(op, `tensors[${i}]`, t);
}

function isPlainObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Tensor);
}

/**
 * Checks that argument `name` of `op` is an operand: a Tensor, a number or a boolean. `"1"`, `null`,
 * `undefined`, arrays and bigints are refused here, at the public boundary, rather than read as NaN or
 * coerced; two typeof tests, so the per-op overhead does not feel them.
 *
 * @example
 * checkOperand("add", "other", 2); // passes
 * checkOperand("add", "other", "1"); // throws: add: argument 'other' must be a Tensor, a number or a boolean, got the string "1"
 */
export function checkOperand(op: string, name: string, value: unknown): asserts value is Operand | boolean {
  if (typeof value !== "number" && typeof value !== "boolean" && !(value instanceof Tensor))
    throw argumentError(op, name, "a Tensor, a number or a boolean", value);
}

/**
 * A multi-dimensional array that can record the operations applied to it and compute gradients
 * (PyTorch's `torch.Tensor`). Create one with `torch.tensor`, `torch.zeros`, `torch.randn`, ...
 *
 * @example
 * const x = torch.tensor([[1, 2], [3, 4]]);
 * const w = torch.tensor([[1], [-0.5]], { requiresGrad: true });
 * const loss = x.mm(w).relu().sum();
 * loss.backward();
 * // x's first row meets w at relu's kink (0), which passes no gradient
 * w.grad; // [[3], [4]]
 */
export class Tensor {
  /** Gradient accumulated by backward (leaves, and non-leaves after `retainGrad()`). */
  grad: Tensor | null = null;
  /**
   * @internal the values: a strided view over storage shared with every view of this tensor. Replaced
   * only when `out=` resizes an empty tensor, as PyTorch resizes an empty `out`.
   */
  _array: StridedArray;
  /**
   * @internal the version counter, bumped by every in-place change, shared with views, checked by saved
   * tensors; created on first use (a tensor nobody views or changes in place stays at version 0).
   */
  _versionBox: { value: number } | null;
  /**
   * @internal the tensor this one is a differentiable view of (null when it owns its storage, and for
   * `detach()`, which shares storage and version counter but, as in PyTorch, is no view for autograd).
   */
  readonly _base: Tensor | null;
  /** @internal */
  _gradFn: GradFn | null = null;
  /** @internal */
  _requiresGrad = false;
  private accumulator: AccumulateGrad | null = null;

  /** @internal use the factories (`torch.tensor`, `torch.zeros`, ...) to create tensors. */
  constructor(array: StridedArray, viewOf: Tensor | null = null, differentiableView = true) {
    this._array = array;
    this._base = viewOf && differentiableView ? (viewOf._base ?? viewOf) : null;
    this._versionBox = viewOf ? viewOf._version : null;
  }

  /** @internal the shared version counter (see `_versionBox`). */
  get _version(): { value: number } {
    this._versionBox ??= { value: 0 };
    return this._versionBox;
  }

  // ---- properties ----

  /** The size of each dim, outermost first (`[]` for a scalar). */
  get shape(): readonly number[] {
    return this._array.shape;
  }
  /** The element type. */
  get dtype(): DType {
    return this._array.dtype;
  }
  /** Where the elements live: `"cpu"` or `"webgpu"`. */
  get device(): Device {
    return this._array.device;
  }
  /** The number of dims. */
  get ndim(): number {
    return this._array.ndim;
  }
  /** The number of dims (PyTorch's `dim()`). */
  dim(): number {
    return this._array.ndim;
  }
  /** The number of elements. */
  numel(): number {
    return this._array.numel;
  }
  /** The size of one dim (negative counts from the end), or the whole shape. */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    const d = dim < 0 ? dim + this.ndim : dim;
    if (!Number.isInteger(dim) || d < 0 || d >= this.ndim) {
      throw new TorchletError(`size: dimension ${dim} out of range for a ${this.ndim}-D tensor`);
    }
    return this.shape[d] as number;
  }

  /** The node that created this tensor in the autograd graph; null for leaves. */
  get gradFn(): GradFn | null {
    return this._gradFn;
  }
  /** True for tensors the user created (no gradFn); only leaves accumulate `.grad` by default. */
  get isLeaf(): boolean {
    return this._gradFn === null;
  }
  /** Whether operations on this tensor are recorded for backward; settable on leaves. */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  /** Same as `requiresGrad_(flag)`. */
  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /** Sets requiresGrad on a leaf (floating dtypes only); returns this. */
  requiresGrad_(flag = true): this {
    checkFlag("requiresGrad_", "requiresGrad", flag);
    if (!this.isLeaf) {
      throw new TorchletError(
        `requiresGrad_: you can only change requiresGrad flags of leaf tensors (this one has gradFn ${this._gradFn?.name}); use detach() for a copy outside the graph`,
      );
    }
    if (flag && !isFloating(this.dtype)) {
      throw new TorchletError(
        `requiresGrad_: only tensors of floating point dtype can require gradients, got ${this.dtype}`,
      );
    }
    this._requiresGrad = flag;
    return this;
  }

  /** Makes backward fill `.grad` of this non-leaf tensor too. */
  retainGrad(): this {
    if (!this._requiresGrad) {
      throw new TorchletError("retainGrad: can't retain the gradient of a tensor that does not require grad");
    }
    const fn = this._gradFn;
    if (fn) {
      fn._retained ??= [];
      if (!fn._retained.includes(this)) fn._retained.push(this);
    }
    return this;
  }
  /** True when backward fills `.grad` of this tensor. */
  get retainsGrad(): boolean {
    return this._gradFn?._retained?.includes(this) ?? false;
  }

  /** @internal the leaf's gradient sink, created once so every use of the leaf shares it. */
  _gradAccumulator(): AccumulateGrad {
    this.accumulator ??= new AccumulateGrad(this);
    return this.accumulator;
  }

  // ---- reading values ----

  /**
   * The value of a one-element tensor as a JS number (int64 exactly: it holds at most 2^53 - 1), or,
   * for a bool tensor, a boolean, as PyTorch's `item()` gives Python's `True`/`False`.
   */
  item(): number | boolean {
    this.onCpu("item", "await t.itemAsync()");
    if (this.numel() !== 1) {
      throw new TorchletError(
        `item: a tensor with ${this.numel()} elements (shape ${fmtShape(this.shape)}) cannot be converted to a number`,
      );
    }
    // The one element lies at the offset, whatever the strides.
    const value = this._array.data[this._array.offset] as number;
    return this.dtype === "bool" ? value !== 0 : value;
  }

  /** Nested JS arrays of the values (a plain number for a 0-d tensor; booleans for bool; int64 as exact numbers). */
  tolist(): unknown {
    this.onCpu("tolist", "await t.tolistAsync()");
    return this._array.toNested();
  }

  /**
   * The values in row-major order as a fresh typed array of the tensor's dtype: Float32Array,
   * Float64Array, Int32Array, Uint8Array (bool, 0/1) or BigInt64Array (int64; `tolist()` gives numbers).
   */
  toTypedArray(): StridedArray["data"] | BigInt64Array {
    this.onCpu("toTypedArray", "await t.data()");
    const data = this._array.copy().data;
    if (this.dtype === "int64") return BigInt64Array.from(data as Float64Array, (v) => BigInt(v));
    // an array of its own, never a view into a shared slab (see storage's allocate)
    return data.byteLength === data.buffer.byteLength ? data : data.slice();
  }

  /** Printed as R torch prints: values, then `[ CPUFloatType{2,3} ][ grad_fn = <AddBackward0> ]`. */
  toString(): string {
    this.onCpu("toString", "(await t.cpuAsync()).toString()");
    return formatTensor(this._array, {
      gradFn: this._gradFn?.name ?? null,
      requiresGrad: this.isLeaf && this._requiresGrad,
    });
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    if (this.device !== "cpu")
      return `tensor(${this.dtype} ${fmtShape(this.shape)} on ${this.device}; print (await t.cpuAsync()))`;
    return this.toString();
  }

  /** A synchronous reader of a device tensor: an error naming the asynchronous one. */
  private onCpu(reader: string, instead: string): void {
    if (this.device === "cpu") return;
    throw new TorchletError(
      `${reader}: this ${this.dtype} ${fmtShape(this.shape)} tensor is on ${this.device}, whose values arrive asynchronously; use ${instead}`,
    );
  }

  // ---- reading values asynchronously (any device) ----

  /** The tensor on the CPU: itself when already there, else a copy read back from its device (outside the graph). */
  async cpuAsync(): Promise<Tensor> {
    if (this.device === "cpu") return this;
    return new Tensor(await deviceBackend("cpuAsync", this.device as "webgpu").download(this._array));
  }

  /** The values in row-major order as a fresh typed array of the dtype (as `toTypedArray()`), on any device. */
  async data(): Promise<StridedArray["data"] | BigInt64Array> {
    return (await this.cpuAsync()).toTypedArray();
  }

  /** `item()` on any device. */
  async itemAsync(): Promise<number | boolean> {
    return (await this.cpuAsync()).item();
  }

  /** `tolist()` on any device. */
  async tolistAsync(): Promise<unknown> {
    return (await this.cpuAsync()).tolist();
  }

  // ---- elementwise math ----

  /** Each element limited to [min, max] (either bound null for none); NaN stays NaN (torch.clamp). */
  clamp(min: number | null, max: number | null = null): Tensor {
    for (const [name, bound] of [
      ["min", min],
      ["max", max],
    ] as const) {
      if (bound !== null && typeof bound !== "number")
        throw argumentError("clamp", name, "a number or null", bound);
    }
    if (min === null && max === null)
      throw new TorchletError("clamp: at least one of min and max must not be null");
    const out = noGrad(() => {
      // PyTorch's result_type with the bounds: an int32 tensor clamped to 0.5 is float32.
      let r: Tensor = this;
      for (const bound of [min, max]) if (bound !== null) r = r.to(resultType(r, bound));
      if (min !== null) r = where(r.lt(min), min, r);
      if (max !== null) r = where(r.gt(max), max, r);
      return r;
    });
    return record("clamp", [this], out._array, { min, max });
  }
  /** The remainder of `this / other` with the sign of `other`, as Python's `%` (torch.remainder). */
  remainder(other: Operand, options?: OutOptions): Tensor {
    return binaryOp("remainder", this, other, options);
  }
  /** The larger of each pair of elements, broadcasting; NaN wins (torch.maximum). */
  maximum(other: Tensor, options?: OutOptions): Tensor {
    return binaryOp("maximum", this, other, options);
  }
  /** The smaller of each pair of elements, broadcasting; NaN wins (torch.minimum). */
  minimum(other: Tensor, options?: OutOptions): Tensor {
    return binaryOp("minimum", this, other, options);
  }
  /** `this + other`, broadcasting. */
  add(other: Operand, options?: OutOptions): Tensor {
    return binaryOp("add", this, other, options);
  }
  /** `this - other`, broadcasting. */
  sub(other: Operand, options?: OutOptions): Tensor {
    return binaryOp("sub", this, other, options);
  }
  /** `this * other`, broadcasting. */
  mul(other: Operand, options?: OutOptions): Tensor {
    return binaryOp("mul", this, other, options);
  }
  /** True division: integer inputs give a float result, as in PyTorch. */
  div(other: Operand, options?: OutOptions): Tensor {
    return binaryOp("div", this, other, options);
  }
  /** `this ** exponent`, broadcasting. */
  pow(exponent: Operand, options?: OutOptions): Tensor {
    return binaryOp("pow", this, exponent, options);
  }
  /** `-this`. */
  neg(options?: OutOptions): Tensor {
    return unaryOp("neg", this, options);
  }
  /** e to the power of each element. */
  exp(options?: OutOptions): Tensor {
    return unaryOp("exp", this, options);
  }
  /** The natural logarithm of each element. */
  log(options?: OutOptions): Tensor {
    return unaryOp("log", this, options);
  }
  /** The square root of each element. */
  sqrt(options?: OutOptions): Tensor {
    return unaryOp("sqrt", this, options);
  }
  /** The absolute value of each element. */
  abs(options?: OutOptions): Tensor {
    return unaryOp("abs", this, options);
  }
  /** -1, 0 or 1 by the sign of each element. */
  sign(options?: OutOptions): Tensor {
    return unaryOp("sign", this, options);
  }
  /** `max(x, 0)` elementwise. */
  relu(options?: OutOptions): Tensor {
    return unaryOp("relu", this, options);
  }
  /** `1 / (1 + exp(-x))` elementwise. */
  sigmoid(options?: OutOptions): Tensor {
    return unaryOp("sigmoid", this, options);
  }
  /** The hyperbolic tangent of each element. */
  tanh(options?: OutOptions): Tensor {
    return unaryOp("tanh", this, options);
  }
  /** The sine of each element (radians). */
  sin(options?: OutOptions): Tensor {
    return unaryOp("sin", this, options);
  }
  /** The cosine of each element (radians). */
  cos(options?: OutOptions): Tensor {
    return unaryOp("cos", this, options);
  }
  /** `log(1 + x)` elementwise, accurate for small x. */
  log1p(options?: OutOptions): Tensor {
    return unaryOp("log1p", this, options);
  }
  /** `exp(x) - 1` elementwise, accurate for small x. */
  expm1(options?: OutOptions): Tensor {
    return unaryOp("expm1", this, options);
  }
  /** The error function `2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt`, elementwise. */
  erf(options?: OutOptions): Tensor {
    return unaryOp("erf", this, options);
  }
  /** `1 / x` elementwise. */
  reciprocal(options?: OutOptions): Tensor {
    return unaryOp("reciprocal", this, options);
  }
  /** `1 / sqrt(x)` elementwise. */
  rsqrt(options?: OutOptions): Tensor {
    return unaryOp("rsqrt", this, options);
  }
  /** Each element times itself, in the input's dtype (bool refused). */
  square(options?: OutOptions): Tensor {
    return unaryOp("square", this, options);
  }
  /** The largest integer not above each element. */
  floor(options?: OutOptions): Tensor {
    return unaryOp("floor", this, options);
  }
  /** The smallest integer not below each element. */
  ceil(options?: OutOptions): Tensor {
    return unaryOp("ceil", this, options);
  }
  /** Each element rounded towards zero. */
  trunc(options?: OutOptions): Tensor {
    return unaryOp("trunc", this, options);
  }
  /** Each element rounded to the nearest integer, halves to even (as torch.round). */
  round(options?: OutOptions): Tensor {
    return unaryOp("round", this, options);
  }

  // ---- comparisons (bool results, never recorded) ----

  /** `this == other` elementwise, as a bool tensor. */
  eq(other: Operand, options?: OutOptions): Tensor {
    return compareOp("eq", this, other, options);
  }
  /** `this != other` elementwise, as a bool tensor. */
  ne(other: Operand, options?: OutOptions): Tensor {
    return compareOp("ne", this, other, options);
  }
  /** `this > other` elementwise, as a bool tensor. */
  gt(other: Operand, options?: OutOptions): Tensor {
    return compareOp("gt", this, other, options);
  }
  /** `this >= other` elementwise, as a bool tensor. */
  ge(other: Operand, options?: OutOptions): Tensor {
    return compareOp("ge", this, other, options);
  }
  /** `this < other` elementwise, as a bool tensor. */
  lt(other: Operand, options?: OutOptions): Tensor {
    return compareOp("lt", this, other, options);
  }
  /** `this <= other` elementwise, as a bool tensor. */
  le(other: Operand, options?: OutOptions): Tensor {
    return compareOp("le", this, other, options);
  }

  /** PyTorch's `Tensor.where(condition, other)`: this where `condition` holds, else `other`. */
  where(condition: Tensor, other: Operand): Tensor {
    return where(condition, this, other);
  }

  // ---- matrix products ----

  /** The 2-D matrix product [n, k] x [k, m]. */
  mm(other: Tensor, options?: OutOptions): Tensor {
    if (options?.out) return computedOut("mm", [this, other], options.out, "product", () => this.mm(other));
    const dtype = sameDType("mm", this, other);
    return record(
      "mm",
      [this, other],
      backendFor("mm", this._array, other._array).mm(this._array, other._array, dtype, "mm"),
      undefined,
    );
  }

  /** Batched matrix product [b, n, k] x [b, k, m]. */
  bmm(other: Tensor, options?: OutOptions): Tensor {
    if (options?.out) return computedOut("bmm", [this, other], options.out, "product", () => this.bmm(other));
    const dtype = sameDType("bmm", this, other);
    return record(
      "bmm",
      [this, other],
      backendFor("bmm", this._array, other._array).bmm(this._array, other._array, dtype, "bmm"),
      undefined,
    );
  }

  /** Inner product of two 1-D tensors of the same length. */
  dot(other: Tensor): Tensor {
    const dtype = sameDType("dot", this, other);
    if (this.ndim !== 1 || other.ndim !== 1 || this.shape[0] !== other.shape[0]) {
      throw new TorchletError(
        `dot: expects two 1-D tensors of the same length, got shapes ${fmtShape(this.shape)} and ${fmtShape(other.shape)}`,
      );
    }
    const out = backendFor("dot", this._array, other._array)
      .mm(this._array.unsqueeze(0), other._array.unsqueeze(1), dtype, "dot")
      .reshape([]);
    return record("dot", [this, other], out, undefined);
  }

  /** Matrix-vector product [n, k] x [k]. */
  mv(vec: Tensor): Tensor {
    const dtype = sameDType("mv", this, vec);
    if (this.ndim !== 2 || vec.ndim !== 1 || this.shape[1] !== vec.shape[0]) {
      throw new TorchletError(
        `mv: expects a 2-D matrix and a 1-D vector of matching size, got shapes ${fmtShape(this.shape)} and ${fmtShape(vec.shape)}`,
      );
    }
    const out = backendFor("mv", this._array, vec._array)
      .mm(this._array, vec._array.unsqueeze(1), dtype, "mv")
      .squeeze(1);
    return record("mv", [this, vec], out, undefined);
  }

  /**
   * torch.matmul: dot for 1-D x 1-D, mv / mm for matrices, and batched products that broadcast the
   * batch dims otherwise. It takes PyTorch's routes (folding batch dims into one mm where it can), so
   * results carry the same grad_fn (UnsafeViewBackward0 for batched products).
   */
  matmul(other: Tensor, options?: OutOptions): Tensor {
    checkTensor("matmul", "other", other);
    const b = other;
    if (options?.out) return computedOut("matmul", [this, b], options.out, "product", () => this.matmul(b));
    if (this.ndim === 0 || b.ndim === 0) {
      throw new TorchletError(
        `matmul: both arguments need to be at least 1-D, got shapes ${fmtShape(this.shape)} and ${fmtShape(b.shape)}`,
      );
    }
    sameDType("matmul", this, b);
    const k = this.shape[this.ndim - 1] as number;
    const k2 = b.shape[b.ndim === 1 ? 0 : b.ndim - 2] as number;
    const batchA = this.shape.slice(0, -2);
    const batchB = b.shape.slice(0, -2);
    if (k !== k2 || !broadcastable(batchA, batchB)) {
      throw new TorchletError(
        `matmul: shapes ${fmtShape(this.shape)} and ${fmtShape(b.shape)} cannot be multiplied (inner sizes ${k} and ${k2}, batch dims ${fmtShape(batchA)} and ${fmtShape(batchB)})`,
      );
    }
    if (this.ndim <= 2 && b.ndim <= 2) {
      if (this.ndim === 1) return b.ndim === 1 ? this.dot(b) : this.unsqueeze(0).mm(b).squeeze(0);
      return b.ndim === 1 ? this.mv(b) : this.mm(b);
    }
    if (b.ndim === 1 || (b.ndim === 2 && !keepBatched(this._array))) {
      // Fold the batch dims into the rows of one mm / mv (their count spelled out: with k = 0, -1
      // would be ambiguous).
      const rows = this.shape.slice(0, -1);
      const folded = this.reshape(numel(rows), k);
      const product = b.ndim === 2 ? folded.mm(b) : folded.mv(b);
      return unsafeView(product, b.ndim === 2 ? [...rows, b.shape[1] as number] : rows);
    }
    if (this.ndim <= 2) {
      // (a b)^T = b^T a^T, which folds as above.
      const product = b.transpose(-1, -2).matmul(this.ndim === 2 ? this.t() : this);
      return this.ndim === 2 ? product.transpose(-1, -2).contiguous() : product;
    }
    const batch = broadcastShapes("matmul", batchA, batchB);
    const [m, n] = [this.shape[this.ndim - 2] as number, b.shape[b.ndim - 1] as number];
    const count = numel(batch);
    const flatA = this.expand([...batch, m, k]).reshape([count, m, k]);
    const flatB = b.expand([...batch, k, n]).reshape([count, k, n]);
    return unsafeView(flatA.bmm(flatB), [...batch, m, n]);
  }

  // ---- reductions ----

  /**
   * Sum of all elements, or over `dim` (a number or a list; negative counts from the end). Integer and
   * bool tensors sum to int64, as in PyTorch.
   */
  sum(dim?: number | readonly number[] | null, keepdim = false, options?: OutOptions): Tensor {
    const out = options?.out;
    // PyTorch sums in out's dtype (its `dtype=`): the input is converted first.
    if (out) return computedOut("sum", [this], out, "converted", () => this.to(out.dtype).sum(dim, keepdim));
    const dtype = isFloating(this.dtype) ? this.dtype : "int64";
    return reduceOp("sum", this, dim, keepdim, dtype);
  }

  /** Mean of all elements, or over `dim`. Floating dtypes only, as in PyTorch. */
  mean(dim?: number | readonly number[] | null, keepdim = false, options?: OutOptions): Tensor {
    const out = options?.out;
    if (out) {
      // in out's floating dtype, as PyTorch's `dtype=`; another dtype is the castability error
      const source = () => (isFloating(out.dtype) ? this.to(out.dtype) : this);
      return computedOut("mean", [this], out, "castable", () => source().mean(dim, keepdim));
    }
    if (!isFloating(this.dtype)) {
      throw new TorchletError(
        `mean: could not infer output dtype; input dtype must be floating point, got ${this.dtype}`,
      );
    }
    return reduceOp("mean", this, dim, keepdim, this.dtype);
  }

  // ---- softmax family (stable: the line's maximum is subtracted before exp) ----

  /**
   * `exp(x) / sum(exp(x))` along `dim`; stable for large logits.
   *
   * @example
   * torch.tensor([[1, 2, 3]]).softmax(1).tolist(); // [[0.0900, 0.2447, 0.6652]]
   * torch.tensor([1e4, 1e4]).softmax(0).tolist(); // [0.5, 0.5]
   */
  softmax(dim: number): Tensor {
    return softmax(kit, this, dim);
  }
  /**
   * `x - log(sum(exp(x)))` along `dim`: log-probabilities, stable for large logits.
   *
   * @example
   * torch.tensor([0, 0]).logSoftmax(0).tolist(); // [-0.6931, -0.6931]
   * torch.tensor([1e4, 0]).logSoftmax(0).tolist(); // [0, -10000]
   */
  logSoftmax(dim: number): Tensor {
    return logSoftmax(kit, this, dim);
  }
  /**
   * `log(sum(exp(x)))` over `dim` (a number or a list), without overflow.
   *
   * @example
   * torch.tensor([1e4, 1e4], { dtype: "float64" }).logsumexp(0).item(); // 10000.6931
   * torch.tensor([[0, 0], [1, 1]]).logsumexp(1, true).tolist(); // [[0.6931], [1.6931]]
   */
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return logsumexp(kit, this, dim, keepdim);
  }

  // ---- reductions by dim ----

  /**
   * The largest element; with `dim`, the largest along it and where (`{ values, indices }`; the first
   * index among ties, NaN wins).
   *
   * @example
   * const x = torch.tensor([[1, 5, 5], [7, 0, 2]]);
   * x.max().item(); // 7
   * x.max(1).values.tolist(); // [5, 7]
   * x.max(1).indices.tolist(); // [1, 0]
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? wholeExtremum("max", this) : extremumDim(kit, "max", this, dim, keepdim);
  }
  /**
   * The smallest element; with `dim`, the smallest along it and where (`{ values, indices }`).
   *
   * @example
   * const x = torch.tensor([[1, 5, 0], [7, 0, 2]]);
   * x.min().item(); // 0
   * x.min(1, true).indices.tolist(); // [[2], [1]]
   */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? wholeExtremum("min", this) : extremumDim(kit, "min", this, dim, keepdim);
  }
  /**
   * The largest values over `dim` (a number or a list; every dim when omitted); ties share the gradient.
   *
   * @example
   * torch.tensor([[1, 5], [7, 0]]).amax(0).tolist(); // [7, 5]
   * torch.tensor([[1, 5], [7, 0]]).amax([0, 1]).item(); // 7
   */
  amax(dim?: Dims, keepdim = false, options?: OutOptions): Tensor {
    if (options?.out) return computedOut("amax", [this], options.out, "input", () => this.amax(dim, keepdim));
    return amaxAmin(kit, "amax", this, dim, keepdim);
  }
  /**
   * The smallest values over `dim` (a number or a list; every dim when omitted).
   *
   * @example
   * torch.tensor([[1, 5], [7, 0]]).amin(1).tolist(); // [1, 0]
   */
  amin(dim?: Dims, keepdim = false, options?: OutOptions): Tensor {
    if (options?.out) return computedOut("amin", [this], options.out, "input", () => this.amin(dim, keepdim));
    return amaxAmin(kit, "amin", this, dim, keepdim);
  }
  /**
   * The product of all elements, or along `dim`; integers and bool give int64.
   *
   * @example
   * torch.tensor([[1, 2], [3, 4]]).prod().item(); // 24
   * torch.tensor([[1, 2], [3, 4]]).prod(1).tolist(); // [2, 12]
   */
  prod(dim?: number | null, keepdim = false, options?: OutOptions): Tensor {
    const out = options?.out;
    if (out)
      return computedOut("prod", [this], out, "converted", () => this.to(out.dtype).prod(dim, keepdim));
    return prod(kit, this, dim, keepdim);
  }
  /**
   * The variance over `dim` (every dim when omitted), dividing by `n - correction` (1 by default).
   *
   * @example
   * torch.tensor([1, 2, 3, 4]).var().item(); // 1.6667
   * torch.tensor([1, 2, 3, 4]).var(0, { correction: 0 }).item(); // 1.25
   */
  var(dim?: Dims, options: VarOptions = {}): Tensor {
    return variance(kit, "var", this, dim, options);
  }
  /**
   * The standard deviation: the square root of `var` with the same options.
   *
   * @example
   * torch.tensor([[1, 3], [2, 2]]).std(1).tolist(); // [1.4142, 0]
   */
  std(dim?: Dims, options: VarOptions = {}): Tensor {
    return variance(kit, "std", this, dim, options);
  }
  /**
   * The p-norm (2 by default; also 1, 0, ±Infinity, any p) over `dim` (every dim when omitted).
   *
   * @example
   * torch.tensor([3, -4]).norm().item(); // 5
   * torch.tensor([[3, -4], [1, 1]]).norm(1, 1).tolist(); // [7, 2]
   */
  norm(p = 2, dim?: Dims, keepdim = false): Tensor {
    return norm(kit, this, p, dim, keepdim);
  }
  /**
   * Running sums along `dim`; integers and bool give int64.
   *
   * @example
   * torch.tensor([[1, 2, 3]]).cumsum(1).tolist(); // [[1, 3, 6]]
   */
  cumsum(dim: number): Tensor {
    return cumsum(kit, this, dim);
  }
  /**
   * Whether every element (over `dim`, when given) is non-zero, as a bool tensor.
   *
   * @example
   * torch.tensor([[1, 0], [2, 3]]).all(1).tolist(); // [false, true]
   */
  all(dim?: Dims, keepdim = false): Tensor {
    return allAny(kit, "all", this, dim, keepdim);
  }
  /**
   * Whether some element (over `dim`, when given) is non-zero, as a bool tensor.
   *
   * @example
   * torch.tensor([[1, 0], [0, 0]]).any(1).tolist(); // [true, false]
   */
  any(dim?: Dims, keepdim = false): Tensor {
    return allAny(kit, "any", this, dim, keepdim);
  }

  // ---- indexing ----

  /**
   * The view at `index` along `dim`, which it drops (PyTorch's `x[i]` along dim 0).
   *
   * @example
   * const x = torch.tensor([[1, 2], [3, 4]]);
   * x.select(0, -1).tolist(); // [3, 4]
   * x.select(1, 0).tolist(); // [1, 3]
   */
  select(dim: number, index: number): Tensor {
    return select(kit, this, dim, index);
  }
  /**
   * The view of `length` elements from `start` along `dim` (negative `start` counts from the end).
   *
   * @example
   * torch.tensor([[1, 2, 3], [4, 5, 6]]).narrow(1, 1, 2).tolist(); // [[2, 3], [5, 6]]
   */
  narrow(dim: number, start: number, length: number): Tensor {
    return narrow(kit, this, dim, start, length);
  }
  /**
   * `out[i][j] = this[index[i][j]][j]` for dim 0 (likewise for any dim); `index` holds int64 positions.
   *
   * @example
   * const x = torch.tensor([[1, 2], [3, 4]]);
   * x.gather(1, torch.tensor([[1], [0]], { dtype: "int64" })).tolist(); // [[2], [3]]
   */
  gather(dim: number, index: Tensor): Tensor {
    checkTensor("gather", "index", index);
    return gather(kit, this, dim, index);
  }
  /**
   * The slices along `dim` at the positions of the 1-D integer tensor `index` (repeats allowed).
   *
   * @example
   * const x = torch.tensor([[1, 2], [3, 4], [5, 6]]);
   * x.indexSelect(0, torch.tensor([2, 0, 2], { dtype: "int32" })).tolist(); // [[5, 6], [1, 2], [5, 6]]
   */
  indexSelect(dim: number, index: Tensor): Tensor {
    checkTensor("indexSelect", "index", index);
    return indexSelect(kit, this, dim, index);
  }
  /**
   * A copy with `src`'s elements (or the number `src`) written where `index` says along `dim`:
   * `out[index[i][j]][j] = src[i][j]` for dim 0.
   *
   * @example
   * const index = torch.tensor([[1, 0]], { dtype: "int64" });
   * torch.zeros(2, 2).scatter(0, index, torch.tensor([[5, 6]])).tolist(); // [[0, 6], [5, 0]]
   * torch.zeros(2, 2).scatter(0, index, 9).tolist(); // [[0, 9], [9, 0]]
   */
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor {
    checkTensor("scatter", "index", index);
    checkOperand("scatter", "src", src);
    // a number is stored as a value: PyTorch's checked conversion (3e9 into int32 is refused)
    const value = src instanceof Tensor ? src : castInRange("scatter", this.dtype, wrappedNumber(src));
    return scatter(kit, this, dim, index, value, false);
  }
  /**
   * A copy with `src`'s elements added where `index` says along `dim` (repeats accumulate).
   *
   * @example
   * const index = torch.tensor([0, 1, 0], { dtype: "int64" });
   * torch.zeros(2).scatterAdd(0, index, torch.tensor([1, 2, 3])).tolist(); // [4, 2]
   */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    checkTensor("scatterAdd", "index", index);
    checkTensor("scatterAdd", "src", src);
    return scatter(kit, this, dim, index, src, true);
  }
  /**
   * A copy (broadcast with `mask`) holding `value` (a number or a 0-d tensor) where the bool `mask` is true.
   *
   * @example
   * const x = torch.tensor([1, -2, 3]);
   * x.maskedFill(x.lt(0), 0).tolist(); // [1, 0, 3]
   */
  maskedFill(mask: Tensor, value: Tensor | number): Tensor {
    checkTensor("maskedFill", "mask", mask);
    checkOperand("maskedFill", "value", value);
    return maskedFill(kit, this, mask, value instanceof Tensor ? value : wrappedNumber(value));
  }
  /**
   * The elements where the bool `mask` (broadcast with this tensor) is true, as a 1-D tensor.
   *
   * @example
   * const x = torch.tensor([[1, -2], [-3, 4]]);
   * x.maskedSelect(x.gt(0)).tolist(); // [1, 4]
   */
  maskedSelect(mask: Tensor): Tensor {
    checkTensor("maskedSelect", "mask", mask);
    return maskedSelect(kit, this, mask);
  }
  /**
   * A copy (broadcast with `mask`) whose positions where `mask` is true take `source`'s elements in
   * row-major order (maskedSelect's inverse).
   *
   * @example
   * const mask = torch.tensor([true, false, true]);
   * torch.zeros(3).maskedScatter(mask, torch.tensor([7, 8])).tolist(); // [7, 0, 8]
   */
  maskedScatter(mask: Tensor, source: Tensor): Tensor {
    checkTensor("maskedScatter", "mask", mask);
    checkTensor("maskedScatter", "source", source);
    return maskedScatter(kit, this, mask, source);
  }

  /**
   * PyTorch's `x[...]` with the C++ frontend's index kinds: numbers, `torch.Slice(start, end, step)`,
   * `null` (new axis), `"..."`, integer tensors and bool masks. Numbers, slices, `null` and `"..."`
   * alone give a view; tensors then gather a copy (advanced indexing, PyTorch's rules for where the
   * indexed dims go).
   *
   * @example
   * const x = torch.arange(12).reshape(3, 4);
   * x.index([1]).tolist(); // [4, 5, 6, 7]
   * x.index(["...", torch.Slice(null, null, 2)]).tolist(); // [[0, 2], [4, 6], [8, 10]]
   * x.index([torch.tensor([2, 0], { dtype: "int64" }), -1]).tolist(); // [11, 3]
   * x.index([x.gt(9)]).tolist(); // [10, 11]
   * x.index([null, 0]).shape; // [1, 4]
   */
  index(items: readonly IndexItem[]): Tensor {
    return index(kit, this, items);
  }
  /**
   * PyTorch's `x[...] = values` (`index_put_`): writes `values` (a tensor broadcast to the indexed
   * shape, or a number), or adds them with `accumulate`, where `index(items)` reads; returns this.
   *
   * @example
   * const x = torch.zeros(2, 3);
   * x.indexPut_([0, torch.Slice(1)], 5).tolist(); // [[0, 5, 5], [0, 0, 0]]
   * const i = torch.tensor([1, 1], { dtype: "int64" });
   * x.indexPut_([i, i], torch.tensor([1, 2]), true).tolist(); // [[0, 5, 5], [0, 3, 0]]
   */
  indexPut_(items: readonly IndexItem[], values: Tensor | number, accumulate = false): this {
    checkOperand("indexPut_", "values", values);
    checkFlag("indexPut_", "accumulate", accumulate);
    const v = values instanceof Tensor ? values : kit.scalar("indexPut_", Number(values), this.dtype);
    return this.inplace("indexPut_", v, (self) => indexPut(kit, self, items, v, accumulate));
  }

  // ---- splitting (views) ----

  /**
   * Views of consecutive pieces along `dim`: of `size` elements each (the last may be smaller), or of
   * the listed sizes.
   *
   * @example
   * torch.arange(5).split(2).map((t) => t.tolist()); // [[0, 1], [2, 3], [4]]
   * torch.arange(5).split([1, 4]).map((t) => t.shape[0]); // [1, 4]
   */
  split(sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
    return split(kit, this, sizeOrSizes, dim);
  }
  /**
   * `n` views of equal size along `dim` (the last may be smaller; fewer when the dim is short).
   *
   * @example
   * torch.arange(6).chunk(4).map((t) => t.tolist()); // [[0, 1], [2, 3], [4, 5]]
   */
  chunk(n: number, dim = 0): Tensor[] {
    return chunk(kit, this, n, dim);
  }
  /**
   * The views at each index along `dim`, which they drop.
   *
   * @example
   * torch.tensor([[1, 2], [3, 4]]).unbind(1).map((t) => t.tolist()); // [[1, 3], [2, 4]]
   */
  unbind(dim = 0): Tensor[] {
    return unbind(kit, this, dim);
  }
  /**
   * The index (int64) of the largest element: into the flattened tensor, or along `dim` (`keepdim`
   * keeps it as size 1). The first of equal elements wins, and NaN beats every number, as in PyTorch.
   * Never recorded: an index has no gradient.
   *
   * @example
   * const t = torch.tensor([[1, 5, 5], [7, 0, 2]]);
   * t.argmax().item(); // 3
   * t.argmax(1).tolist(); // [1, 0]
   * t.argmax(1).dtype; // "int64"
   */
  argmax(dim: number | null = null, keepdim = false): Tensor {
    checkFlag("argmax", "keepdim", keepdim);
    return new Tensor(backendFor("argmax", this._array).argReduce("argmax", this._array, dim, keepdim));
  }
  /**
   * The index (int64) of the smallest element, overall or along `dim` (first of ties; NaN wins).
   *
   * @example
   * torch.tensor([[1, 5, 5], [7, 0, 0]]).argmin(1, true).tolist(); // [[0], [1]]
   */
  argmin(dim: number | null = null, keepdim = false): Tensor {
    checkFlag("argmin", "keepdim", keepdim);
    return new Tensor(backendFor("argmin", this._array).argReduce("argmin", this._array, dim, keepdim));
  }

  // ---- shape (views share storage) ----

  /** A view with a new shape; an error when the strides do not allow one (use reshape). */
  view(...shape: ShapeArgs): Tensor {
    return record("reshape", [this], this._array.view(shapeFromArgs(shape)), { kind: "view" }, true);
  }

  /** A tensor with a new shape: a view when the strides allow it, else a copy. One dim may be -1. */
  reshape(...shape: ShapeArgs): Tensor {
    const target = inferShape("reshape", shapeFromArgs(shape), this.numel());
    const asView = this._array.tryView(target);
    if (asView) return record("reshape", [this], asView, { kind: "alias" }, true);
    // PyTorch's route: a contiguous clone, then an `_unsafe_view` of it.
    return unsafeView(record("clone", [this], copyOf("reshape", this._array), undefined), target);
  }

  /** All elements as a 1-D tensor. */
  flatten(): Tensor {
    return this.reshape([-1]);
  }

  /** A view with a size-1 dim inserted at `dim` (negative counts from the end). */
  unsqueeze(dim: number): Tensor {
    const out = this._array.unsqueeze(dim);
    return record("unsqueeze", [this], out, { dim: dim < 0 ? dim + this.ndim + 1 : dim }, true);
  }

  /** Removes size-1 dims: all of them, or only `dim`. */
  squeeze(dim?: number): Tensor {
    return record("squeeze", [this], this._array.squeeze(dim), { dim: dim ?? null }, true);
  }

  /** A view with dims `dim0` and `dim1` swapped. */
  transpose(dim0: number, dim1: number): Tensor {
    return record("transpose", [this], this._array.transpose(dim0, dim1), { dim0, dim1, t: false }, true);
  }

  /** Transpose of a matrix (a 0-D or 1-D tensor is returned as it is, as a view). */
  t(): Tensor {
    if (this.ndim > 2) {
      throw new TorchletError(
        `t: expects a tensor with <= 2 dimensions, but got shape ${fmtShape(this.shape)}; use transpose`,
      );
    }
    const dim1 = this.ndim === 2 ? 1 : 0;
    return record("transpose", [this], this._array.transpose(0, dim1), { dim0: 0, dim1, t: true }, true);
  }

  /** A view with the dims reordered: dim i of the result is dim `dims[i]` of this one. */
  permute(...dims: ShapeArgs): Tensor {
    const order = shapeFromArgs(dims);
    const out = this._array.permute(order);
    return record("permute", [this], out, { dims: order.map((d) => (d < 0 ? d + this.ndim : d)) }, true);
  }

  /** Broadcasts to a larger shape without copying (-1 keeps a size). */
  expand(...shape: ShapeArgs): Tensor {
    return record("expand", [this], this._array.expand(shapeFromArgs(shape)), undefined, true);
  }

  /** This tensor when already contiguous, else a contiguous copy. */
  contiguous(): Tensor {
    return this._array.isContiguous()
      ? this
      : record("clone", [this], copyOf("contiguous", this._array), undefined);
  }

  /** A copy with its own storage, still connected to the graph. */
  clone(): Tensor {
    return record("clone", [this], copyOf("clone", this._array, this.dtype, true), undefined);
  }

  /**
   * The same values converted to a dtype (recorded for backward), or on another device (this tensor
   * itself when nothing changes). Moving to a device is a copy outside the graph, so a tensor that
   * requires grad is refused while recording: create it on the device (`{ device }`) instead. Moving a
   * device's tensor to the CPU waits for the device: `await t.cpuAsync()`.
   */
  to(dtypeOrDevice: DType | Device): Tensor {
    if (dtypeOrDevice === "cpu" || dtypeOrDevice === "webgpu") {
      const device = dtypeOrDevice;
      if (device === this.device) return this;
      if (isGradEnabled() && this._requiresGrad) {
        throw new TorchletError(
          `to: moving a ${this.dtype} ${fmtShape(this.shape)} tensor that requires grad to ${device} is not recorded for backward; create it there with { device: "${device}" }, or move it under torch.noGrad (module.to does)`,
        );
      }
      return new Tensor(transfer("to", this._array, device));
    }
    const dtype = dtypeOrDevice;
    if (dtype === this.dtype) return this;
    checkDType("to", dtype);
    return record("to", [this], copyOf("to", this._array, dtype, true), undefined);
  }

  /** A tensor sharing this one's storage, outside the graph. */
  detach(): Tensor {
    return new Tensor(this._array, this, false);
  }

  /**
   * @internal ones of this tensor's shape, dtype and device, outside the graph: backward's implicit
   * gradient (the engine cannot import the factories, which import this module).
   */
  _onesLike(): Tensor {
    const ones = StridedArray.zeros(this.shape, this.dtype, "backward");
    ones.data.fill(1);
    return new Tensor(transfer("backward", ones, this.device));
  }

  // ---- in place ----

  /** Adds `other` in place; returns this. */
  add_(other: Operand): this {
    return this.inplace(
      "add_",
      other,
      (self) => self.add(other),
      () => binaryInPlace("add", this, other),
    );
  }
  /** Subtracts `other` in place; returns this (the SGD step: `w.sub_(w.grad.mul(lr))`). */
  sub_(other: Operand): this {
    return this.inplace(
      "sub_",
      other,
      (self) => self.sub(other),
      () => binaryInPlace("sub", this, other),
    );
  }
  /** Multiplies by `other` in place; returns this. */
  mul_(other: Operand): this {
    return this.inplace(
      "mul_",
      other,
      (self) => self.mul(other),
      () => binaryInPlace("mul", this, other),
    );
  }
  /** Divides by `other` in place; returns this. */
  div_(other: Operand): this {
    return this.inplace(
      "div_",
      other,
      (self) => self.div(other),
      () => binaryInPlace("div", this, other),
    );
  }
  /** Sets every element to zero. */
  zero_(): this {
    return this.inplace(
      "zero_",
      0,
      (self) => filled(self, 0, true),
      () => fillInPlace(this, 0),
    );
  }
  /** Sets every element to `value`. */
  fill_(value: number): this {
    checkScalar("fill_", "value", value);
    return this.inplace(
      "fill_",
      value,
      (self) => filled(self, value, false),
      () => fillInPlace(this, value),
    );
  }

  /**
   * Writes the out-of-place result of `compute` into this tensor's storage. Everything is computed and
   * validated first, so a failing call leaves the tensor untouched. While recording, the new values get
   * the out-of-place op's grad_fn, computed from a snapshot of the old values.
   */
  private inplace(
    op: string,
    other: Operand,
    compute: (self: Tensor) => Tensor,
    direct: () => boolean = () => false,
  ): this {
    checkOperand(op, "other", other);
    const recording =
      isGradEnabled() && (this._requiresGrad || (other instanceof Tensor && other._requiresGrad));
    if (recording && this.isLeaf && this._requiresGrad) {
      throw new TorchletError(
        `${op}: a leaf tensor that requires grad (shape ${fmtShape(this.shape)}) is being used in an in-place operation; wrap the update in torch.noGrad`,
      );
    }
    // PyTorch would rewrite the base's history (CopySlices); torchlet refuses rather than leave the
    // base's gradient silently wrong.
    if (recording && this._base !== null) {
      const what = this._base._requiresGrad
        ? "a tensor that requires grad"
        : "a tensor, with an operand that requires grad,";
      throw new TorchletError(
        `${op}: in-place changes to a view of ${what} are not supported while recording (shape ${fmtShape(this.shape)}); clone() the view or use torch.noGrad`,
      );
    }
    if (hasRepeatedElements(this._array)) {
      throw new TorchletError(
        `${op}: more than one element of the written-to tensor (shape ${fmtShape(this.shape)}, strides ${fmtShape(this._array.strides)}) refers to a single memory location; clone() it first`,
      );
    }
    // Outside the graph, the common cases write straight into this tensor's storage (same values as
    // computing the result and copying it in, without the temporary).
    if (!recording && direct()) {
      this._version.value++;
      return this;
    }
    const result = compute(recording ? this.snapshot() : this);
    if (!shapesEqual(result.shape, this.shape)) {
      throw new TorchletError(
        `${op}: output with shape ${fmtShape(this.shape)} doesn't match the broadcast shape ${fmtShape(result.shape)}`,
      );
    }
    if (!canCast(result.dtype, this.dtype)) {
      throw new TorchletError(
        `${op}: result type ${typeName(result.dtype)} can't be cast to the desired output type ${typeName(this.dtype)}`,
      );
    }
    backendFor(op, this._array, result._array).copyInto(this._array, result._array);
    this._version.value++;
    if (recording) {
      this._gradFn = result._gradFn;
      this._requiresGrad = result._requiresGrad;
    }
    return this;
  }

  /** A copy of the current values that keeps this tensor's place in the graph. */
  private snapshot(): Tensor {
    const copy = new Tensor(copyOf("snapshot", this._array));
    copy._gradFn = this._gradFn;
    copy._requiresGrad = this._requiresGrad;
    if (this.isLeaf && this._requiresGrad) copy.accumulator = this._gradAccumulator();
    return copy;
  }

  // ---- autograd ----

  /**
   * Computes the gradient of this tensor with respect to the graph's leaves and adds it into their
   * `.grad`. Without `gradient`, the tensor must hold one element (the loss).
   */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    if (gradient !== undefined && gradient !== null && !(gradient instanceof Tensor)) {
      const hint = isPlainObject(gradient)
        ? "; options go second: backward(undefined, { retainGraph: true })"
        : "";
      throw new TorchletError(
        `${argumentError("backward", "gradient", "a Tensor", gradient).message}${hint}`,
      );
    }
    checkBackwardOptions("backward", options);
    runBackward([this], gradient ? [gradient] : [null], options, null);
  }
}

// ---- op plumbing: compute with the backend, then record the node when grad mode asks for it ----

/**
 * Wraps a kernel's output in a Tensor and, when grad mode is on and an input requires grad, attaches
 * the grad_fn built from the op's row of the derivative table. Views share their input's storage and
 * version counter.
 */
function record<K extends OpName>(
  op: K,
  inputs: readonly Tensor[],
  out: StridedArray,
  attrs: AttrsOf<K>,
  isView = false,
): Tensor {
  const result = new Tensor(out, isView ? (inputs[0] as Tensor) : null);
  // Integer and bool results never require grad in PyTorch (e.g. `x.to("int32")`).
  if (!isGradEnabled() || !isFloating(out.dtype)) return result;
  let recording = false;
  for (let i = 0; i < inputs.length; i++) recording ||= (inputs[i] as Tensor)._requiresGrad;
  if (!recording) return result;
  const row = derivatives[op] as unknown as Derivative<AttrsOf<K>>;
  const name = typeof row.name === "string" ? row.name : row.name(attrs);
  const each = row.each;
  const formulas = (each ? inputs.map(() => each) : row.grads) as Formulas;
  const next = new Array<GradFn | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i] as Tensor;
    next[i] = t._requiresGrad ? (t._gradFn ?? t._gradAccumulator()) : null;
  }
  result._gradFn = new GradFn(name, next, formulas, inputs, result, attrs, row.saves);
  result._requiresGrad = true;
  return result;
}

/** What the op families in ./ops need from this module (see OpKit). */
const kit: OpKit = {
  record,
  wrap: (array) => new Tensor(array),
  // The numbers maskedFill and indexPut_ store: PyTorch refuses one the dtype cannot hold.
  scalar: (op, value, dtype) => scalarTensor(op, value, dtype, castInRange),
};

/** A JS number as a 0-d tensor of `dtype` (PyTorch's wrapped number); `op` names the op for errors. */
/** A JS boolean is PyTorch's wrapped bool: false stores as 0, true as 1 (in every dtype). */
function wrappedNumber(value: number | boolean): number {
  return typeof value === "boolean" ? Number(value) : value;
}

function scalarTensor(op: string, value: number, dtype: DType, convert = castChecked): Tensor {
  const array = StridedArray.zeros([], dtype);
  array.data[0] = convert(op, dtype, wrappedNumber(value));
  return new Tensor(array);
}

/**
 * An elementwise op of two operands, by its record: the dtype rule gives the result dtype (and checks
 * the operands), a number becomes a 0-d tensor of the dtype it is computed in, and a tensor whose
 * values that dtype does not hold exactly (a 0-d float64 operand of a float32 result) is read cast to
 * it (`arrayIn`).
 */
function binaryOp(
  op: "add" | "sub" | "mul" | "div" | "pow" | "remainder" | "maximum" | "minimum",
  a: Tensor,
  other: Operand,
  options?: OutOptions,
): Tensor {
  checkOperand(op, op === "pow" ? "exponent" : "other", other);
  const dtype = resultDType(op, ELEMENTWISE[op].dtype, a, other);
  const b = other instanceof Tensor ? other : scalarTensor(op, other, dtype);
  // computed from copies in the common dtype; recorded with the operands themselves, whose versions
  // the backward checks and to whose dtypes the engine casts their gradients
  const xs = arrayIn(a, dtype);
  const bs = arrayIn(b, dtype);
  if (op === "remainder" && !isFloating(dtype) && xs.deviceStorage === null) checkDivisor(op, xs, bs);
  // PyTorch's pow by a number takes sqrt and rsqrt for ±0.5 (its pow_tensor_scalar kernel): then
  // (-Inf) ** 0.5 is NaN and (-0) ** 0.5 is -0, where C's pow (a tensor exponent) gives Inf and 0.
  const half = op === "pow" && (other === 0.5 || other === -0.5) && isFloating(dtype);
  const on = backendFor(op, xs, bs);
  const compute = (into?: StridedArray): StridedArray =>
    half
      ? on.unary(other === 0.5 ? "sqrt" : "rsqrt", xs, dtype, into)
      : on.binary(op, xs, bs, dtype, op, into);
  if (options?.out) return elementwiseOut(op, [a, b], dtype, options.out, compute);
  const out = compute();
  if (op === "pow" && !(other instanceof Tensor)) return record("powScalar", [a], out, { exponent: other });
  if (op === "remainder" && !(other instanceof Tensor)) return record("remainderScalar", [a], out, undefined);
  return record(op, [a, b], out, undefined);
}

/**
 * An integer division's divisor must hold no zero where the result has elements (each of its elements
 * is then used): PyTorch raises ZeroDivisionError, where the formula would store NaN cast to an integer.
 */
function checkDivisor(op: string, a: StridedArray, b: StridedArray): void {
  if (numel(broadcastShapes(op, a.shape, b.shape)) === 0) return;
  const divisor = b.isContiguous() ? b : b.copy();
  const d = divisor.data;
  for (let i = divisor.offset, end = divisor.offset + divisor.numel; i < end; i++) {
    if (d[i] === 0) {
      throw new TorchletError(
        `${op}: ZeroDivisionError: integer division by zero (${a.dtype} ${fmtShape(a.shape)} by ${b.dtype} ${fmtShape(b.shape)} holding 0)`,
      );
    }
  }
}

/** A comparison: a bool result, the operands compared in their common dtype (never recorded). */
function compareOp(op: BinaryOp, a: Tensor, other: Operand, options?: OutOptions): Tensor {
  checkOperand(op, "other", other);
  resultDType(op, ELEMENTWISE[op].dtype, a, other); // the rule's checks
  const common = resultType(a, other);
  const b = other instanceof Tensor ? other : scalarTensor(op, other, common);
  const [xs, bs] = [arrayIn(a, common), arrayIn(b, common)];
  const compute = (into?: StridedArray): StridedArray =>
    backendFor(op, xs, bs).binary(op, xs, bs, "bool", op, into);
  if (options?.out) return elementwiseOut(op, [a, b], "bool", options.out, compute);
  return new Tensor(compute());
}

/**
 * `t`'s values as an operand computed in `dtype`: its own array where every value of its dtype is
 * exact in `dtype` (the kernels read doubles), else a copy cast to `dtype`, as PyTorch's
 * TensorIterator casts its inputs.
 */
function arrayIn(t: Tensor, dtype: DType): StridedArray {
  return t.dtype === dtype || EXACT_IN[dtype].has(t.dtype)
    ? t._array
    : copyOf("promote", t._array, dtype, true);
}

/** The dtypes whose every value a dtype holds exactly (int64 is kept within ±(2^53 - 1)). */
const EXACT_IN: Record<DType, ReadonlySet<DType>> = {
  bool: new Set(),
  int32: new Set(["bool"]),
  int64: new Set(["bool", "int32"]),
  float32: new Set(["bool"]),
  float64: new Set(["bool", "int32", "int64", "float32"]),
};

function unaryOp(op: UnaryOp, a: Tensor, options?: OutOptions): Tensor {
  const dtype = resultDType(op, ELEMENTWISE[op].dtype, a);
  const compute = (into?: StridedArray): StridedArray =>
    backendFor(op, a._array).unary(op, a._array, dtype, into);
  if (options?.out) return elementwiseOut(op, [a], dtype, options.out, compute);
  return record(op, [a], compute(), undefined);
}

/**
 * Any elementwise op of the registry with `out=`: the kernel writes straight into out's storage when
 * it can (contiguous, the result's dtype), else the result is cast into it (see writeOut).
 */
function elementwiseOut(
  op: UnaryOp | BinaryOp,
  inputs: readonly Tensor[],
  dtype: DType,
  out: Tensor,
  compute: (into: StridedArray | undefined) => StridedArray,
): Tensor {
  const [a, b] = inputs as [Tensor, Tensor | undefined];
  const shape = b === undefined ? a.shape : broadcastShapes(op, a.shape, b.shape);
  // PyTorch's ops of one operand that keep its dtype (neg, abs, floor, ...) want out of that dtype
  const match = b === undefined && ELEMENTWISE[op].dtype.result === "common" ? "same" : "castable";
  const call = { op, inputs, shape, dtype, match, overlap: true } as const;
  return writeOut(call, out, compute);
}

/**
 * `compute` (run outside the graph: `out=` records nothing) written into `out`, for the reductions
 * and products, whose kernels allocate their result (see writeOut for the checks).
 */
function computedOut(
  op: string,
  inputs: readonly Tensor[],
  out: Tensor,
  match: OutDType,
  compute: () => Tensor,
): Tensor {
  const result = noGrad(compute);
  const call = { op, inputs, shape: result.shape, dtype: result.dtype, match, overlap: false };
  return writeOut(call, out, () => result._array);
}

function reduceOp(
  op: "sum" | "mean",
  a: Tensor,
  dim: number | readonly number[] | null | undefined,
  keepdim: boolean,
  dtype: DType,
): Tensor {
  const all = dim === undefined || dim === null;
  const dims = reductionDims(op, dim, a.ndim, keepdim);
  const out = backendFor(op, a._array).reduce(op, a._array, dims, all ? false : keepdim, dtype);
  return record(op, [a], out, { dims: all ? null : dims, keepdim: all ? false : keepdim });
}

function wholeExtremum(op: "max" | "min", a: Tensor): Tensor {
  if (a.numel() === 0) {
    throw new TorchletError(
      `${op}: expected a non-empty tensor, got shape ${fmtShape(a.shape)}; specify a dim for empty tensors`,
    );
  }
  return record(
    op,
    [a],
    backendFor(op, a._array).reduce(op, a._array, reductionDims(op, null, a.ndim), false),
    undefined,
  );
}

/** PyTorch's `_unsafe_view`: a view of a freshly computed result, recorded as UnsafeViewBackward0. */
function unsafeView(t: Tensor, shape: readonly number[]): Tensor {
  return record("reshape", [t], t._array.view(shape), { kind: "copy" }, true);
}

/**
 * PyTorch's exception to folding a 3-D operand into one mm: when its last two dims are transposed
 * under a slowest batch dim, folding would copy, so the batched product runs instead.
 */
function keepBatched(a: StridedArray): boolean {
  const [b, m, k] = a.shape as [number, number, number];
  return a.ndim === 3 && a.strides[2] !== 1 && a.strides[0] === m * k && b > 0;
}

function broadcastable(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i] as number;
    const y = b[b.length - i] as number;
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}

function sameDType(op: string, a: Tensor, b: Tensor): DType {
  checkTensor(op, "other", b);
  if (a.dtype !== b.dtype) {
    throw new TorchletError(
      `${op}: expected both operands to have the same dtype, got ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}`,
    );
  }
  if (a.dtype === "bool") throw new TorchletError(`${op}: not implemented for bool tensors`);
  return a.dtype;
}

/**
 * `self op= other` computed into self's storage, when that gives exactly what the out-of-place op and
 * a copy would: self contiguous, the result's dtype self's, `other` broadcasting to self's shape and
 * not overlapping self in another layout. Returns false (nothing written) otherwise, and the caller
 * takes the general route with its checks and errors.
 */
function binaryInPlace(op: "add" | "sub" | "mul" | "div", self: Tensor, other: Operand): boolean {
  const a = self._array;
  if (!a.isContiguous()) return false;
  let dtype: DType;
  try {
    dtype = resultDType(op, ELEMENTWISE[op].dtype, self, other);
  } catch {
    return false; // the general route raises the op's error
  }
  if (dtype !== self.dtype) return false;
  let b: StridedArray;
  if (other instanceof Tensor) {
    if (arrayIn(other, dtype) !== other._array) return false; // the general route casts it first
    b = other._array;
    if (!broadcastsTo(b.shape, a.shape)) return false;
    const sameLayout =
      b.offset === a.offset && shapesEqual(b.shape, a.shape) && shapesEqual(b.strides, a.strides);
    if (!sameLayout && sharesStorage(a, b)) return false;
  } else {
    b = scalarTensor(op, other, dtype)._array;
  }
  const kernels = backendFor(op, a, b);
  const out = kernels.binary(op, a, b, dtype, op, a);
  if (out !== a) kernels.copyInto(a, out);
  return true;
}

/** Whether several elements of `a` are one memory location (a stride 0 on a dim of size above 1). */
function hasRepeatedElements(a: StridedArray): boolean {
  for (let d = 0; d < a.ndim; d++) if (a.strides[d] === 0 && (a.shape[d] as number) > 1) return true;
  return false;
}

/** True when `from` broadcasts to exactly `to` (no new dims in front of `to`'s). */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  for (let i = 0; i < from.length; i++) {
    const f = from[i] as number;
    if (f !== 1 && f !== to[i + lead]) return false;
  }
  return true;
}

/** `fill_`/`zero_` written into self's storage when it is contiguous (cast to its dtype). */
function fillInPlace(self: Tensor, value: number): boolean {
  const a = self._array;
  if (!a.isContiguous()) return false;
  backendFor("fill_", a).fill(a, castInRange("fill_", a.dtype, wrappedNumber(value)), "fill_");
  return true;
}

function filled(self: Tensor, value: number, zero: boolean): Tensor {
  const out = transfer("fill_", StridedArray.zeros(self.shape, self.dtype), self.device);
  if (!zero)
    backendFor("fill_", out).fill(out, castInRange("fill_", self.dtype, wrappedNumber(value)), "fill_");
  return record("fill", [self], out, { zero });
}

/** A copy of `a` with storage of its own on a's device (contiguous unless `preserveLayout`). */
function copyOf(op: string, a: StridedArray, dtype: DType = a.dtype, preserveLayout = false): StridedArray {
  return backendFor(op, a).copy(a, dtype, preserveLayout);
}

/** Whether two arrays may share elements: overlapping byte ranges on the CPU, one storage on a device. */
function sharesStorage(a: StridedArray, b: StridedArray): boolean {
  if (a.device === "cpu" && b.device === "cpu") return sharesMemory(a.data, b.data);
  return a.source === b.source;
}

/**
 * `torch.where(condition, x, y)`: elements of `x` where `condition` is true, of `y` elsewhere; all
 * three broadcast. The result's dtype is `resultType` of `x` and `y` (`where(c, int32, 2.5)` is float32).
 *
 * @example
 * const x = torch.tensor([-1, 2, -3]);
 * torch.where(x.gt(0), x, 0).tolist(); // [0, 2, 0]
 */
export function where(condition: Tensor, x: Operand, y: Operand): Tensor {
  checkTensor("where", "condition", condition);
  checkOperand("where", "input", x);
  checkOperand("where", "other", y);
  if (condition.dtype !== "bool") {
    throw new TorchletError(
      `where: condition must be a bool tensor, got ${condition.dtype} ${fmtShape(condition.shape)}`,
    );
  }
  const dtype = resultType(x, y);
  const tx = x instanceof Tensor ? x : scalarTensor("where", x, dtype);
  const ty = y instanceof Tensor ? y : scalarTensor("where", y, dtype);
  return record(
    "where",
    [tx, ty],
    backendFor("where", condition._array, tx._array, ty._array).where(
      condition._array,
      tx._array,
      ty._array,
      dtype,
    ),
    {
      condition,
    },
  );
}

/**
 * The tensors joined along an existing `dim` (all the same shape but for that dim; a 1-D empty tensor
 * is skipped, as in PyTorch); dtypes promote.
 *
 * @example
 * const a = torch.tensor([[1, 2]]);
 * torch.cat([a, torch.tensor([[3, 4]])]).tolist(); // [[1, 2], [3, 4]]
 * torch.cat([a, a], 1).tolist(); // [[1, 2, 1, 2]]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList("cat", tensors);
  return catOp(kit, tensors, dim);
}

/**
 * The tensors (all of one shape) joined along a new `dim`.
 *
 * @example
 * const a = torch.tensor([1, 2]);
 * torch.stack([a, a.mul(10)]).tolist(); // [[1, 2], [10, 20]]
 * torch.stack([a, a.mul(10)], 1).tolist(); // [[1, 10], [2, 20]]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  checkTensorList("stack", tensors);
  return stackOp(kit, tensors, dim);
}

/**
 * A 2-D convolution (PyTorch's cross-correlation, `torch.conv2d`, also `torch.nn.functional.conv2d`):
 * `input` `[batch, in, h, w]` (or unbatched `[in, h, w]`), `weight` `[out, in / groups, kh, kw]`,
 * `bias` `[out]` or null; gradients to all three (ConvolutionBackward0).
 *
 * @example
 * const x = torch.arange(16, { dtype: "float32" }).reshape(1, 1, 4, 4);
 * const w = torch.ones(1, 1, 2, 2);
 * torch.conv2d(x, w, null, { stride: 2 }).tolist(); // [[[[10, 18], [42, 50]]]]
 * torch.conv2d(x, w, torch.tensor([1]), { padding: 1 }).shape; // [1, 1, 5, 5]
 * torch.conv2d(x, torch.ones(1, 2, 2, 2), null); // throws TorchletError: conv2d: Given groups=1, weight of size [1, 2, 2, 2], expected input[1, 1, 4, 4] to have 2 channels
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: Conv2dOptions = {},
): Tensor {
  return conv2dOp(kit, input, weight, bias, options);
}

/**
 * The maximum of every `kernelSize` window of every `[h, w]` plane (`torch.max_pool2d`, also
 * `torch.nn.functional.maxPool2d`); MaxPool2DWithIndicesBackward0 sends the gradient to each maximum.
 *
 * @example
 * const x = torch.arange(16, { dtype: "float32" }).reshape(1, 1, 4, 4);
 * torch.maxPool2d(x, 2).tolist(); // [[[[5, 7], [13, 15]]]]
 */
export function maxPool2d(input: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  return maxPoolOp(kit, input, kernelSize, options).values;
}

/**
 * `maxPool2d` with the position of each maximum, `h * w_in + w` within its plane, as int64
 * (`torch.nn.functional.max_pool2d(..., return_indices=True)`).
 *
 * @example
 * const x = torch.arange(16, { dtype: "float32" }).reshape(1, 1, 4, 4);
 * torch.maxPool2dWithIndices(x, 2).indices.tolist(); // [[[[5, 7], [13, 15]]]]
 */
export function maxPool2dWithIndices(
  input: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions = {},
): ValuesIndices {
  return maxPoolOp(kit, input, kernelSize, options);
}

/**
 * Batch normalisation over dim 1 (`torch.batch_norm`, also `torch.nn.functional.batchNorm`): with
 * `{ training: true }` the batch's mean and biased variance normalise and the running statistics (if
 * given) move towards them in place, the variance unbiased; otherwise the running ones normalise.
 * `weight` and `bias` (`[channels]`) may be null. NativeBatchNormBackward0.
 *
 * @example
 * const x = torch.tensor([[1, 10], [3, 30]]);
 * const mean = torch.zeros(2);
 * const variance = torch.ones(2);
 * torch.batchNorm(x, mean, variance, null, null, { training: true, eps: 0 }).tolist(); // [[-1, -1], [1, 1]]
 * mean.tolist(); // [0.2, 2]
 * variance.tolist(); // [1.1, 20.9]
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  options: BatchNormOptions = {},
): Tensor {
  return batchNormOp(kit, input, runningMean, runningVar, weight, bias, options);
}

/**
 * The average of every `kernelSize` window of every `[h, w]` plane (`torch.nn.functional.avg_pool2d`);
 * AvgPool2DBackward0.
 *
 * @example
 * const x = torch.arange(16, { dtype: "float32" }).reshape(1, 1, 4, 4);
 * torch.avgPool2d(x, 2).tolist(); // [[[[2.5, 4.5], [10.5, 12.5]]]]
 */
export function avgPool2d(input: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  return avgPool2dOp(kit, input, kernelSize, options);
}

/**
 * The derivative table: the single place where torchlet defines gradients (see derivatives.ts).
 *
 * @example
 * torch.derivatives.mul.name; // "MulBackward0"
 * torch.derivatives.exp.saves; // ["result"]
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * x.mul(3).gradFn!.name; // "MulBackward0"
 */
export const derivatives: DerivativeTable = derivativeTable({
  where,
  wrap: (array) => new Tensor(array),
  cat,
  im2col: (x, window) => im2col(kit, x, window),
  col2im: (cols, window) => col2im(kit, cols, window),
});

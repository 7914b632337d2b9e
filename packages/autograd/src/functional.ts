import type { DType } from "@torchlet/storage";
import type { OutOptions } from "./ops/out.js";
import { checkTensor, type Operand, type ShapeArgs, type Tensor } from "./tensor.js";

// torch.NAME(tensor, ...) forms of the Tensor methods, as PyTorch offers both spellings. The first
// argument is checked to be a Tensor (`torch.add(undefined, 1)` is a TorchletError, not a TypeError);
// the method checks the rest.

function input(op: string, a: unknown): Tensor {
  checkTensor(op, "input", a);
  return a;
}

/**
 * `a + b`, broadcasting (`a.add(b)`); with `{ out }` written into `out` (PyTorch's `out=`), which it
 * returns. Every elementwise function takes the same option.
 *
 * @example
 * torch.add(torch.tensor([1, 2]), 10).tolist(); // [11, 12]
 * const out = torch.zeros(2);
 * torch.add(torch.tensor([1, 2]), 10, { out }) === out; // true
 * torch.exp(torch.tensor([0, 0]), { out }).tolist(); // [1, 1]
 */
export const add = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("add", a).add(b, options);
/**
 * `a - b`, broadcasting (`a.sub(b)`).
 *
 * @example
 * torch.sub(torch.tensor([5, 7]), torch.tensor([1, 2])).tolist(); // [4, 5]
 */
export const sub = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("sub", a).sub(b, options);
/**
 * `a * b`, broadcasting (`a.mul(b)`).
 *
 * @example
 * torch.mul(torch.tensor([[1], [2]]), torch.tensor([3, 4])).tolist(); // [[3, 4], [6, 8]]
 */
export const mul = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("mul", a).mul(b, options);
/**
 * `a / b`, broadcasting (`a.div(b)`).
 *
 * @example
 * torch.div(torch.tensor([1, 3]), 2).tolist(); // [0.5, 1.5]
 */
export const div = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("div", a).div(b, options);
/**
 * `a ** exponent`, broadcasting (`a.pow(exponent)`).
 *
 * @example
 * torch.pow(torch.tensor([2, 3]), 2).tolist(); // [4, 9]
 */
export const pow = (a: Tensor, exponent: Operand, options?: OutOptions): Tensor =>
  input("pow", a).pow(exponent, options);
/**
 * Each element limited to [min, max], either bound null for none (`a.clamp(min, max)`).
 *
 * @example
 * torch.clamp(torch.tensor([-2, 0.5, 3]), 0, 1).tolist(); // [0, 0.5, 1]
 */
export const clamp = (a: Tensor, min: number | null, max: number | null = null): Tensor =>
  input("clamp", a).clamp(min, max);
/**
 * The remainder of `a / b` with the sign of `b`, as Python's `%` (`a.remainder(b)`).
 *
 * @example
 * torch.remainder(torch.tensor([5, -5]), 3).tolist(); // [2, 1]
 */
export const remainder = (a: Tensor, b: Operand, options?: OutOptions): Tensor =>
  input("remainder", a).remainder(b, options);
/**
 * The larger of each pair of elements, broadcasting; NaN propagates (`a.maximum(b)`).
 *
 * @example
 * torch.maximum(torch.tensor([1, 5]), torch.tensor([3, 2])).tolist(); // [3, 5]
 */
export const maximum = (a: Tensor, b: Tensor, options?: OutOptions): Tensor =>
  input("maximum", a).maximum(b, options);
/**
 * The smaller of each pair of elements, broadcasting; NaN propagates (`a.minimum(b)`).
 *
 * @example
 * torch.minimum(torch.tensor([1, 5]), torch.tensor([3, 2])).tolist(); // [1, 2]
 */
export const minimum = (a: Tensor, b: Tensor, options?: OutOptions): Tensor =>
  input("minimum", a).minimum(b, options);
/**
 * `-a` (`a.neg()`).
 *
 * @example
 * torch.neg(torch.tensor([1, -2])).tolist(); // [-1, 2]
 */
export const neg = (a: Tensor, options?: OutOptions): Tensor => input("neg", a).neg(options);
/**
 * e to the power of each element (`a.exp()`).
 *
 * @example
 * torch.exp(torch.tensor([0, 1])).tolist(); // [1, 2.7183]
 */
export const exp = (a: Tensor, options?: OutOptions): Tensor => input("exp", a).exp(options);
/**
 * The natural logarithm of each element (`a.log()`).
 *
 * @example
 * torch.log(torch.tensor([1, 100])).tolist(); // [0, 4.6052]
 */
export const log = (a: Tensor, options?: OutOptions): Tensor => input("log", a).log(options);
/**
 * The square root of each element (`a.sqrt()`).
 *
 * @example
 * torch.sqrt(torch.tensor([4, 9])).tolist(); // [2, 3]
 */
export const sqrt = (a: Tensor, options?: OutOptions): Tensor => input("sqrt", a).sqrt(options);
/**
 * The absolute value of each element (`a.abs()`).
 *
 * @example
 * torch.abs(torch.tensor([-1.5, 2])).tolist(); // [1.5, 2]
 */
export const abs = (a: Tensor, options?: OutOptions): Tensor => input("abs", a).abs(options);
/**
 * -1, 0 or 1 by the sign of each element (`a.sign()`).
 *
 * @example
 * torch.sign(torch.tensor([-3, 0, 2])).tolist(); // [-1, 0, 1]
 */
export const sign = (a: Tensor, options?: OutOptions): Tensor => input("sign", a).sign(options);
/**
 * `max(a, 0)` elementwise (`a.relu()`); `{ out }` must have the input's dtype, as for `neg` and `abs`.
 *
 * @example
 * torch.relu(torch.tensor([-1, 0, 2])).tolist(); // [0, 0, 2]
 * const x = torch.tensor([-1, 0, 2]);
 * torch.relu(x, { out: x }) === x; // true
 */
export const relu = (a: Tensor, options?: OutOptions): Tensor => input("relu", a).relu(options);
/**
 * `1 / (1 + exp(-a))` elementwise (`a.sigmoid()`).
 *
 * @example
 * torch.sigmoid(torch.tensor([0, 2])).tolist(); // [0.5, 0.8808]
 */
export const sigmoid = (a: Tensor, options?: OutOptions): Tensor => input("sigmoid", a).sigmoid(options);
/**
 * The hyperbolic tangent of each element (`a.tanh()`).
 *
 * @example
 * torch.tanh(torch.tensor([0, 1])).tolist(); // [0, 0.7616]
 */
export const tanh = (a: Tensor, options?: OutOptions): Tensor => input("tanh", a).tanh(options);
/**
 * The sine of each element, in radians (`a.sin()`).
 *
 * @example
 * torch.sin(torch.tensor([0, Math.PI / 2])).tolist(); // [0, 1]
 */
export const sin = (a: Tensor, options?: OutOptions): Tensor => input("sin", a).sin(options);
/**
 * The cosine of each element, in radians (`a.cos()`).
 *
 * @example
 * torch.cos(torch.tensor([0, Math.PI])).tolist(); // [1, -1]
 */
export const cos = (a: Tensor, options?: OutOptions): Tensor => input("cos", a).cos(options);
/**
 * `log(1 + a)` elementwise, accurate for small values (`a.log1p()`).
 *
 * @example
 * torch.log1p(torch.tensor([0, 1e-10], { dtype: "float64" })).tolist(); // [0, 1e-10]
 */
export const log1p = (a: Tensor, options?: OutOptions): Tensor => input("log1p", a).log1p(options);
/**
 * `exp(a) - 1` elementwise, accurate for small values (`a.expm1()`).
 *
 * @example
 * torch.expm1(torch.tensor([0, 1])).tolist(); // [0, 1.7183]
 */
export const expm1 = (a: Tensor, options?: OutOptions): Tensor => input("expm1", a).expm1(options);
/**
 * The error function elementwise (`a.erf()`), as `torch.erf`.
 *
 * @example
 * torch.erf(torch.tensor([0, 1])).tolist(); // [0, 0.8427]
 */
export const erf = (a: Tensor, options?: OutOptions): Tensor => input("erf", a).erf(options);
/**
 * `1 / a` elementwise (`a.reciprocal()`); integer inputs give float32.
 *
 * @example
 * torch.reciprocal(torch.tensor([2, -4])).tolist(); // [0.5, -0.25]
 */
export const reciprocal = (a: Tensor, options?: OutOptions): Tensor =>
  input("reciprocal", a).reciprocal(options);
/**
 * `1 / sqrt(a)` elementwise (`a.rsqrt()`).
 *
 * @example
 * torch.rsqrt(torch.tensor([4, 16])).tolist(); // [0.5, 0.25]
 */
export const rsqrt = (a: Tensor, options?: OutOptions): Tensor => input("rsqrt", a).rsqrt(options);
/**
 * The largest integer not above each element (`a.floor()`).
 *
 * @example
 * torch.floor(torch.tensor([1.5, -1.5])).tolist(); // [1, -2]
 */
export const floor = (a: Tensor, options?: OutOptions): Tensor => input("floor", a).floor(options);
/**
 * Each element times itself, keeping integer dtypes (`a.square()`); bool is a TorchletError.
 *
 * @example
 * torch.square(torch.tensor([-3, 2])).tolist(); // [9, 4]
 */
export const square = (a: Tensor, options?: OutOptions): Tensor => input("square", a).square(options);
/**
 * The smallest integer not below each element (`a.ceil()`).
 *
 * @example
 * torch.ceil(torch.tensor([1.5, -1.5])).tolist(); // [2, -1]
 */
export const ceil = (a: Tensor, options?: OutOptions): Tensor => input("ceil", a).ceil(options);
/**
 * Each element rounded towards zero (`a.trunc()`).
 *
 * @example
 * torch.trunc(torch.tensor([1.5, -1.5])).tolist(); // [1, -1]
 */
export const trunc = (a: Tensor, options?: OutOptions): Tensor => input("trunc", a).trunc(options);
/**
 * Each element rounded to the nearest integer, halves to even (`a.round()`).
 *
 * @example
 * torch.round(torch.tensor([0.5, 1.5, 2.5, -1.7])).tolist(); // [0, 2, 2, -2]
 */
export const round = (a: Tensor, options?: OutOptions): Tensor => input("round", a).round(options);
/**
 * `a == b` elementwise, as a bool tensor (`a.eq(b)`).
 *
 * @example
 * torch.eq(torch.tensor([1, 2]), 2).tolist(); // [false, true]
 */
export const eq = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("eq", a).eq(b, options);
/**
 * `a != b` elementwise, as a bool tensor (`a.ne(b)`).
 *
 * @example
 * torch.ne(torch.tensor([1, 2]), 2).tolist(); // [true, false]
 */
export const ne = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("ne", a).ne(b, options);
/**
 * `a > b` elementwise, as a bool tensor (`a.gt(b)`).
 *
 * @example
 * torch.gt(torch.tensor([1, 2, 3]), 2).tolist(); // [false, false, true]
 */
export const gt = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("gt", a).gt(b, options);
/**
 * `a >= b` elementwise, as a bool tensor (`a.ge(b)`).
 *
 * @example
 * torch.ge(torch.tensor([1, 2, 3]), 2).tolist(); // [false, true, true]
 */
export const ge = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("ge", a).ge(b, options);
/**
 * `a < b` elementwise, as a bool tensor (`a.lt(b)`).
 *
 * @example
 * torch.lt(torch.tensor([1, 2, 3]), 2).tolist(); // [true, false, false]
 */
export const lt = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("lt", a).lt(b, options);
/**
 * `a <= b` elementwise, as a bool tensor (`a.le(b)`).
 *
 * @example
 * torch.le(torch.tensor([1, 2, 3]), 2).tolist(); // [true, true, false]
 */
export const le = (a: Tensor, b: Operand, options?: OutOptions): Tensor => input("le", a).le(b, options);
/**
 * Matrix product as `torch.matmul`: 1-D, 2-D and batched with broadcasting (`a.matmul(b)`).
 *
 * @example
 * torch.matmul(torch.ones(2, 3), torch.ones(3)).tolist(); // [3, 3]
 * torch.matmul(torch.ones(5, 2, 3), torch.ones(3, 4)).shape; // [5, 2, 4]
 */
export const matmul = (a: Tensor, b: Tensor, options?: OutOptions): Tensor =>
  input("matmul", a).matmul(b, options);
/**
 * The product of two matrices, 2-D only (`a.mm(b)`).
 *
 * @example
 * torch.mm(torch.tensor([[1, 2]]), torch.tensor([[3], [4]])).tolist(); // [[11]]
 */
export const mm = (a: Tensor, b: Tensor, options?: OutOptions): Tensor => input("mm", a).mm(b, options);
/**
 * Batched matrix product of two 3-D tensors with the same batch size (`a.bmm(b)`).
 *
 * @example
 * torch.bmm(torch.ones(5, 2, 3), torch.ones(5, 3, 4)).shape; // [5, 2, 4]
 */
export const bmm = (a: Tensor, b: Tensor, options?: OutOptions): Tensor => input("bmm", a).bmm(b, options);
/**
 * The dot product of two 1-D tensors (`a.dot(b)`).
 *
 * @example
 * torch.dot(torch.tensor([1, 2]), torch.tensor([3, 4])).item(); // 11
 */
export const dot = (a: Tensor, b: Tensor): Tensor => input("dot", a).dot(b);
/**
 * Matrix times vector (`a.mv(b)`).
 *
 * @example
 * torch.mv(torch.tensor([[1, 2], [3, 4]]), torch.tensor([1, 1])).tolist(); // [3, 7]
 */
export const mv = (a: Tensor, b: Tensor): Tensor => input("mv", a).mv(b);
/**
 * The sum of all elements, or over `dim` (a number or a list), keeping it as size 1 if `keepdim` (`a.sum(dim, keepdim)`);
 * with `{ out }`, summed in out's dtype into out (PyTorch's `out=`).
 *
 * @example
 * const a = torch.tensor([[1, 2], [3, 4]]);
 * torch.sum(a).item(); // 10
 * torch.sum(a, 0).tolist(); // [4, 6]
 * torch.sum(a, 1, false, { out: torch.zeros([2], { dtype: "float64" }) }).tolist(); // [3, 7]
 */
export const sum = (
  a: Tensor,
  dim?: number | readonly number[] | null,
  keepdim?: boolean,
  options?: OutOptions,
): Tensor => input("sum", a).sum(dim, keepdim, options);
/**
 * The mean of all elements, or over `dim`, keeping it as size 1 if `keepdim` (`a.mean(dim, keepdim)`).
 *
 * @example
 * const a = torch.tensor([[1, 2], [3, 4]]);
 * torch.mean(a).item(); // 2.5
 * torch.mean(a, 1, true).tolist(); // [[1.5], [3.5]]
 */
export const mean = (
  a: Tensor,
  dim?: number | readonly number[] | null,
  keepdim?: boolean,
  options?: OutOptions,
): Tensor => input("mean", a).mean(dim, keepdim, options);
/**
 * The largest element, as a 0-d tensor (`a.max()`).
 *
 * @example
 * torch.max(torch.tensor([3, 7, 5])).item(); // 7
 */
export const max = (a: Tensor): Tensor => input("max", a).max();
/**
 * The smallest element, as a 0-d tensor (`a.min()`).
 *
 * @example
 * torch.min(torch.tensor([3, 7, 5])).item(); // 3
 */
export const min = (a: Tensor): Tensor => input("min", a).min();
/**
 * The int64 index of the largest element, overall or along `dim` (`a.argmax(dim, keepdim)`).
 *
 * @example
 * torch.argmax(torch.tensor([3, 7, 7])).item(); // 1
 * torch.argmax(torch.tensor([[3, 7], [9, 1]]), 0).tolist(); // [1, 0]
 */
export const argmax = (a: Tensor, dim: number | null = null, keepdim = false): Tensor =>
  input("argmax", a).argmax(dim, keepdim);
/**
 * The int64 index of the smallest element, overall or along `dim` (`a.argmin(dim, keepdim)`).
 *
 * @example
 * torch.argmin(torch.tensor([3, 1, 1])).item(); // 1
 */
export const argmin = (a: Tensor, dim: number | null = null, keepdim = false): Tensor =>
  input("argmin", a).argmin(dim, keepdim);
/**
 * The elements in a new shape (one size may be -1); a view when the strides allow (`a.reshape(...shape)`).
 *
 * @example
 * torch.reshape(torch.arange(6), 2, -1).shape; // [2, 3]
 * torch.reshape(torch.arange(6), [3, 2]).tolist(); // [[0, 1], [2, 3], [4, 5]]
 */
export const reshape = (a: Tensor, ...shape: ShapeArgs): Tensor => input("reshape", a).reshape(...shape);
/**
 * The elements as a 1-D tensor (`a.flatten()`).
 *
 * @example
 * torch.flatten(torch.zeros(2, 3, 4)).shape; // [24]
 */
export const flatten = (a: Tensor): Tensor => input("flatten", a).flatten();
/**
 * A view with a size-1 dim inserted at `dim` (`a.unsqueeze(dim)`).
 *
 * @example
 * torch.unsqueeze(torch.zeros(3), 0).shape; // [1, 3]
 * torch.unsqueeze(torch.zeros(3), -1).shape; // [3, 1]
 */
export const unsqueeze = (a: Tensor, dim: number): Tensor => input("unsqueeze", a).unsqueeze(dim);
/**
 * A view without size-1 dims (all of them, or only `dim`) (`a.squeeze(dim)`).
 *
 * @example
 * torch.squeeze(torch.zeros(1, 3, 1)).shape; // [3]
 * torch.squeeze(torch.zeros(1, 3, 1), 0).shape; // [3, 1]
 */
export const squeeze = (a: Tensor, dim?: number): Tensor => input("squeeze", a).squeeze(dim);
/**
 * A view with dims `dim0` and `dim1` swapped (`a.transpose(dim0, dim1)`).
 *
 * @example
 * torch.transpose(torch.zeros(2, 3, 4), 0, 2).shape; // [4, 3, 2]
 */
export const transpose = (a: Tensor, dim0: number, dim1: number): Tensor =>
  input("transpose", a).transpose(dim0, dim1);
/**
 * The transpose of a matrix (a 0-D or 1-D tensor is returned as is) (`a.t()`).
 *
 * @example
 * torch.t(torch.tensor([[1, 2, 3]])).tolist(); // [[1], [2], [3]]
 */
export const t = (a: Tensor): Tensor => input("t", a).t();
/**
 * A view with the dims reordered (`a.permute(...dims)`).
 *
 * @example
 * torch.permute(torch.zeros(2, 3, 4), 2, 0, 1).shape; // [4, 2, 3]
 */
export const permute = (a: Tensor, ...dims: ShapeArgs): Tensor => input("permute", a).permute(...dims);
/**
 * A copy with its own storage that stays in the graph: gradients flow back to `a` (`a.clone()`).
 *
 * @example
 * const a = torch.tensor([1, 2]);
 * const b = torch.clone(a).add_(1);
 * a.tolist(); // [1, 2]
 * b.tolist(); // [2, 3]
 */
export const clone = (a: Tensor): Tensor => input("clone", a).clone();
/**
 * A view of the same data cut from the graph: no gradient flows through it (`a.detach()`).
 *
 * @example
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * torch.detach(x.mul(2)).requiresGrad; // false
 */
export const detach = (a: Tensor): Tensor => input("detach", a).detach();
/**
 * The elements converted to `dtype` (`a.to(dtype)`); floats to int32 truncate toward zero.
 *
 * @example
 * torch.to(torch.tensor([1.7, -1.7]), "int32").tolist(); // [1, -1]
 */
export const to = (a: Tensor, dtype: DType): Tensor => input("to", a).to(dtype);
/**
 * `exp(a) / sum(exp(a))` along `dim`, stable for large logits (`a.softmax(dim)`).
 *
 * @example
 * torch.softmax(torch.tensor([0, Math.log(3)]), 0).tolist(); // [0.25, 0.75]
 */
export const softmax = (a: Tensor, dim: number): Tensor => input("softmax", a).softmax(dim);
/**
 * `a - log(sum(exp(a)))` along `dim`, stable for large logits (`a.logSoftmax(dim)`).
 *
 * @example
 * torch.logSoftmax(torch.tensor([[1e4, 1e4]]), 1).tolist(); // [[-0.6931, -0.6931]]
 */
export const logSoftmax = (a: Tensor, dim: number): Tensor => input("logSoftmax", a).logSoftmax(dim);

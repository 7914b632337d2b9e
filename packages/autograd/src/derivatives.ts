import { backendFor, type ELEMENTWISE, type ElementwiseOp, transfer, type Window2d } from "@torchlet/ops";
import { StridedArray, shapesEqual } from "@torchlet/storage";
import type { InputGrad } from "./grad-fn.js";
import { isGradEnabled } from "./grad-mode.js";
import type { ConvAttrs } from "./ops/convolution.js";
import type { BatchNormAttrs } from "./ops/normalization.js";
import { sumTo } from "./sum-to.js";
import type { Operand, Tensor } from "./tensor.js";

/**
 * One row of the derivative table: the grad_fn's name, per input in order the formula of that input's
 * gradient (null where no gradient flows), and what the formulas read (`saves`: input indices and
 * `"result"`), as PyTorch's derivatives.yaml: the graph keeps only those tensors alive, so forward
 * intermediates nothing reads are the garbage collector's as soon as the user drops them. Formulas are
 * written with Tensor ops, so a backward pass run with `createGraph` records them and gives
 * higher-order gradients for free. Broadcasting is not their concern: the engine sums each gradient
 * back to its input's shape (and dtype).
 *
 * @example
 * // A formula reads what the op saved (here its input) through the context.
 * const square: Derivative<undefined> = {
 *   name: "SquareBackward0",
 *   grads: [(grad, ctx) => grad.mul(ctx.input(0)).mul(2)],
 *   saves: [0],
 * };
 * square.grads.length; // 1
 */
export interface Derivative<Attrs> {
  /** The grad_fn name PyTorch shows, e.g. `"MulBackward0"` (a function when it depends on the attributes). */
  readonly name: string | ((attrs: Attrs) => string);
  /** One formula per input, in order: upstream gradient and saved context in, that input's gradient out. */
  readonly grads: ReadonlyArray<InputGrad<Attrs> | null>;
  /** Instead of `grads`, for ops of a list of inputs (cat, stack): one formula for every input, told its position. */
  readonly each?: InputGrad<Attrs>;
  /** The inputs (by index) and `"result"` the formulas read; nothing else is kept for backward. */
  readonly saves: readonly Saved[];
}

/**
 * What a derivative row keeps for backward: an input by index, or the op's result.
 *
 * @example
 * const saves: Saved[] = [0, "result"];
 * saves.length; // 2
 */
export type Saved = number | "result";

/** The elementwise ops with a derivative (every record marked differentiable). */
type DifferentiableElementwise = {
  [K in ElementwiseOp]: (typeof ELEMENTWISE)[K]["differentiable"] extends true ? K : never;
}[ElementwiseOp];

/** Attributes of reductions: the normalised dims (null = all) and keepdim. */
export interface ReduceAttrs {
  dims: number[] | null;
  keepdim: boolean;
}

/** Attributes of reductions over a list of dims that always names them (amax, logsumexp, var, ...). */
export interface DimsAttrs {
  dims: number[];
  keepdim: boolean;
}

/** Attributes of the ops that read or write at an index tensor's positions along a dim. */
export interface IndexAttrs {
  dim: number;
  index: Tensor;
}

/** The attributes each recorded op passes to its row: none for the elementwise ones. */
type AttrsTable = { [K in DifferentiableElementwise]: undefined } & {
  powScalar: { exponent: number };
  remainderScalar: undefined;
  clamp: { min: number | null; max: number | null };
  where: { condition: Tensor };
  mm: undefined;
  bmm: undefined;
  dot: undefined;
  mv: undefined;
  sum: ReduceAttrs;
  mean: ReduceAttrs;
  max: undefined;
  min: undefined;
  reshape: { kind: "view" | "alias" | "copy" };
  squeeze: { dim: number | null };
  unsqueeze: { dim: number };
  transpose: { dim0: number; dim1: number; t: boolean };
  permute: { dims: number[] };
  expand: undefined;
  clone: undefined;
  to: undefined;
  fill: { zero: boolean };
  softmax: { dim: number };
  logSoftmax: { dim: number };
  logsumexp: DimsAttrs;
  maxDim: { dim: number; keepdim: boolean; indices: Tensor };
  minDim: { dim: number; keepdim: boolean; indices: Tensor };
  amax: DimsAttrs;
  amin: DimsAttrs;
  prod: ReduceAttrs;
  var: DimsAttrs & { correction: number };
  std: DimsAttrs & { correction: number };
  norm: DimsAttrs & { p: number };
  cumsum: { dim: number };
  gather: IndexAttrs;
  indexSelect: IndexAttrs;
  scatter: IndexAttrs;
  scatterValue: IndexAttrs;
  scatterAdd: IndexAttrs;
  maskedFill: { mask: Tensor };
  maskedFillTensor: { mask: Tensor };
  maskedSelect: { mask: Tensor };
  maskedScatter: { mask: Tensor };
  cat: { dim: number; sizes: number[] };
  stack: { dim: number };
  split: { dim: number; start: number; withSizes: boolean };
  unbind: { dim: number; index: number };
  select: { dim: number; index: number };
  narrow: { dim: number; start: number; step: number };
  index: { positions: Tensor };
  indexPut: { positions: Tensor; accumulate: boolean };
  conv2d: ConvAttrs;
  im2col: { window: Window2d };
  col2im: { window: Window2d };
  maxPool2d: { indices: Tensor };
  avgPool2d: { window: Window2d; divisors: Tensor };
  batchNorm: BatchNormAttrs;
};

/**
 * The name of an op in the derivative table: every differentiable elementwise record and the other
 * recorded ops (products, reductions, views).
 *
 * @example
 * const op: OpName = "mm";
 * torch.derivatives[op].name; // "MmBackward0"
 */
export type OpName = keyof AttrsTable;
export type AttrsOf<K extends OpName> = AttrsTable[K];

/** The derivative table's type: a row for every op, so a record without one is a compile error. */
export type DerivativeTable = { readonly [K in OpName]: Derivative<AttrsOf<K>> };

/**
 * The tensor functions formulas need beyond Tensor's methods, handed in by tensor.ts (which defines
 * them): taking them as values here keeps this module from importing tensor.ts back.
 */
export interface FormulaKit {
  /** `torch.where`. */
  where(condition: Tensor, x: Operand, y: Operand): Tensor;
  /** A kernel's output as a new tensor outside the graph. */
  wrap(array: StridedArray): Tensor;
  /** `torch.cat`. */
  cat(tensors: readonly Tensor[], dim: number): Tensor;
  /** An image unfolded into convolution columns, recorded (conv2d's weight gradient reads it). */
  im2col(x: Tensor, window: Window2d): Tensor;
  /** Convolution columns added back into an image, recorded (conv2d's input gradient). */
  col2im(cols: Tensor, window: Window2d): Tensor;
}

/** Re-inserts reduced dims (size 1) into a reduction's gradient so that it broadcasts over the input. */
function unreduce(grad: Tensor, inputShape: readonly number[], { dims, keepdim }: ReduceAttrs): Tensor {
  let g = grad;
  if (!keepdim && dims !== null) for (const d of dims) g = g.unsqueeze(d);
  return g.expand(inputShape);
}

function reducedCount(inputShape: readonly number[], dims: number[] | null): number {
  return (dims ?? inputShape.map((_, i) => i)).reduce((n, d) => n * (inputShape[d] as number), 1);
}

/**
 * The derivative table: the single place where torchlet defines gradients, built once by tensor.ts
 * (as `derivatives`) with the functions formulas need.
 */
export function derivativeTable({ where, wrap, cat, im2col, col2im }: FormulaKit): DerivativeTable {
  const zeros = (shape: readonly number[], like: Tensor) =>
    wrap(transfer("backward", StridedArray.zeros(shape, like.dtype), like.device));

  /** `g` placed at `start` along `dim` in zeros of `shape`: the gradient of a slice (narrow, split). */
  const embed = (g: Tensor, shape: readonly number[], dim: number, start: number): Tensor => {
    const size = shape[dim] as number;
    const length = g.shape[dim] as number;
    if (length === size) return g;
    const before = shape.map((s, d) => (d === dim ? start : s));
    const after = shape.map((s, d) => (d === dim ? size - start - length : s));
    return cat([zeros(before, g), g, zeros(after, g)], dim);
  };

  /** The reduced dims put back (size 1) into a keepdim=false result, so it broadcasts over the input. */
  const restore = (t: Tensor, { dims, keepdim }: DimsAttrs): Tensor => {
    let r = t;
    if (!keepdim) for (const d of dims) r = r.unsqueeze(d);
    return r;
  };

  /** amax/amin: the gradient shared evenly by the elements equal to the result (PyTorch's rule). */
  const extremeGrad: InputGrad<DimsAttrs> = (g, c) => {
    const x = c.input(0);
    const mask = x.eq(restore(c.result(), c.attrs));
    // PyTorch's scale_grad_by_count: a NaN result (no element equal to it) gives NaN, 0/0 times 0
    return restore(g, c.attrs).div(mask.sum(c.attrs.dims, true)).mul(mask);
  };

  /** max(dim)/min(dim): the gradient goes to the selected index (PyTorch's value_selecting_reduction_backward). */
  const selectedGrad: InputGrad<{ dim: number; keepdim: boolean; indices: Tensor }> = (g, c) => {
    const { dim, keepdim, indices } = c.attrs;
    const shape = c.inputShape(0);
    if (shape.length === 0) return g;
    const at = keepdim ? indices : indices.unsqueeze(dim);
    return zeros(shape, g).scatter(dim, at, keepdim ? g : g.unsqueeze(dim));
  };

  /** var's gradient, 2 (x - mean) / (n - correction), times the upstream gradient. */
  const varGrad = (g: Tensor, x: Tensor, attrs: DimsAttrs & { correction: number }): Tensor => {
    const n = attrs.dims.reduce((k, d) => k * (x.shape[d] as number), 1);
    return restore(g, attrs)
      .mul(2 / (n - attrs.correction))
      .mul(x.sub(x.mean(attrs.dims, true)));
  };

  /** An (int32 or int64) index along `dim` as an int64 one spread over `shape`, for scatterAdd. */
  const spread = (index: Tensor, shape: readonly number[], dim: number): Tensor =>
    index
      .to("int64")
      .reshape(shape.map((_, d) => (d === dim ? -1 : 1)))
      .expand(shape.map((s, d) => (d === dim ? index.numel() : s)));

  /** PyTorch's `evenly_distribute_backward`: a whole-tensor max/min sends the gradient to every tie. */
  const evenlyDistribute: InputGrad<undefined> = (g, c) => {
    const input = c.input(0);
    const result = c.result();
    // x.ne(x) is isnan(x); bool add/mul are logical or/and. A NaN result sends the gradient to the NaNs.
    const mask = input.eq(result).add(input.ne(input).mul(result.ne(result)));
    return where(mask, g.div(mask.sum()), 0);
  };

  /**
   * relu's gradient, `where(result <= 0, 0, g)`, in one fused kernel (no bool mask, one pass, written
   * over `g` when the engine owns it) unless the backward pass is itself being recorded (createGraph),
   * where the composition keeps it differentiable.
   */
  const reluGrad: InputGrad<undefined> = (g, c) => {
    const result = c.result();
    const fused =
      !(isGradEnabled() && g.requiresGrad) && g.dtype === result.dtype && shapesEqual(g.shape, result.shape);
    if (!fused) return where(result.le(0), 0, g);
    return wrap(
      backendFor("threshold_backward", g._array, result._array).thresholdBackward(
        g._array,
        result._array,
        0,
        c._gradOwned ? g._array : undefined,
      ),
    );
  };

  /**
   * softmax's or logSoftmax's gradient in one fused kernel (no intermediate tensors), or null when the
   * backward pass is itself being recorded (createGraph) or the gradient's dtype or shape differs from
   * the result's: the caller's composition of Tensor ops then keeps it differentiable.
   */
  const softmaxGrad = (
    op: "softmax" | "logSoftmax",
    g: Tensor,
    result: Tensor,
    dim: number,
  ): Tensor | null => {
    const fused =
      !(isGradEnabled() && (g.requiresGrad || result.requiresGrad)) &&
      g.dtype === result.dtype &&
      shapesEqual(g.shape, result.shape);
    return fused
      ? wrap(backendFor(op, g._array, result._array).softmaxBackward(op, g._array, result._array, dim))
      : null;
  };

  /** The gradients of a product of two operands (mul, dot): each is the upstream times the other. */
  const product: readonly [InputGrad<undefined>, InputGrad<undefined>] = [
    (g, c) => g.mul(c.input(1)),
    (g, c) => g.mul(c.input(0)),
  ];

  /**
   * maximum/minimum: PyTorch's split, the gradient to the operand picked, half to each on a tie, and
   * to both where a NaN makes every comparison false. `beaten` says where input 0 was not picked.
   */
  const pickedGrad =
    (beaten: (x: Tensor, y: Tensor) => Tensor, input: 0 | 1): InputGrad<undefined> =>
    (g, c) => {
      const x = c.input(input);
      const y = c.input(1 - input);
      return where(beaten(x, y), 0, where(x.eq(y), g.div(2), g));
    };

  /** conv2d's upstream gradient `[batch, out, oh, ow]` as the product's `[groups, out / groups, batch * oh * ow]`. */
  const convColumns = (g: Tensor, groups: number): Tensor => {
    const [batch, out, oh, ow] = g.shape as [number, number, number, number];
    return g.permute(1, 0, 2, 3).reshape(groups, out / groups, batch * oh * ow);
  };

  /** batchNorm's input normalised, `(x - mean) * invstd`, recomputed from x when training (so differentiable). */
  const normalized = (x: Tensor, { training, eps, dims, mean, invstd }: BatchNormAttrs): [Tensor, Tensor] => {
    if (!training) return [x.sub(mean as Tensor).mul(invstd as Tensor), invstd as Tensor];
    const centered = x.sub(x.mean(dims, true));
    const scale = centered.square().mean(dims, true).add(eps).rsqrt();
    return [centered.mul(scale), scale];
  };

  return {
    add: { name: "AddBackward0", grads: [(g) => g, (g) => g], saves: [] },
    sub: { name: "SubBackward0", grads: [(g) => g, (g) => g.neg()], saves: [] },
    mul: { name: "MulBackward0", grads: product, saves: [0, 1] },
    div: {
      name: "DivBackward0",
      grads: [
        (g, c) => g.div(c.input(1)),
        (g, c) =>
          g
            .neg()
            .mul(c.input(0))
            .div(c.input(1).mul(c.input(1))),
      ],
      saves: [0, 1],
    },
    // PyTorch's two overloads: a number exponent is no graph input (PowBackward0), a tensor one is.
    powScalar: {
      name: "PowBackward0",
      grads: [
        (g, c) => {
          const { exponent } = c.attrs;
          return exponent === 0
            ? g.mul(0)
            : g.mul(
                c
                  .input(0)
                  .pow(exponent - 1)
                  .mul(exponent),
              );
        },
      ],
      saves: [0],
    },
    pow: {
      name: "PowBackward1",
      grads: [
        // d(a^b)/da = b a^(b-1), zero where b == 0 (so 0^0 does not give NaN).
        (g, c) => {
          const b = c.input(1);
          return where(b.eq(0), 0, g.mul(b).mul(c.input(0).pow(b.sub(1))));
        },
        // d(a^b)/db = a^b log(a), zero where a == 0 and b >= 0 (the limit PyTorch uses).
        (g, c) => {
          const a = c.input(0);
          const b = c.input(1);
          return where(a.eq(0).mul(b.ge(0)), 0, g.mul(a.pow(b)).mul(a.log()));
        },
      ],
      saves: [0, 1],
    },
    // PyTorch's two overloads again: a number divisor is no graph input (RemainderBackward0).
    // The gradient passes where min <= x <= max (so not at NaN), as PyTorch's clamp_backward.
    clamp: {
      name: "ClampBackward1",
      grads: [
        (g, c) => {
          const { min, max } = c.attrs;
          const x = c.input(0);
          const inside = min === null ? x.le(max ?? 0) : max === null ? x.ge(min) : x.ge(min).mul(x.le(max));
          return where(inside, g, 0);
        },
      ],
      saves: [0],
    },
    remainderScalar: { name: "RemainderBackward0", grads: [(g) => g], saves: [] },
    remainder: {
      name: "RemainderBackward1",
      grads: [(g) => g, (g, c) => g.neg().mul(c.input(0).div(c.input(1)).floor())],
      saves: [0, 1],
    },
    maximum: {
      name: "MaximumBackward0",
      grads: [pickedGrad((x, y) => x.lt(y), 0), pickedGrad((x, y) => x.lt(y), 1)],
      saves: [0, 1],
    },
    minimum: {
      name: "MinimumBackward0",
      grads: [pickedGrad((x, y) => x.gt(y), 0), pickedGrad((x, y) => x.gt(y), 1)],
      saves: [0, 1],
    },
    neg: { name: "NegBackward0", grads: [(g) => g.neg()], saves: [] },
    exp: { name: "ExpBackward0", grads: [(g, c) => g.mul(c.result())], saves: ["result"] },
    log: { name: "LogBackward0", grads: [(g, c) => g.div(c.input(0))], saves: [0] },
    sqrt: { name: "SqrtBackward0", grads: [(g, c) => g.div(c.result().mul(2))], saves: ["result"] },
    abs: { name: "AbsBackward0", grads: [(g, c) => g.mul(c.input(0).sign())], saves: [0] },
    sign: { name: "SignBackward0", grads: [(g) => g.mul(0)], saves: [] },
    // PyTorch's threshold_backward: zero where the result is <= 0 (so at 0 too), the gradient elsewhere (NaN too).
    relu: { name: "ReluBackward0", grads: [reluGrad], saves: ["result"] },
    sigmoid: {
      name: "SigmoidBackward0",
      grads: [(g, c) => g.mul(c.result().mul(c.result().neg().add(1)))],
      saves: ["result"],
    },
    tanh: {
      name: "TanhBackward0",
      grads: [(g, c) => g.mul(c.result().pow(2).neg().add(1))],
      saves: ["result"],
    },
    sin: { name: "SinBackward0", grads: [(g, c) => g.mul(c.input(0).cos())], saves: [0] },
    cos: { name: "CosBackward0", grads: [(g, c) => g.mul(c.input(0).sin().neg())], saves: [0] },
    log1p: { name: "Log1PBackward0", grads: [(g, c) => g.div(c.input(0).add(1))], saves: [0] },
    expm1: { name: "Expm1Backward0", grads: [(g, c) => g.mul(c.result().add(1))], saves: ["result"] },
    // d erf(x) / dx = 2 / sqrt(pi) * exp(-x^2)
    erf: {
      name: "ErfBackward0",
      grads: [
        (g, c) => {
          const x = c.input(0);
          return g.mul(
            x
              .mul(x)
              .neg()
              .exp()
              .mul(2 / Math.sqrt(Math.PI)),
          );
        },
      ],
      saves: [0],
    },
    reciprocal: {
      name: "ReciprocalBackward0",
      grads: [(g, c) => g.neg().mul(c.result().mul(c.result()))],
      saves: ["result"],
    },
    rsqrt: {
      name: "RsqrtBackward0",
      grads: [(g, c) => g.mul(-0.5).mul(c.result().pow(3))],
      saves: ["result"],
    },
    // torch.square is pow(x, 2) underneath, hence PowBackward0.
    square: { name: "PowBackward0", grads: [(g, c) => g.mul(c.input(0).mul(2))], saves: [0] },
    // Piecewise constant: zero gradient (as sign's).
    floor: { name: "FloorBackward0", grads: [(g) => g.mul(0)], saves: [] },
    ceil: { name: "CeilBackward0", grads: [(g) => g.mul(0)], saves: [] },
    trunc: { name: "TruncBackward0", grads: [(g) => g.mul(0)], saves: [] },
    round: { name: "RoundBackward0", grads: [(g) => g.mul(0)], saves: [] },
    // The condition is no graph input (it has no gradient), as in PyTorch: it travels as an attribute.
    where: {
      name: "WhereBackward0",
      grads: [(g, c) => where(c.attrs.condition, g, 0), (g, c) => where(c.attrs.condition, 0, g)],
      saves: [],
    },
    mm: {
      name: "MmBackward0",
      grads: [(g, c) => g.mm(c.input(1).t()), (g, c) => c.input(0).t().mm(g)],
      saves: [0, 1],
    },
    bmm: {
      name: "BmmBackward0",
      grads: [(g, c) => g.bmm(c.input(1).transpose(1, 2)), (g, c) => c.input(0).transpose(1, 2).bmm(g)],
      saves: [0, 1],
    },
    dot: { name: "DotBackward0", grads: product, saves: [0, 1] },
    mv: {
      name: "MvBackward0",
      grads: [(g, c) => g.unsqueeze(1).mul(c.input(1).unsqueeze(0)), (g, c) => c.input(0).t().mv(g)],
      saves: [0, 1],
    },
    sum: {
      name: (a) => (a.dims === null ? "SumBackward0" : "SumBackward1"),
      grads: [(g, c) => unreduce(g, c.inputShape(0), c.attrs)],
      saves: [],
    },
    mean: {
      name: (a) => (a.dims === null ? "MeanBackward0" : "MeanBackward1"),
      grads: [
        (g, c) => {
          const shape = c.inputShape(0);
          return unreduce(g, shape, c.attrs).div(reducedCount(shape, c.attrs.dims));
        },
      ],
      saves: [],
    },
    max: { name: "MaxBackward1", grads: [evenlyDistribute], saves: [0, "result"] },
    min: { name: "MinBackward1", grads: [evenlyDistribute], saves: [0, "result"] },
    reshape: {
      name: (a) =>
        ({ view: "ViewBackward0", alias: "ReshapeAliasBackward0", copy: "UnsafeViewBackward0" })[a.kind],
      grads: [(g, c) => g.reshape(c.inputShape(0))],
      saves: [],
    },
    squeeze: {
      name: (a) => (a.dim === null ? "SqueezeBackward0" : "SqueezeBackward1"),
      grads: [(g, c) => g.reshape(c.inputShape(0))],
      saves: [],
    },
    unsqueeze: { name: "UnsqueezeBackward0", grads: [(g, c) => g.squeeze(c.attrs.dim)], saves: [] },
    transpose: {
      name: (a) => (a.t ? "TBackward0" : "TransposeBackward0"),
      grads: [(g, c) => g.transpose(c.attrs.dim0, c.attrs.dim1)],
      saves: [],
    },
    permute: {
      name: "PermuteBackward0",
      grads: [
        (g, c) => {
          const inverse = new Array<number>(c.attrs.dims.length);
          c.attrs.dims.forEach((d, i) => {
            inverse[d] = i;
          });
          return g.permute(inverse);
        },
      ],
      saves: [],
    },
    expand: { name: "ExpandBackward0", grads: [(g, c) => sumTo(g, c.inputShape(0))], saves: [] },
    clone: { name: "CloneBackward0", grads: [(g) => g], saves: [] },
    to: { name: "ToCopyBackward0", grads: [(g, c) => g.to(c.inputDType(0))], saves: [] },
    fill: {
      name: (a) => (a.zero ? "ZeroBackward0" : "FillBackward2"),
      grads: [(g) => g.mul(0)],
      saves: [],
    },
    softmax: {
      name: "SoftmaxBackward0",
      grads: [
        (g, c) =>
          softmaxGrad("softmax", g, c.result(), c.attrs.dim) ??
          c.result().mul(g.sub(g.mul(c.result()).sum(c.attrs.dim, true))),
      ],
      saves: ["result"],
    },
    logSoftmax: {
      name: "LogSoftmaxBackward0",
      grads: [
        (g, c) =>
          softmaxGrad("logSoftmax", g, c.result(), c.attrs.dim) ??
          g.sub(c.result().exp().mul(g.sum(c.attrs.dim, true))),
      ],
      saves: ["result"],
    },
    logsumexp: {
      name: "LogsumexpBackward0",
      grads: [(g, c) => restore(g, c.attrs).mul(c.input(0).sub(restore(c.result(), c.attrs)).exp())],
      saves: [0, "result"],
    },
    maxDim: { name: "MaxBackward0", grads: [selectedGrad], saves: [] },
    minDim: { name: "MinBackward0", grads: [selectedGrad], saves: [] },
    amax: { name: "AmaxBackward0", grads: [extremeGrad], saves: [0, "result"] },
    amin: { name: "AminBackward0", grads: [extremeGrad], saves: [0, "result"] },
    // The product of the other elements: result / x where x is non-zero; at a zero, the product of the
    // rest of its group (zero again when the group holds a second zero).
    prod: {
      name: (a) => (a.dims === null ? "ProdBackward0" : "ProdBackward1"),
      grads: [
        (g, c) => {
          const x = c.input(0);
          const attrs = { dims: c.attrs.dims ?? x.shape.map((_, d) => d), keepdim: c.attrs.keepdim };
          const zero = x.eq(0);
          const safe = where(zero, 1, x);
          let others = safe;
          for (const d of [...attrs.dims].reverse()) others = others.prod(d, true);
          const single = zero.sum(attrs.dims, true).le(1);
          const slope = where(zero, where(single, others, 0), restore(c.result(), attrs).div(safe));
          return restore(g, attrs).mul(slope);
        },
      ],
      saves: [0, "result"],
    },
    var: { name: "VarBackward0", grads: [(g, c) => varGrad(g, c.input(0), c.attrs)], saves: [0] },
    std: {
      name: "StdBackward0",
      grads: [(g, c) => varGrad(g.div(c.result().mul(2)), c.input(0), c.attrs)],
      saves: [0, "result"],
    },
    norm: {
      name: "NormBackward1",
      grads: [
        (g, c) => {
          const x = c.input(0);
          const result = restore(c.result(), c.attrs);
          const up = restore(g, c.attrs);
          const { p } = c.attrs;
          if (p === 0) return up.mul(0).expand(x.shape);
          if (p === 1) return up.mul(x.sign());
          if (!Number.isFinite(p)) {
            const mask = x.abs().eq(result);
            return where(mask, up.mul(x.sign()).div(mask.sum(c.attrs.dims, true)), 0);
          }
          // x |x|^(p-2) / norm^(p-1), zero where the norm is zero (PyTorch's choice at 0)
          const scaled = p === 2 ? x.div(result) : x.mul(x.abs().pow(p - 2)).div(result.pow(p - 1));
          return where(result.eq(0), 0, up.mul(scaled));
        },
      ],
      saves: [0, "result"],
    },
    // The gradient of a running sum is the reversed running sum: total - cumsum(g) + g.
    cumsum: {
      name: "CumsumBackward0",
      grads: [(g, c) => g.sum(c.attrs.dim, true).sub(g.cumsum(c.attrs.dim)).add(g)],
      saves: [],
    },
    gather: {
      name: "GatherBackward0",
      grads: [(g, c) => zeros(c.inputShape(0), g).scatterAdd(c.attrs.dim, c.attrs.index, g)],
      saves: [],
    },
    indexSelect: {
      name: "IndexSelectBackward0",
      grads: [
        (g, c) => {
          const { dim, index } = c.attrs;
          const shape = c.inputShape(0);
          if (shape.length === 0) return g.reshape([]);
          return zeros(shape, g).scatterAdd(dim, spread(index, g.shape, dim), g);
        },
      ],
      saves: [],
    },
    scatter: {
      name: "ScatterBackward0",
      grads: [
        (g, c) => g.scatter(c.attrs.dim, c.attrs.index, 0),
        (g, c) => g.gather(c.attrs.dim, c.attrs.index),
      ],
      saves: [],
    },
    scatterValue: {
      name: "ScatterBackward1",
      grads: [(g, c) => g.scatter(c.attrs.dim, c.attrs.index, 0)],
      saves: [],
    },
    scatterAdd: {
      name: "ScatterAddBackward0",
      grads: [(g) => g, (g, c) => g.gather(c.attrs.dim, c.attrs.index)],
      saves: [],
    },
    maskedFill: { name: "MaskedFillBackward0", grads: [(g, c) => where(c.attrs.mask, 0, g)], saves: [] },
    maskedFillTensor: {
      name: "MaskedFillBackward1",
      grads: [(g, c) => where(c.attrs.mask, 0, g), (g, c) => where(c.attrs.mask, g, 0).sum()],
      saves: [],
    },
    maskedSelect: {
      name: "MaskedSelectBackward0",
      grads: [(g, c) => zeros(c.inputShape(0), g).maskedScatter(c.attrs.mask, g)],
      saves: [],
    },
    maskedScatter: {
      name: "MaskedScatterBackward0",
      grads: [
        (g, c) => where(c.attrs.mask, 0, g),
        (g, c) => {
          // the masked positions' gradients in order, zeros for the source elements left unused
          const used = g.maskedSelect(c.attrs.mask);
          const size = c.inputShape(1).reduce((n, s) => n * s, 1);
          const padded = used.numel() === size ? used : cat([used, zeros([size - used.numel()], g)], 0);
          return padded.reshape(c.inputShape(1));
        },
      ],
      saves: [],
    },
    cat: {
      name: "CatBackward0",
      grads: [],
      each: (g, c, i) => {
        const { dim, sizes } = c.attrs;
        const size = sizes[i] as number;
        // a skipped empty 1-D input gets an empty gradient
        if (size < 0) return zeros([0], g);
        const start = sizes.slice(0, i).reduce((n, s) => n + Math.max(s, 0), 0);
        return g.narrow(dim, start, size);
      },
      saves: [],
    },
    stack: { name: "StackBackward0", grads: [], each: (g, c, i) => g.select(c.attrs.dim, i), saves: [] },
    split: {
      name: (a) => (a.withSizes ? "SplitWithSizesBackward0" : "SplitBackward0"),
      grads: [(g, c) => embed(g, c.inputShape(0), c.attrs.dim, c.attrs.start)],
      saves: [],
    },
    unbind: {
      name: "UnbindBackward0",
      grads: [(g, c) => embed(g.unsqueeze(c.attrs.dim), c.inputShape(0), c.attrs.dim, c.attrs.index)],
      saves: [],
    },
    select: {
      name: "SelectBackward0",
      grads: [(g, c) => embed(g.unsqueeze(c.attrs.dim), c.inputShape(0), c.attrs.dim, c.attrs.index)],
      saves: [],
    },
    narrow: {
      name: "SliceBackward0",
      grads: [
        (g, c) => {
          const { dim, start, step } = c.attrs;
          if (step === 1) return embed(g, c.inputShape(0), dim, start);
          const picked = StridedArray.zeros([g.shape[dim] as number], "int64");
          for (let k = 0; k < picked.numel; k++) picked.data[k] = start + k * step;
          const at = spread(wrap(picked).to(g.device), g.shape, dim);
          return zeros(c.inputShape(0), g).scatterAdd(dim, at, g);
        },
      ],
      saves: [],
    },
    // Both gradients go through `positions`: where each indexed element sits in a contiguous input.
    index: {
      name: "IndexBackward0",
      grads: [
        (g, c) => {
          const shape = c.inputShape(0);
          const flat = zeros([shape.reduce((n, s) => n * s, 1)], g);
          return flat.scatterAdd(0, c.attrs.positions.reshape(-1), g.reshape(-1)).reshape(shape);
        },
      ],
      saves: [],
    },
    indexPut: {
      name: "IndexPutBackward0",
      grads: [
        (g, c) =>
          c.attrs.accumulate
            ? g
            : g.reshape(-1).scatter(0, c.attrs.positions.reshape(-1), 0).reshape(g.shape),
        (g, c) => g.reshape(-1).gather(0, c.attrs.positions.reshape(-1)).reshape(c.attrs.positions.shape),
      ],
      saves: [],
    },
    // conv2d is weight x im2col(input) per group: the weight's gradient is the upstream times the
    // columns transposed, the input's is col2im of the weight transposed times the upstream.
    conv2d: {
      name: "ConvolutionBackward0",
      grads: [
        (g, c) => {
          const { window, groups } = c.attrs;
          const w = c.input(1);
          const [out] = w.shape as [number];
          const k = w.numel() / out;
          const cols = w
            .reshape(groups, out / groups, k)
            .transpose(1, 2)
            .bmm(convColumns(g, groups));
          return col2im(cols.reshape(k * groups, -1), window);
        },
        (g, c) => {
          const { window, groups } = c.attrs;
          const shape = c.inputShape(1);
          const k = shape.reduce((n, s) => n * s, 1) / (shape[0] as number);
          const cols = im2col(c.input(0), window).reshape(groups, k, -1);
          return convColumns(g, groups).bmm(cols.transpose(1, 2)).reshape(shape);
        },
        (g) => g.sum([0, 2, 3]),
      ],
      saves: [0, 1],
    },
    im2col: { name: "Im2ColBackward0", grads: [(g, c) => col2im(g, c.attrs.window)], saves: [] },
    col2im: { name: "Col2ImBackward0", grads: [(g, c) => im2col(g, c.attrs.window)], saves: [] },
    // The gradient goes to the position each window's maximum came from, summed where windows overlap.
    maxPool2d: {
      name: "MaxPool2DWithIndicesBackward0",
      grads: [
        (g, c) => {
          const shape = c.inputShape(0);
          const plane = (shape.at(-1) as number) * (shape.at(-2) as number);
          const planes = shape.reduce((n, s) => n * s, 1) / plane;
          const at = c.attrs.indices.reshape(planes, -1);
          return zeros([planes, plane], g).scatterAdd(1, at, g.reshape(planes, -1)).reshape(shape);
        },
      ],
      saves: [],
    },
    // Each window's gradient divided by its divisor, spread over its taps: col2im of the taps' columns.
    avgPool2d: {
      name: "AvgPool2DBackward0",
      grads: [
        (g, c) => {
          const { window, divisors } = c.attrs;
          const [planes] = window.input;
          const taps = window.kernel[0] * window.kernel[1];
          const share = g.reshape(planes, -1).div(divisors.reshape(-1)).reshape(1, -1);
          return col2im(share.expand(taps, share.numel()), window).reshape(c.inputShape(0));
        },
      ],
      saves: [],
    },
    // Training: the batch's statistics depend on x, so the input gradient is the upstream's part
    // orthogonal to 1 and to x̂ (per channel), scaled by weight / std; evaluation: a per-channel scale.
    batchNorm: {
      name: "NativeBatchNormBackward0",
      grads: [
        (g, c) => {
          const x = c.input(0);
          const w = c.input(1).reshape(x.shape.map((s, d) => (d === 1 ? s : 1)));
          const [xhat, invstd] = normalized(x, c.attrs);
          if (!c.attrs.training) return g.mul(w.mul(invstd));
          const { dims } = c.attrs;
          const orthogonal = g.sub(g.mean(dims, true)).sub(xhat.mul(g.mul(xhat).mean(dims, true)));
          return orthogonal.mul(invstd.mul(w));
        },
        (g, c) => g.mul(normalized(c.input(0), c.attrs)[0]).sum(c.attrs.dims),
        (g, c) => g.sum(c.attrs.dims),
      ],
      saves: [0, 1],
    },
  };
}

import { backend, type ELEMENTWISE, type ElementwiseOp } from "@torchlet/ops";
import { type StridedArray, shapesEqual } from "@torchlet/storage";
import type { InputGrad } from "./grad-fn.js";
import { isGradEnabled } from "./grad-mode.js";
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

/** The attributes each recorded op passes to its row: none for the elementwise ones. */
type AttrsTable = { [K in DifferentiableElementwise]: undefined } & {
  powScalar: { exponent: number };
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
export function derivativeTable({ where, wrap }: FormulaKit): DerivativeTable {
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
    return wrap(backend().thresholdBackward(g._array, result._array, 0, c._gradOwned ? g._array : undefined));
  };

  /** The gradients of a product of two operands (mul, dot): each is the upstream times the other. */
  const product: readonly [InputGrad<undefined>, InputGrad<undefined>] = [
    (g, c) => g.mul(c.input(1)),
    (g, c) => g.mul(c.input(0)),
  ];

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
    // Piecewise constant: zero gradient (as sign's).
    floor: { name: "FloorBackward0", grads: [(g) => g.mul(0)], saves: [] },
    ceil: { name: "CeilBackward0", grads: [(g) => g.mul(0)], saves: [] },
    trunc: { name: "TruncBackward0", grads: [(g) => g.mul(0)], saves: [] },
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
  };
}

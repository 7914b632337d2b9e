import { backend } from "@torchlet/ops";
import { shapesEqual } from "@torchlet/storage";
import type { InputGrad } from "./grad-fn.js";
import { isGradEnabled } from "./grad-mode.js";
import { sumTo } from "./sum-to.js";
import { Tensor, where } from "./tensor.js";

/**
 * One row of the derivative table: the grad_fn's name and, per input in order, the formula of that
 * input's gradient (null where no gradient flows). Formulas are written with Tensor ops, so a backward
 * pass run with `createGraph` records them and gives higher-order gradients for free. Broadcasting is
 * not their concern: the engine sums each gradient back to its input's shape (and dtype).
 *
 * @example
 * // A formula reads what the op saved (its inputs, its result) through the context.
 * const square: Derivative<undefined> = {
 *   name: "SquareBackward0",
 *   grads: [(grad, ctx) => grad.mul(ctx.input(0)).mul(2)],
 * };
 * square.grads.length; // 1
 */
export interface Derivative<Attrs> {
  /** The grad_fn name PyTorch shows, e.g. `"MulBackward0"` (a function when it depends on the attributes). */
  readonly name: string | ((attrs: Attrs) => string);
  /** One formula per input, in order: upstream gradient and saved context in, that input's gradient out. */
  readonly grads: ReadonlyArray<InputGrad<Attrs> | null>;
}

const row = <Attrs = undefined>(d: Derivative<Attrs>): Derivative<Attrs> => d;

/** Attributes of reductions: the normalised dims (null = all) and keepdim. */
export interface ReduceAttrs {
  dims: number[] | null;
  keepdim: boolean;
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
const reluGrad: InputGrad<undefined> = (g, c, owned) => {
  const result = c.result();
  const fused =
    !(isGradEnabled() && g.requiresGrad) && g.dtype === result.dtype && shapesEqual(g.shape, result.shape);
  if (!fused) return where(result.le(0), 0, g);
  return new Tensor(backend().thresholdBackward(g._array, result._array, 0, owned ? g._array : undefined));
};

/**
 * The derivative table: the single place where torchlet defines gradients.
 *
 * @example
 * torch.derivatives.mul.name; // "MulBackward0"
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * x.mul(3).gradFn!.name; // "MulBackward0"
 */
export const derivatives = {
  add: row({ name: "AddBackward0", grads: [(g) => g, (g) => g] }),
  sub: row({ name: "SubBackward0", grads: [(g) => g, (g) => g.neg()] }),
  mul: row({
    name: "MulBackward0",
    grads: [(g, c) => g.mul(c.input(1)), (g, c) => g.mul(c.input(0))],
  }),
  div: row({
    name: "DivBackward0",
    grads: [
      (g, c) => g.div(c.input(1)),
      (g, c) =>
        g
          .neg()
          .mul(c.input(0))
          .div(c.input(1).mul(c.input(1))),
    ],
  }),
  // PyTorch's two overloads: a number exponent is no graph input (PowBackward0), a tensor one is.
  powScalar: row<{ exponent: number }>({
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
  }),
  pow: row({
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
  }),
  neg: row({ name: "NegBackward0", grads: [(g) => g.neg()] }),
  exp: row({ name: "ExpBackward0", grads: [(g, c) => g.mul(c.result())] }),
  log: row({ name: "LogBackward0", grads: [(g, c) => g.div(c.input(0))] }),
  sqrt: row({ name: "SqrtBackward0", grads: [(g, c) => g.div(c.result().mul(2))] }),
  abs: row({ name: "AbsBackward0", grads: [(g, c) => g.mul(c.input(0).sign())] }),
  sign: row({ name: "SignBackward0", grads: [(g) => g.mul(0)] }),
  // PyTorch's threshold_backward: zero where the result is <= 0 (so at 0 too), the gradient elsewhere (NaN too).
  relu: row({ name: "ReluBackward0", grads: [reluGrad] }),
  sigmoid: row({
    name: "SigmoidBackward0",
    grads: [(g, c) => g.mul(c.result().mul(c.result().neg().add(1)))],
  }),
  tanh: row({ name: "TanhBackward0", grads: [(g, c) => g.mul(c.result().pow(2).neg().add(1))] }),
  // The condition is no graph input (it has no gradient), as in PyTorch: it travels as an attribute.
  where: row<{ condition: Tensor }>({
    name: "WhereBackward0",
    grads: [(g, c) => where(c.attrs.condition, g, 0), (g, c) => where(c.attrs.condition, 0, g)],
  }),
  mm: row({
    name: "MmBackward0",
    grads: [(g, c) => g.mm(c.input(1).t()), (g, c) => c.input(0).t().mm(g)],
  }),
  bmm: row({
    name: "BmmBackward0",
    grads: [(g, c) => g.bmm(c.input(1).transpose(1, 2)), (g, c) => c.input(0).transpose(1, 2).bmm(g)],
  }),
  dot: row({ name: "DotBackward0", grads: [(g, c) => g.mul(c.input(1)), (g, c) => g.mul(c.input(0))] }),
  mv: row({
    name: "MvBackward0",
    grads: [(g, c) => g.unsqueeze(1).mul(c.input(1).unsqueeze(0)), (g, c) => c.input(0).t().mv(g)],
  }),
  sum: row<ReduceAttrs>({
    name: (a) => (a.dims === null ? "SumBackward0" : "SumBackward1"),
    grads: [(g, c) => unreduce(g, c.inputShape(0), c.attrs)],
  }),
  mean: row<ReduceAttrs>({
    name: (a) => (a.dims === null ? "MeanBackward0" : "MeanBackward1"),
    grads: [
      (g, c) => {
        const shape = c.inputShape(0);
        return unreduce(g, shape, c.attrs).div(reducedCount(shape, c.attrs.dims));
      },
    ],
  }),
  max: row({ name: "MaxBackward1", grads: [evenlyDistribute] }),
  min: row({ name: "MinBackward1", grads: [evenlyDistribute] }),
  reshape: row<{ kind: "view" | "alias" | "copy" }>({
    name: (a) =>
      ({ view: "ViewBackward0", alias: "ReshapeAliasBackward0", copy: "UnsafeViewBackward0" })[a.kind],
    grads: [(g, c) => g.reshape(c.inputShape(0))],
  }),
  squeeze: row<{ dim: number | null }>({
    name: (a) => (a.dim === null ? "SqueezeBackward0" : "SqueezeBackward1"),
    grads: [(g, c) => g.reshape(c.inputShape(0))],
  }),
  unsqueeze: row<{ dim: number }>({ name: "UnsqueezeBackward0", grads: [(g, c) => g.squeeze(c.attrs.dim)] }),
  transpose: row<{ dim0: number; dim1: number; t: boolean }>({
    name: (a) => (a.t ? "TBackward0" : "TransposeBackward0"),
    grads: [(g, c) => g.transpose(c.attrs.dim0, c.attrs.dim1)],
  }),
  permute: row<{ dims: number[] }>({
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
  }),
  expand: row({ name: "ExpandBackward0", grads: [(g, c) => sumTo(g, c.inputShape(0))] }),
  clone: row({ name: "CloneBackward0", grads: [(g) => g] }),
  to: row({ name: "ToCopyBackward0", grads: [(g, c) => g.to(c.inputDType(0))] }),
  fill: row<{ zero: boolean }>({
    name: (a) => (a.zero ? "ZeroBackward0" : "FillBackward2"),
    grads: [(g) => g.mul(0)],
  }),
};

/**
 * The name of an op in the derivative table.
 *
 * @example
 * const op: OpName = "mm";
 * torch.derivatives[op].name; // "MmBackward0"
 */
export type OpName = keyof typeof derivatives;
export type AttrsOf<K extends OpName> = (typeof derivatives)[K] extends Derivative<infer A> ? A : never;

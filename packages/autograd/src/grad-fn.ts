import { type DType, fmtShape, TorchletError, typeName } from "@torchlet/storage";
import type { Tensor } from "./tensor.js";

/** One edge of the graph: the node that receives the gradient of an input, and its output index. */
export type Edge = readonly [GradFn | null, number];

/**
 * What a derivative formula may read: the saved inputs and result (version-checked) and the op's attributes.
 *
 * @example
 * // What a derivative-table formula receives as ctx: the saved inputs, result and attributes.
 * const expRow: Derivative<undefined> = { name: "ExpBackward0", grads: [(grad, ctx) => grad.mul(ctx.result())] };
 * const x = torch.tensor([0, 1], { requiresGrad: true });
 * x.exp().sum().backward();
 * x.grad!.tolist(); // [1, 2.7183]
 */
export class SavedContext<Attrs = unknown> {
  private readonly versions: number[];
  private readonly resultVersion: number;

  constructor(
    private readonly owner: string,
    private readonly inputs: readonly Tensor[],
    private readonly output: Tensor,
    /** The op's attributes (dims, exponent, ...), as the forward pass recorded them. */
    readonly attrs: Attrs,
  ) {
    const versions = new Array<number>(inputs.length);
    for (let i = 0; i < inputs.length; i++) versions[i] = versionOf(inputs[i] as Tensor);
    this.versions = versions;
    this.resultVersion = versionOf(output);
  }

  /** The i-th input as it was when the op ran; an error if an in-place op changed it since. */
  input(i: number): Tensor {
    const t = this.inputs[i] as Tensor;
    this.check(t, this.versions[i] as number);
    return t;
  }

  /**
   * The i-th input's shape, with no version check: like PyTorch, formulas that need only the sizes
   * (sum, mean, reshape, expand) do not save the tensor, so in-place changes to it are no error.
   */
  inputShape(i: number): readonly number[] {
    return (this.inputs[i] as Tensor).shape;
  }

  /** The i-th input's dtype, with no version check (see `inputShape`). */
  inputDType(i: number): DType {
    return (this.inputs[i] as Tensor).dtype;
  }

  /** The op's output as it was when the op ran; an error if an in-place op changed it since. */
  result(): Tensor {
    this.check(this.output, this.resultVersion);
    return this.output;
  }

  private check(t: Tensor, expected: number): void {
    if (versionOf(t) !== expected) {
      throw new TorchletError(
        `${this.owner}: one of the variables needed for gradient computation has been modified by an inplace operation: [${typeName(t.dtype)}${fmtShape(t.shape)}] is at version ${t._version.value}; expected version ${expected} instead`,
      );
    }
  }
}

/**
 * A gradient formula for one input: upstream gradient and saved context in, gradient of that input
 * out. `owned` says the engine gives the formula the upstream gradient's memory: nothing else reads
 * it, so the formula may write its result there (relu's backward does) instead of into fresh memory.
 */
export type InputGrad<Attrs> = (grad: Tensor, ctx: SavedContext<Attrs>, owned: boolean) => Tensor;

/** The per-input formulas of one derivative-table row, with their attributes erased. */
export type Formulas = ReadonlyArray<InputGrad<unknown> | null>;

/** A tensor's version counter without creating it: 0 until a view shares it or an in-place op bumps it. */
function versionOf(t: Tensor): number {
  const box = t._versionBox;
  return box === null ? 0 : box.value;
}

/** Shape and dtype of an input, which the engine needs to sum and cast that input's gradient. */
export interface InputMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A node of the backward graph (PyTorch's `grad_fn`): it knows how to turn the gradient of its output
 * into gradients of its inputs, and where those go next.
 *
 * Recording one costs a node and a saved context per op, nothing more: edges as `[node, 0]` pairs and
 * the inputs' metadata are built only when asked for, since most graphs are run once and dropped.
 *
 * @example
 * const x = torch.tensor([1, 2], { requiresGrad: true });
 * const y = x.mul(2).sum();
 * y.gradFn!.name; // "SumBackward0"
 * y.gradFn!.nextFunctions[0]![0]!.name; // "MulBackward0"
 */
export class GradFn {
  /** @internal per input, the node that receives its gradient (null where none is needed). */
  readonly _next: readonly (GradFn | null)[];
  /** @internal non-leaf tensors whose `.grad` should receive this node's incoming gradient. */
  _retained: Tensor[] | null = null;
  private ctx: SavedContext<unknown> | null;
  /** The inputs while the context is alive; their metadata once it is released. */
  private inputs: readonly Tensor[] | null;
  private meta: readonly InputMeta[] | null = null;
  private edges: readonly Edge[] | null = null;

  constructor(
    /** PyTorch's name for the node, e.g. `"MmBackward0"`. */
    readonly name: string,
    next: readonly (GradFn | null)[],
    private readonly formulas: Formulas,
    ctx: SavedContext<unknown> | null,
    inputs: readonly Tensor[],
  ) {
    this._next = next;
    this.ctx = ctx;
    this.inputs = inputs;
  }

  /** PyTorch's `next_functions`: per input, `[node, 0]` (node null where no gradient flows). */
  get nextFunctions(): readonly Edge[] {
    this.edges ??= this._next.map((node) => [node, 0] as const);
    return this.edges;
  }

  /** Shape and dtype of each input, so the engine can sum broadcast gradients back and cast them. */
  get inputMeta(): readonly InputMeta[] {
    if (this.meta === null) {
      const inputs = this.inputs ?? [];
      this.meta = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
    }
    return this.meta;
  }

  /** @internal input `i`'s shape (what `inputMeta[i].shape` says, without building the list). */
  _inputShape(i: number): readonly number[] {
    return this.inputs !== null ? (this.inputs[i] as Tensor).shape : (this.inputMeta[i] as InputMeta).shape;
  }

  /** @internal input `i`'s dtype. */
  _inputDType(i: number): DType {
    return this.inputs !== null ? (this.inputs[i] as Tensor).dtype : (this.inputMeta[i] as InputMeta).dtype;
  }

  /**
   * Gradients for each input (null where none flows), from the gradient of this node's output; with
   * `owned` (the engine's say-so that nothing else reads `grad`) a formula may overwrite `grad`, when
   * it is the only formula to run.
   */
  apply(grad: Tensor, owned = false): (Tensor | null)[] {
    const ctx = this.ctx;
    if (!ctx) {
      throw new TorchletError(
        `backward (${this.name}): trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Specify retainGraph: true if you need to backward through the graph a second time`,
      );
    }
    const next = this._next;
    const out = new Array<Tensor | null>(next.length);
    let runs = 0;
    for (let i = 0; i < next.length; i++) if (next[i] && this.formulas[i]) runs++;
    for (let i = 0; i < next.length; i++) {
      const formula = this.formulas[i];
      out[i] = next[i] && formula ? formula(grad, ctx, owned && runs === 1) : null;
    }
    return out;
  }

  /** Frees the saved tensors (keeping only the inputs' shapes and dtypes); a later backward is the PyTorch error. */
  release(): void {
    void this.inputMeta;
    this.inputs = null;
    this.ctx = null;
  }

  /** The name in angle brackets, as printed after `grad_fn =`: `"<AddBackward0>"`. */
  toString(): string {
    return `<${this.name}>`;
  }
}

/**
 * The node at a leaf that requires grad: it adds the incoming gradient into `variable.grad`.
 *
 * @example
 * const w = torch.zeros([2], { requiresGrad: true });
 * const [[node]] = w.mul(2).gradFn!.nextFunctions;
 * node!.name; // "AccumulateGrad"
 * (node as AccumulateGrad).variable === w; // true
 */
export class AccumulateGrad extends GradFn {
  /** A node for a leaf. @param variable - The leaf whose `.grad` receives the gradient. */
  constructor(readonly variable: Tensor) {
    super("AccumulateGrad", [], [], null, []);
  }

  override apply(): (Tensor | null)[] {
    return [];
  }
}

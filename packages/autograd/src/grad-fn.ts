import { type DType, fmtShape, TorchletError, typeName } from "@torchlet/storage";
import type { Saved } from "./derivatives.js";
import type { Tensor } from "./tensor.js";

/** One edge of the graph: the node that receives the gradient of an input, and its output index. */
export type Edge = readonly [GradFn | null, number];

/**
 * What a derivative formula may read: the tensors its row saves (version-checked), every input's shape
 * and dtype, and the op's attributes.
 *
 * @example
 * // What a derivative-table formula receives as ctx: the saved inputs, result and attributes.
 * const expRow: Derivative<undefined> = {
 *   name: "ExpBackward0",
 *   grads: [(grad, ctx) => grad.mul(ctx.result())],
 *   saves: ["result"],
 * };
 * const x = torch.tensor([0, 1], { requiresGrad: true });
 * x.exp().sum().backward();
 * x.grad!.tolist(); // [1, 2.7183]
 */
export class SavedContext<Attrs = unknown> {
  /**
   * @internal the engine's say-so, for the formula running now, that nothing else reads the upstream
   * gradient: a formula may then write its result into that memory (relu's backward does).
   */
  _gradOwned = false;
  /** The saved inputs by index (null when the row saves none), and their versions. */
  private readonly inputs: (Tensor | undefined)[] | null = null;
  private readonly versions: number[] | null = null;
  private readonly output: Tensor | undefined;
  private readonly resultVersion: number = 0;

  constructor(
    private readonly node: GradFn,
    inputs: readonly Tensor[],
    output: Tensor | null,
    /** The op's attributes (dims, exponent, ...), as the forward pass recorded them. */
    readonly attrs: Attrs,
    saves: readonly Saved[],
  ) {
    for (const s of saves) {
      if (s === "result") {
        this.output = output as Tensor;
        this.resultVersion = versionOf(output as Tensor);
      } else {
        const t = inputs[s] as Tensor;
        this.inputs ??= [];
        this.versions ??= [];
        this.inputs[s] = t;
        this.versions[s] = versionOf(t);
      }
    }
  }

  /** The i-th input as it was when the op ran; an error if an in-place op changed it since. */
  input(i: number): Tensor {
    const t = this.inputs?.[i];
    if (t === undefined) throw this.unsaved(`input ${i}`);
    this.check(t, this.versions?.[i] as number);
    return t;
  }

  /**
   * The i-th input's shape, with no version check: like PyTorch, formulas that need only the sizes
   * (sum, mean, reshape, expand) do not save the tensor, so in-place changes to it are no error.
   */
  inputShape(i: number): readonly number[] {
    return this.node._inputShape(i);
  }

  /** The i-th input's dtype, with no version check (see `inputShape`). */
  inputDType(i: number): DType {
    return this.node._inputDType(i);
  }

  /** The op's output as it was when the op ran; an error if an in-place op changed it since. */
  result(): Tensor {
    if (this.output === undefined) throw this.unsaved("the result");
    this.check(this.output, this.resultVersion);
    return this.output;
  }

  private unsaved(what: string): TorchletError {
    return new TorchletError(
      `${this.node.name}: the formula reads ${what}, which its derivative row does not save`,
    );
  }

  private check(t: Tensor, expected: number): void {
    if (versionOf(t) !== expected) {
      throw new TorchletError(
        `${this.node.name}: one of the variables needed for gradient computation has been modified by an inplace operation: [${typeName(t.dtype)}${fmtShape(t.shape)}] is at version ${t._version.value}; expected version ${expected} instead`,
      );
    }
  }
}

/**
 * A gradient formula for one input: upstream gradient, saved context and the input's position (which
 * the formulas of ops over a list of inputs, cat and stack, read) in, gradient of that input out.
 *
 * @example
 * const double: InputGrad<undefined> = (grad) => grad.mul(2);
 * double(torch.ones(2), undefined as never, 0).tolist(); // [2, 2]
 */
export type InputGrad<Attrs> = (grad: Tensor, ctx: SavedContext<Attrs>, input: number) => Tensor;

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
 * Recording one costs a node per op and a saved context where the op's row saves tensors or attributes,
 * nothing more: edges as `[node, 0]` pairs and the inputs' metadata objects are built only when asked
 * for, since most graphs are run once and dropped.
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
  /**
   * @internal the backward engine's bookkeeping, valid during the pass numbered `_pass`: the edges
   * still to deliver a gradient here, and the sum of those delivered so far (fields rather than maps
   * keyed by node: a map lookup was most of a small node's backward cost).
   */
  _pass = 0;
  /** @internal see `_pass`. */
  _dependencies = 0;
  /** @internal see `_pass`. */
  _gradient: Tensor | null = null;
  /**
   * The saved context: undefined until `apply` for a row that saves nothing and has no attributes
   * (add, sub, sum, ...: most of a graph), null once released. A long graph holds every node, so each
   * object a node keeps is paid for by every collection while the graph lives.
   */
  private ctx: SavedContext<unknown> | null | undefined;
  /** Every input's shape and dtype, `[shape0, dtype0, shape1, ...]`, kept while the node lives (the tensors are not). */
  private readonly shapesAndDTypes: (readonly number[] | DType)[];
  private meta: readonly InputMeta[] | null = null;
  private edges: readonly Edge[] | null = null;

  constructor(
    /** PyTorch's name for the node, e.g. `"MmBackward0"`. */
    readonly name: string,
    next: readonly (GradFn | null)[],
    private readonly formulas: Formulas,
    inputs: readonly Tensor[],
    output: Tensor,
    attrs: unknown,
    saves: readonly Saved[],
  ) {
    this._next = next;
    const shapesAndDTypes = new Array<readonly number[] | DType>(2 * inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i] as Tensor;
      shapesAndDTypes[2 * i] = t.shape;
      shapesAndDTypes[2 * i + 1] = t.dtype;
    }
    this.shapesAndDTypes = shapesAndDTypes;
    this.ctx =
      formulas.length === 0
        ? null
        : saves.length === 0 && attrs === undefined
          ? undefined
          : new SavedContext(this, inputs, output, attrs, saves);
  }

  /** PyTorch's `next_functions`: per input, `[node, 0]` (node null where no gradient flows). */
  get nextFunctions(): readonly Edge[] {
    this.edges ??= this._next.map((node) => [node, 0] as const);
    return this.edges;
  }

  /** Shape and dtype of each input, so the engine can sum broadcast gradients back and cast them. */
  get inputMeta(): readonly InputMeta[] {
    this.meta ??= this._next.map((_, i) => ({ shape: this._inputShape(i), dtype: this._inputDType(i) }));
    return this.meta;
  }

  /** @internal input `i`'s shape (what `inputMeta[i].shape` says, without building the list). */
  _inputShape(i: number): readonly number[] {
    return this.shapesAndDTypes[2 * i] as readonly number[];
  }

  /** @internal input `i`'s dtype. */
  _inputDType(i: number): DType {
    return this.shapesAndDTypes[2 * i + 1] as DType;
  }

  /**
   * Gradients for each input (null where none flows), from the gradient of this node's output; with
   * `owned` (the engine's say-so that nothing else reads `grad`) a formula may overwrite `grad`, when
   * it is the only formula to run.
   */
  apply(grad: Tensor, owned = false): (Tensor | null)[] {
    const ctx = this.ctx === undefined ? new SavedContext(this, [], null, undefined, []) : this.ctx;
    if (ctx === null) {
      throw new TorchletError(
        `backward (${this.name}): trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Specify retainGraph: true if you need to backward through the graph a second time`,
      );
    }
    const next = this._next;
    const out = new Array<Tensor | null>(next.length);
    let runs = 0;
    for (let i = 0; i < next.length; i++) if (next[i] && this.formulas[i]) runs++;
    ctx._gradOwned = owned && runs === 1;
    for (let i = 0; i < next.length; i++) {
      const formula = this.formulas[i];
      out[i] = next[i] && formula ? formula(grad, ctx, i) : null;
    }
    ctx._gradOwned = false;
    return out;
  }

  /** Frees the saved tensors (keeping only the inputs' shapes and dtypes); a later backward is the PyTorch error. */
  release(): void {
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
    super("AccumulateGrad", [], [], [], variable, undefined, []);
  }

  override apply(): (Tensor | null)[] {
    return [];
  }
}

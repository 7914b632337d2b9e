import { type DType, fmtShape, TorchletError, typeName } from "@torchlet/storage";
import type { Tensor } from "./tensor.js";

/** One edge of the graph: the node that receives the gradient of an input, and its output index. */
export type Edge = readonly [GradFn | null, number];

/** What a derivative formula may read: the saved inputs and result (version-checked) and the op's attributes. */
export class SavedContext<Attrs = unknown> {
  private readonly versions: number[];
  private readonly resultVersion: number;

  constructor(
    private readonly owner: string,
    private readonly inputs: readonly Tensor[],
    private readonly output: Tensor,
    readonly attrs: Attrs,
  ) {
    this.versions = inputs.map((t) => t._version.value);
    this.resultVersion = output._version.value;
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
    if (t._version.value !== expected) {
      throw new TorchletError(
        `${this.owner}: one of the variables needed for gradient computation has been modified by an inplace operation: [${typeName(t.dtype)}${fmtShape(t.shape)}] is at version ${t._version.value}; expected version ${expected} instead`,
      );
    }
  }
}

/** A gradient formula for one input: upstream gradient and saved context in, gradient of that input out. */
export type InputGrad<Attrs> = (grad: Tensor, ctx: SavedContext<Attrs>) => Tensor;

/** The per-input formulas of one derivative-table row, with their attributes erased. */
export type Formulas = ReadonlyArray<InputGrad<unknown> | null>;

/**
 * A node of the backward graph (PyTorch's `grad_fn`): it knows how to turn the gradient of its output
 * into gradients of its inputs, and where those go next.
 */
export class GradFn {
  /** Shape and dtype of each input, so the engine can sum broadcast gradients back and cast them. */
  readonly inputMeta: ReadonlyArray<{ shape: readonly number[]; dtype: DType }>;
  /** @internal non-leaf tensors whose `.grad` should receive this node's incoming gradient. */
  _retained: Tensor[] = [];
  private ctx: SavedContext<unknown> | null;

  constructor(
    readonly name: string,
    readonly nextFunctions: readonly Edge[],
    private readonly formulas: Formulas,
    ctx: SavedContext<unknown> | null,
    inputs: readonly Tensor[],
  ) {
    this.ctx = ctx;
    this.inputMeta = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  }

  /** Gradients for each input (null where none flows), from the gradient of this node's output. */
  apply(grad: Tensor): (Tensor | null)[] {
    const ctx = this.ctx;
    if (!ctx) {
      throw new TorchletError(
        `backward (${this.name}): trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Specify retainGraph: true if you need to backward through the graph a second time`,
      );
    }
    return this.nextFunctions.map(([next], i) => {
      const formula = this.formulas[i];
      return next && formula ? formula(grad, ctx) : null;
    });
  }

  /** Frees the saved tensors; a later backward through this node is the PyTorch error. */
  release(): void {
    this.ctx = null;
  }

  toString(): string {
    return `<${this.name}>`;
  }
}

/** The node at a leaf that requires grad: it adds the incoming gradient into `variable.grad`. */
export class AccumulateGrad extends GradFn {
  constructor(readonly variable: Tensor) {
    super("AccumulateGrad", [], [], null, []);
  }

  override apply(): (Tensor | null)[] {
    return [];
  }
}

import type { DType, StridedArray } from "@torchlet/storage";
import type { AttrsOf, OpName } from "../derivatives.js";
import type { Tensor } from "../tensor.js";

/**
 * What the op families in this folder need from tensor.ts, handed in by it (as the derivative table
 * gets its `FormulaKit`): taking them as values keeps these modules from importing tensor.ts back.
 */
export interface OpKit {
  /** A kernel's output as a tensor, with the op's grad_fn from the derivative table when recording. */
  record<K extends OpName>(
    op: K,
    inputs: readonly Tensor[],
    out: StridedArray,
    attrs: AttrsOf<K>,
    isView?: boolean,
  ): Tensor;
  /** A kernel's output as a new tensor outside the graph. */
  wrap(array: StridedArray): Tensor;
  /** A number as a 0-d tensor of `dtype` (range-checked for int64; `op` names the op in errors). */
  scalar(op: string, value: number, dtype: DType): Tensor;
}

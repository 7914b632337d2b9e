import { fromArray, type Tensor } from "@torchlet/autograd";
import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";

/** A tensor's values as rows along dim 0: a contiguous snapshot that batches are copied out of. */
export interface Rows {
  readonly data: TypedArray;
  readonly dtype: DType;
  /** The shape of one row (the tensor's shape without dim 0). */
  readonly rowShape: readonly number[];
  /** Elements per row. */
  readonly rowSize: number;
}

/** Snapshots `t`'s values (one copy, in row-major order) for gathering rows from. */
export function rowsOf(t: Tensor): Rows {
  const rowShape = t.shape.slice(1);
  const values = t.toTypedArray();
  // int64 comes out as a BigInt64Array; its storage holds the same (exact) values as doubles.
  const data = values instanceof BigInt64Array ? Float64Array.from(values, Number) : values;
  return { data, dtype: t.dtype, rowShape, rowSize: rowShape.reduce((a, b) => a * b, 1) };
}

/**
 * A new contiguous tensor of the rows `order[start..end)` (PyTorch's `index_select(0, order[start:end])`),
 * outside any graph: batches and splits are data, not results of differentiable ops.
 */
export function gatherRows(rows: Rows, order: ArrayLike<number>, start: number, end: number): Tensor {
  const { data, rowSize } = rows;
  const out = StridedArray.zeros([end - start, ...rows.rowShape], rows.dtype);
  const target = out.data as Float64Array; // same typed-array kind as data; the cast only names one for set()
  for (let i = start; i < end; i++) {
    const row = order[i] as number;
    target.set(data.subarray(row * rowSize, (row + 1) * rowSize), (i - start) * rowSize);
  }
  return fromArray(out);
}

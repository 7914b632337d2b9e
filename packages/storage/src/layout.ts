import type { DType } from "./dtype.js";
import type { Shape } from "./shape.js";
import { copyInto, StridedArray } from "./strided.js";

/**
 * The order (outermost dim first) in which an elementwise op lays out its output, PyTorch's
 * `TensorIterator::reorder_dimensions`: dims are sorted by the operands' strides, the first operand
 * with a non-zero, unequal pair of strides deciding, so a transposed input gives a transposed output.
 * `operandStrides` are the operands' strides after broadcasting to `shape` (0 on broadcast dims).
 * Returns null when the order is plain row-major, which every contiguous input gives.
 *
 * @example
 * const t = StridedArray.zeros([2, 3], "float32").transpose(0, 1); // strides [1, 3]
 * outputOrder(t.shape, [t.strides]); // [1, 0]
 * outputOrder([2, 3], [[3, 1]]); // null
 */
export function outputOrder(shape: Shape, operandStrides: readonly Shape[]): number[] | null {
  const nd = shape.length;
  if (nd < 2) return null;
  // perm holds dims innermost first, as TensorIterator keeps them.
  const perm = Array.from({ length: nd }, (_, i) => nd - 1 - i);
  const shouldSwap = (d0: number, d1: number): number => {
    for (const strides of operandStrides) {
      const s0 = strides[d0] as number;
      const s1 = strides[d1] as number;
      if (s0 === 0 || s1 === 0) continue; // a broadcast dim says nothing about the layout
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if ((shape[d0] as number) > (shape[d1] as number)) return 1; // equal strides: smaller size goes inside
    }
    return 0;
  };
  for (let i = 1; i < nd; i++) {
    let d1 = i;
    for (let d0 = i - 1; d0 >= 0; d0--) {
      const cmp = shouldSwap(perm[d0] as number, perm[d1] as number);
      if (cmp > 0) {
        [perm[d0], perm[d1]] = [perm[d1] as number, perm[d0] as number];
        d1 = d0;
      } else if (cmp < 0) break;
    }
  }
  const order = perm.reverse();
  return order.every((d, i) => d === i) ? null : order;
}

/**
 * The permutation that undoes `order` (`x.permute(order).permute(inversePermutation(order))` is x).
 *
 * @example
 * inversePermutation([2, 0, 1]); // [1, 2, 0]
 */
export function inversePermutation(order: readonly number[]): number[] {
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => {
    inverse[d] = i;
  });
  return inverse;
}

/**
 * True when the elements fill a block of memory without gaps or overlaps in some dim order
 * (PyTorch's `is_non_overlapping_and_dense`): a transposed matrix is, an expanded or sliced one is not.
 *
 * @example
 * const a = StridedArray.zeros([2, 3], "float32");
 * isNonOverlappingAndDense(a.transpose(0, 1)); // true
 * isNonOverlappingAndDense(a.narrow(1, 0, 2)); // false
 */
export function isNonOverlappingAndDense(array: StridedArray): boolean {
  const dims = array.shape.map((_, i) => i).filter((i) => array.shape[i] !== 1);
  dims.sort((x, y) => (array.strides[x] as number) - (array.strides[y] as number));
  let expected = 1;
  for (const d of dims) {
    if (array.strides[d] !== expected) return false;
    expected *= array.shape[d] as number;
  }
  return true;
}

/**
 * A copy that keeps the source's memory layout when it is dense (PyTorch's `preserve_format`, what
 * `clone` and dtype conversion do), else a contiguous copy.
 *
 * @example
 * const t = StridedArray.zeros([2, 3], "float32").transpose(0, 1);
 * copyPreservingLayout(t).strides; // [1, 3]
 * copyPreservingLayout(t, "float64").dtype; // "float64"
 */
export function copyPreservingLayout(src: StridedArray, dtype: DType = src.dtype): StridedArray {
  const order = isNonOverlappingAndDense(src) ? outputOrder(src.shape, [src.strides]) : null;
  if (!order) return src.copy(dtype);
  const dense = StridedArray.zeros(src.permute(order).shape, dtype);
  copyInto(dense, src.permute(order));
  return dense.permute(inversePermutation(order));
}

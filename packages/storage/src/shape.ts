import { argumentError } from "./arguments.js";
import { fmtShape, TorchletError } from "./errors.js";

/**
 * A tensor's sizes, outermost dim first (`[]` for a scalar).
 *
 * @example
 * const shape: Shape = [2, 3];
 * numel(shape); // 6
 */
export type Shape = readonly number[];

/**
 * The multi-index of flat position `i` in the row-major order of `shape` (PyTorch's
 * `torch.unravel_index` for one position).
 *
 * @example
 * unravelIndex(5, [2, 3]); // [1, 2]
 * unravelIndex(0, []); // []
 */
export function unravelIndex(i: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length);
  let rest = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    index[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  return index;
}

/**
 * The number of elements of a tensor of `shape` (1 for a scalar's `[]`).
 *
 * @example
 * numel([2, 3, 4]); // 24
 * numel([]); // 1
 */
export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Row-major strides of a contiguous tensor of `shape` (PyTorch's: a size-1 dim gets its neighbour's).
 *
 * @example
 * contiguousStrides([2, 3, 4]); // [12, 4, 1]
 */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= Math.max(shape[i] as number, 1);
  }
  return strides;
}

/**
 * Whether two shapes are the same, size for size.
 *
 * @example
 * shapesEqual([2, 3], [2, 3]); // true
 * shapesEqual([2, 3], [3, 2]); // false
 */
export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Wraps a possibly negative `dim` into [0, ndim); `op` names the caller in the error.
 *
 * @example
 * normalizeDim("sum", -1, 3); // 2
 * normalizeDim("sum", 3, 3); // throws TorchletError
 */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  if (typeof dim !== "number") throw argumentError(op, "dim", "an integer", dim);
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new TorchletError(
      `${op}: dimension ${dim} out of range (expected to be in range of [${lo}, ${hi}])`,
    );
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/**
 * Checks that `shape` is a list of non-negative integers.
 *
 * @example
 * checkShape("zeros", [2, 3]); // passes
 * checkShape("zeros", [2, -1]); // throws TorchletError
 */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) throw argumentError(op, "size", "an array of sizes", shape);
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) {
      throw new TorchletError(`${op}: invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
    }
  }
}

/**
 * NumPy/PyTorch broadcasting: align from the right; each pair of sizes must be equal or contain a 1.
 *
 * @example
 * broadcastShapes("add", [2, 1, 3], [4, 1]); // [2, 4, 3]
 * broadcastShapes("add", [2, 3], [4]); // throws TorchletError
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  // Index checks instead of reading past the start (`a[-1] ?? 1`): out-of-bounds reads are slow in V8.
  const skipA = n - a.length;
  const skipB = n - b.length;
  for (let i = 0; i < n; i++) {
    const da = i < skipA ? 1 : (a[i - skipA] as number);
    const db = i < skipB ? 1 : (b[i - skipB] as number);
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else throw new TorchletError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast`);
  }
  return out;
}

/**
 * Resolves a requested shape with at most one -1 against `total` elements (reshape/view semantics).
 *
 * @example
 * inferShape("reshape", [-1, 3], 12); // [4, 3]
 */
export function inferShape(op: string, requested: Shape, total: number): number[] {
  let inferAt = -1;
  let known = 1;
  requested.forEach((s, i) => {
    if (s === -1) {
      if (inferAt >= 0)
        throw new TorchletError(`${op}: only one dimension can be inferred in ${fmtShape(requested)}`);
      inferAt = i;
    } else if (!Number.isInteger(s) || s < 0) {
      throw new TorchletError(`${op}: invalid shape dimension ${s} in ${fmtShape(requested)}`);
    } else known *= s;
  });
  const out = [...requested];
  if (inferAt >= 0) {
    if (known === 0 || total % known !== 0) {
      throw new TorchletError(`${op}: shape ${fmtShape(requested)} is invalid for input of size ${total}`);
    }
    out[inferAt] = total / known;
  } else if (known !== total) {
    throw new TorchletError(`${op}: shape ${fmtShape(requested)} is invalid for input of size ${total}`);
  }
  return out;
}

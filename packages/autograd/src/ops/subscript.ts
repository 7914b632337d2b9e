import { backend } from "@torchlet/ops";
import { fmtShape, StridedArray, shapesEqual, TorchletError } from "@torchlet/storage";
import type { Tensor } from "../tensor.js";
import { select } from "./indexing.js";
import type { OpKit } from "./kit.js";

/**
 * A slice of one dim, libtorch's `torch::indexing::Slice(start, end, step)`: made by `torch.Slice`;
 * null is an open end, negative positions count from the end.
 *
 * @example
 * const everyOther: SliceIndex = torch.Slice(null, null, 2);
 * torch.arange(5).index([everyOther]).tolist(); // [0, 2, 4]
 */
export interface SliceIndex {
  readonly kind: "slice";
  readonly start: number | null;
  readonly end: number | null;
  readonly step: number;
}

/**
 * `torch.Slice(start?, end?, step?)`, a plain function (no `new`): Python's `start:end:step` for
 * `index` and `indexPut_`.
 *
 * @example
 * const x = torch.arange(6).reshape(2, 3);
 * x.index([torch.Slice(), torch.Slice(1)]).tolist(); // [[1, 2], [4, 5]]
 * x.index([torch.Slice(null, -1), 0]).tolist(); // [0]
 */
export function Slice(start: number | null = null, end: number | null = null, step = 1): SliceIndex {
  if (!Number.isInteger(step) || step <= 0) {
    throw new TorchletError(`Slice: step must be a positive integer, got ${step}`);
  }
  return { kind: "slice", start, end, step };
}

/**
 * One entry of an `index`/`indexPut_` list, the C++ frontend's index kinds: a number (selects, dropping
 * the dim), a `torch.Slice`, `null` (a new axis of size 1), `"..."` (as many `Slice()` as needed), an
 * integer tensor or a bool mask (advanced indexing, which copies).
 *
 * @example
 * const items: IndexItem[] = [null, "...", torch.Slice(0, 1)];
 * torch.ones(2, 3).index(items).shape; // [1, 2, 1]
 */
export type IndexItem = number | SliceIndex | null | "..." | Tensor;

const isTensor = (item: IndexItem): item is Tensor =>
  typeof item === "object" && item !== null && !("kind" in item);

/** How many dims of the indexed tensor an entry consumes. */
function consumes(item: IndexItem): number {
  if (item === null || item === "...") return 0;
  if (isTensor(item)) return item.dtype === "bool" ? item.ndim : 1;
  return 1;
}

/** A strided view of `a` along `dim` (PyTorch's `slice`, SliceBackward0). */
function slice(kit: OpKit, a: Tensor, dim: number, s: SliceIndex): Tensor {
  const size = a.shape[dim] as number;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const start = s.start === null ? 0 : clamp(s.start);
  const end = Math.max(start, s.end === null ? size : clamp(s.end));
  const length = Math.ceil((end - start) / s.step);
  const x = a._array;
  const stride = x.strides[dim] as number;
  const shape = x.shape.map((n, d) => (d === dim ? length : n));
  const strides = x.strides.map((n, d) => (d === dim ? n * s.step : n));
  const offset = length === 0 ? x.offset : x.offset + start * stride;
  const view = new StridedArray(x.source, x.dtype, shape, strides, offset);
  return kit.record("narrow", [a], view, { dim, start, step: s.step }, true);
}

/**
 * Advanced indexing sizes its result by the index values, which a device gives only asynchronously:
 * a TorchletError naming `op` for tensors on one, before anything reads them.
 */
function refuseOnDevice(op: string, tensors: readonly Tensor[]): void {
  const on = tensors.find((t) => t.device !== "cpu");
  if (on) {
    throw new TorchletError(
      `${op}: indexing with tensors reads their values, which ${on.device} gives asynchronously; index (await t.cpuAsync()) instead (${on.dtype} ${fmtShape(on.shape)} on ${on.device})`,
    );
  }
}

/** The positions (int64 tensors, one per dim) where a bool mask over dims `dim...` is true. */
function maskIndices(op: string, mask: Tensor, a: Tensor, dim: number): StridedArray[] {
  const covered = a.shape.slice(dim, dim + mask.ndim);
  if (!shapesEqual(covered, mask.shape)) {
    throw new TorchletError(
      `${op}: the shape of the mask ${fmtShape(mask.shape)} at index ${dim} does not match the shape of the indexed tensor ${fmtShape(a.shape)}`,
    );
  }
  const flat = mask._array.flat();
  const hits: number[] = [];
  for (let i = 0; i < flat.length; i++) if (flat[i]) hits.push(i);
  return mask.shape.map((_, k) => {
    const out = StridedArray.zeros([hits.length], "int64");
    const inner = mask.shape.slice(k + 1).reduce((n, s) => n * s, 1);
    hits.forEach((h, i) => {
      out.data[i] = Math.floor(h / inner) % (mask.shape[k] as number);
    });
    return out;
  });
}

/**
 * `a.index(items)`: numbers, slices, new axes and `"..."` give a view (basic indexing, each step
 * recorded as PyTorch records it: SelectBackward0, SliceBackward0, UnsqueezeBackward0); integer
 * tensors and bool masks then gather a copy (IndexBackward0).
 */
export function index(kit: OpKit, a: Tensor, items: readonly IndexItem[], op = "index"): Tensor {
  const ellipses = items.filter((item) => item === "...").length;
  if (ellipses > 1) throw new TorchletError(`${op}: an index can only have a single ellipsis ('...')`);
  const used = items.reduce<number>((n, item) => n + consumes(item), 0);
  if (used > a.ndim) {
    throw new TorchletError(`${op}: too many indices for tensor of dimension ${a.ndim} (got ${used})`);
  }
  let result = a;
  let dim = 0;
  const dims: number[] = [];
  const indices: StridedArray[] = [];
  for (const item of items) {
    if (typeof item === "number") {
      const size = result.shape[dim] as number;
      if (!Number.isInteger(item) || item >= size || item < -size) {
        throw new TorchletError(
          `${op}: index ${item} is out of bounds for dimension ${dim} with size ${size}`,
        );
      }
      result = select(kit, result, dim, item);
    } else if (item === null) {
      result = result.unsqueeze(dim++);
    } else if (item === "...") {
      dim += a.ndim - used;
    } else if (isTensor(item)) {
      refuseOnDevice(op, [result, item]);
      if (item.dtype === "bool") {
        for (const positions of maskIndices(op, item, result, dim)) {
          dims.push(dim++);
          indices.push(positions);
        }
      } else if (item.dtype === "int64") {
        dims.push(dim++);
        indices.push(item._array);
      } else {
        throw new TorchletError(
          `${op}: tensors used as indices must be int64 or bool tensors, got ${item.dtype} (shape ${fmtShape(item.shape)})`,
        );
      }
    } else {
      result = slice(kit, result, dim++, item);
    }
  }
  if (dims.length === 0) return result;
  const out = backend().advancedIndex(result._array, dims, indices, op);
  // where each output element sits in a contiguous copy of the input: its gradient goes back there
  const where = StridedArray.zeros(result.shape, "int64");
  for (let i = 0; i < where.numel; i++) where.data[i] = i;
  const positions = kit.wrap(backend().advancedIndex(where, dims, indices, op));
  return kit.record("index", [result], out, { positions });
}

/**
 * The out-of-place form of `indexPut_`: a copy of `a` with `values` (broadcast to the indexed shape)
 * written, or added with `accumulate`, at what `a.index(items)` reads (IndexPutBackward0).
 */
export function indexPut(
  kit: OpKit,
  a: Tensor,
  items: readonly IndexItem[],
  values: Tensor,
  accumulate: boolean,
): Tensor {
  refuseOnDevice("indexPut_", [a, values, ...items.filter(isTensor)]);
  const where = StridedArray.zeros(a.shape, "int64");
  for (let i = 0; i < where.numel; i++) where.data[i] = i;
  const positions = index(kit, kit.wrap(where), items, "indexPut_");
  const target = positions.shape;
  if (!broadcastsTo(values.shape, target)) {
    throw new TorchletError(
      `indexPut_: shape mismatch: value tensor of shape ${fmtShape(values.shape)} cannot be broadcast to indexing result of shape ${fmtShape(target)}`,
    );
  }
  const v = values.to(a.dtype);
  const flat = a._array.contiguous().reshape([a.numel()]);
  const src = v._array.expand(target).contiguous().reshape([positions.numel()]);
  const out = backend()
    .scatter(flat, 0, positions._array.contiguous().reshape([positions.numel()]), src, accumulate)
    .reshape(a.shape);
  return kit.record("indexPut", [a, v], out, { positions, accumulate });
}

function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  const lead = to.length - from.length;
  return from.every((f, i) => f === 1 || f === to[i + lead]);
}

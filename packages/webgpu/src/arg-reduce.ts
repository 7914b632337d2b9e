import { type ArgReduceOp, reducedShape } from "@torchlet/ops";
import { normalizeDim, type StridedArray } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import { MAX_DIMS } from "./elementwise.js";
import {
  dispatchGroups,
  GROUP_WGSL,
  groupParams,
  shaderFor,
  type Walk,
  WORKGROUP,
  walkFor,
  walkText,
} from "./groups.js";
import type { Queue } from "./queue.js";

/**
 * The position of the largest (or smallest) element of each group, and optionally the element: each
 * thread keeps its best (value, index) pair, then the pairs of a workgroup meet as a tree. "Better" is
 * a total order, so the order of the meetings does not matter: a NaN beats every number, then the
 * larger (smaller) value, then the lower index, which gives PyTorch's first NaN and first of equal
 * elements.
 */
function shader(larger: boolean, withValues: boolean, walk: Walk): string {
  const { main, members } = walkText(walk);
  const write = `indices[o] = i32(at);${withValues ? " values[o] = best;" : ""}`;
  const tree = /* wgsl */ `
  partial[li] = best;
  bestAt[li] = at;
  workgroupBarrier();
  for (var half = ${WORKGROUP / 2}u; half > 0u; half = half / 2u) {
    if (li < half && beats(partial[li + half], bestAt[li + half], partial[li], bestAt[li])) {
      partial[li] = partial[li + half];
      bestAt[li] = bestAt[li + half];
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    best = partial[0];
    at = bestAt[0];
    ${write}
  }`;
  return `${GROUP_WGSL}
@group(0) @binding(1) var<storage, read_write> indices: array<i32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
${withValues ? "@group(0) @binding(3) var<storage, read_write> values: array<f32>;" : ""}
var<workgroup> bestAt: array<u32, ${WORKGROUP}>;
const NONE = 0xffffffffu;

// Whether element v at index i beats w at index j (j == NONE: nothing seen yet).
fn beats(v: f32, i: u32, w: f32, j: u32) -> bool {
  if (j == NONE) { return i != NONE; }
  if (i == NONE) { return false; }
  let vNan = t_isnan(v);
  let wNan = t_isnan(w);
  if (vNan || wNan) { return vNan && (!wNan || i < j); }
  if (v == w) { return i < j; }
  return v ${larger ? ">" : "<"} w;
}
${main}
  let base = startA(o);
  var best = 0.0;
  var at = NONE;
  ${members} {
    let v = x[base + stepA(r)];
    if (beats(v, r, best, at)) { best = v; at = r; }
  }
  ${walk === "thread" ? write : tree}
}
`;
}

/** Whether the GPU computes an index reduction of `a`: a float32 array with elements, at most 8 dims. */
export function argReduceRuns(a: StridedArray): boolean {
  return a.dtype === "float32" && a.numel > 0 && a.ndim <= MAX_DIMS;
}

/**
 * The int64 indices (held as i32) of the best element of each group of `a` over `dims`, written into a
 * new array of `shape`, and the elements into `values` when given.
 */
function best(
  q: Queue,
  larger: boolean,
  a: StridedArray,
  dims: readonly number[],
  shape: readonly number[],
  values: StridedArray | null,
): StridedArray {
  const indices = gpuArray(q, shape, "int64");
  const buffers = [storageOf(indices).buffer, storageOf(a).buffer];
  if (values) buffers.push(storageOf(values).buffer);
  const params = groupParams(a, dims);
  const walk = walkFor(params);
  const key = `best ${larger} ${values !== null} ${walk}`;
  dispatchGroups(
    q,
    shaderFor(key, () => shader(larger, values !== null, walk)),
    params,
    buffers,
    walk,
  );
  return indices;
}

/**
 * `argmax`/`argmin` of `a` (float32, with elements): along `dim`, or into the flattened array when
 * `dim` is null (keepdim then keeps every dim as size 1). A 0-d array takes dim 0 or -1, as on the
 * CPU, whose dim errors `normalizeDim` gives.
 */
export function argReduce(
  q: Queue,
  op: ArgReduceOp,
  a: StridedArray,
  dim: number | null,
  keepdim: boolean,
): StridedArray {
  const d = dim === null ? null : normalizeDim(op, dim, a.ndim);
  const dims = d === null ? a.shape.map((_, i) => i) : a.ndim === 0 ? [] : [d];
  return best(q, op === "argmax", a, dims, reducedShape(a.shape, dims, keepdim), null);
}

/** `max(dim)`/`min(dim)` of `a` (float32, with elements): the best element along `dim` and its int64 index. */
export function extremumDim(
  q: Queue,
  op: "max" | "min",
  a: StridedArray,
  dim: number,
  keepdim: boolean,
): { values: StridedArray; indices: StridedArray } {
  const dims = a.ndim === 0 ? [] : [dim];
  const shape = reducedShape(a.shape, dims, keepdim);
  const values = gpuArray(q, shape, "float32");
  return { values, indices: best(q, op === "max", a, dims, shape, values) };
}

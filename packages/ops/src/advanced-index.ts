import { broadcastShapes, StridedArray, TorchletError } from "@torchlet/storage";

/**
 * PyTorch's advanced indexing: `a` indexed along `dims` (ascending) by integer index arrays that
 * broadcast together to a shape B. Adjacent dims put B where they were (`x[:, i, j]` has shape
 * `[x.shape[0], ...B, ...]`); separated ones put B first, then the remaining dims. Negative indices
 * count from the end; out-of-range ones are a `TorchletError` naming the index, the dim and its size.
 */
export function advancedIndex(
  a: StridedArray,
  dims: readonly number[],
  indices: readonly StridedArray[],
  op = "index",
): StridedArray {
  let b: number[] = [];
  for (const index of indices) b = broadcastShapes(op, b, index.shape);
  const nb = b.reduce((n, s) => n * s, 1);
  // each element's storage shift along the indexed dims
  const shift = new Float64Array(nb);
  indices.forEach((index, k) => {
    const dim = dims[k] as number;
    const size = a.shape[dim] as number;
    const stride = a.strides[dim] as number;
    const values = index.expand(b).flat();
    for (let i = 0; i < nb; i++) {
      const v = values[i] as number;
      if (v >= size || v < -size) {
        throw new TorchletError(`${op}: index ${v} is out of bounds for dimension ${dim} with size ${size}`);
      }
      shift[i] = (shift[i] as number) + (v < 0 ? v + size : v) * stride;
    }
  });
  const rest = a.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const first = dims[0] as number;
  const adjacent = dims.every((d, k) => d === first + k);
  const pre = adjacent ? rest.filter((d) => d < first) : [];
  const post = adjacent ? rest.filter((d) => d > first) : rest;
  const sizeOf = (ds: number[]) => ds.map((d) => a.shape[d] as number);
  const shape = [...sizeOf(pre), ...b, ...sizeOf(post)];
  const out = StridedArray.zeros(shape, a.dtype);
  if (out.numel === 0) return out;
  // storage offsets of the remaining dims' elements, in (pre, post) row-major order
  const restView = new StridedArray(
    a.data,
    a.dtype,
    sizeOf(rest),
    rest.map((d) => a.strides[d] as number),
    a.offset,
  );
  const base = new Float64Array(restView.numel);
  restView.forEachIndex((p, i) => {
    base[i] = p;
  });
  const nPost = sizeOf(post).reduce((n, s) => n * s, 1);
  const nPre = base.length / nPost;
  let q = 0;
  for (let p = 0; p < nPre; p++) {
    for (let i = 0; i < nb; i++) {
      const s = shift[i] as number;
      for (let j = 0; j < nPost; j++) out.data[q++] = a.data[(base[p * nPost + j] as number) + s] as number;
    }
  }
  return out;
}

import { type DType, fmtShape, normalizeDim, StridedArray, TorchletError } from "@torchlet/storage";

export type ReduceOp = "sum" | "mean" | "max" | "min";

/** Normalised, de-duplicated, sorted reduction dims; `null` means every dim. */
export function reductionDims(
  op: string,
  dims: number | readonly number[] | null | undefined,
  ndim: number,
): number[] {
  if (dims === null || dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const norm = list.map((d) => normalizeDim(op, d, ndim));
  if (new Set(norm).size !== norm.length)
    throw new TorchletError(`${op}: dim ${fmtShape(list)} appears multiple times in the list of dims`);
  // A 0-d tensor accepts dim 0 / -1 but has no dim to reduce; an empty list means every dim (PyTorch 1.13).
  if (ndim === 0) return [];
  if (norm.length === 0) return Array.from({ length: ndim }, (_, i) => i);
  return norm.sort((x, y) => x - y);
}

/** The shape after reducing `dims` of `shape`, keeping them as size 1 when `keepdim`. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((s, i) => {
    if (!dims.includes(i)) out.push(s);
    else if (keepdim) out.push(1);
  });
  return out;
}

/**
 * Reduces `a` over `dims` (already normalised) with sum, mean, max or min. Sums accumulate in double
 * precision. max/min of an empty reduction is an error, as in PyTorch; NaN wins in max/min.
 */
export function reduce(
  op: ReduceOp,
  a: StridedArray,
  dims: readonly number[],
  keepdim: boolean,
  outDtype: DType = a.dtype,
): StridedArray {
  const outShape = reducedShape(a.shape, dims, keepdim);
  const out = StridedArray.zeros(outShape, outDtype);
  const groups = out.numel;
  const groupSize = groups === 0 ? 0 : a.numel / groups;
  if ((op === "max" || op === "min") && groupSize === 0 && groups > 0) {
    throw new TorchletError(
      `${op}: cannot reduce over an empty dimension (input shape ${fmtShape(a.shape)})`,
    );
  }
  if (groups === 0) return out;
  const acc = new Float64Array(groups);
  if (op === "max") acc.fill(Number.NEGATIVE_INFINITY);
  if (op === "min") acc.fill(Number.POSITIVE_INFINITY);
  // Output position of each input element: strides of the kept dims, 0 for the reduced ones.
  const keptStrides = new Array<number>(a.ndim).fill(0);
  let stride = 1;
  for (let d = a.ndim - 1; d >= 0; d--) {
    if (dims.includes(d)) continue;
    keptStrides[d] = stride;
    stride *= a.shape[d] as number;
  }
  const src = a.data;
  if (dims.length === a.ndim && a.isContiguous()) {
    acc[0] = foldRange(op, src, a.offset, a.numel, acc[0] as number);
  } else {
    const nd = a.ndim;
    const counter = new Array<number>(nd).fill(0);
    let p = a.offset;
    let q = 0;
    for (let i = 0; i < a.numel; i++) {
      acc[q] = fold(op, acc[q] as number, src[p] as number);
      for (let d = nd - 1; d >= 0; d--) {
        const c = (counter[d] as number) + 1;
        if (c < (a.shape[d] as number)) {
          counter[d] = c;
          p += a.strides[d] as number;
          q += keptStrides[d] as number;
          break;
        }
        counter[d] = 0;
        p -= (c - 1) * (a.strides[d] as number);
        q -= (c - 1) * (keptStrides[d] as number);
      }
    }
  }
  const dst = out.data;
  for (let i = 0; i < groups; i++)
    dst[i] = op === "mean" ? (acc[i] as number) / groupSize : (acc[i] as number);
  return out;
}

function fold(op: ReduceOp, acc: number, x: number): number {
  if (op === "sum" || op === "mean") return acc + x;
  return op === "max" ? Math.max(acc, x) : Math.min(acc, x); // both propagate NaN, as torch.max does
}

function foldRange(op: ReduceOp, src: ArrayLike<number>, start: number, n: number, init: number): number {
  let acc = init;
  if (op === "sum" || op === "mean") {
    for (let i = 0; i < n; i++) acc += src[start + i] as number;
    return acc;
  }
  for (let i = 0; i < n; i++) acc = fold(op, acc, src[start + i] as number);
  return acc;
}

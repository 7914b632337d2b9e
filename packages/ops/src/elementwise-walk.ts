// The strided walk shared by the elementwise kernels: the output is row-major, every operand has its
// strides broadcast to the output's shape (0 on broadcast dims), and dims that are laid out one after
// the other in every operand are coalesced, so a contiguous, scalar or row-broadcast operation becomes
// one or two loops over rows and only a truly strided one pays for the n-d counter.

/** Coalesced dims, innermost first: `sizes[k]` and, per operand, `strides[op][k]`. */
export interface Walk {
  readonly sizes: number[];
  readonly strides: number[][];
}

/**
 * The strides of an operand of `opShape`/`opStrides` broadcast to `shape`, exactly as
 * `StridedArray.expand` gives them (new leading dims and stretched size-1 dims get 0), without the view.
 */
export function broadcastStrides(
  shape: readonly number[],
  opShape: readonly number[],
  opStrides: readonly number[],
): number[] {
  const ndim = shape.length;
  const out = new Array<number>(ndim);
  const lead = ndim - opShape.length;
  for (let d = 0; d < ndim; d++) {
    const k = d - lead;
    out[d] = k >= 0 && opShape[k] === shape[d] ? (opStrides[k] as number) : 0;
  }
  return out;
}

/** Drops size-1 dims and merges neighbours that every operand steps through as one dim. */
export function coalesce(shape: readonly number[], operandStrides: readonly (readonly number[])[]): Walk {
  const sizes: number[] = [];
  const strides: number[][] = operandStrides.map(() => []);
  const count = operandStrides.length;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    if (size === 1) continue;
    const k = sizes.length - 1;
    let merge = k >= 0;
    for (let i = 0; i < count && merge; i++) {
      const s = strides[i] as number[];
      merge = (operandStrides[i] as readonly number[])[d] === (s[k] as number) * (sizes[k] as number);
    }
    if (merge) {
      sizes[k] = (sizes[k] as number) * size;
    } else {
      sizes.push(size);
      for (let i = 0; i < count; i++)
        (strides[i] as number[]).push((operandStrides[i] as readonly number[])[d] as number);
    }
  }
  if (sizes.length === 0) {
    sizes.push(1);
    for (let i = 0; i < count; i++) (strides[i] as number[]).push(0);
  }
  return { sizes, strides };
}

/**
 * Calls `row(outOffset, offsets)` once per innermost row of a coalesced walk, with each operand's
 * storage offset of the row's first element; `offsets` is reused between calls (copy it to keep it).
 */
export function forEachRow(
  walk: Walk,
  starts: readonly number[],
  row: (o: number, offsets: number[]) => void,
): void {
  const { sizes, strides } = walk;
  const count = starts.length;
  const offsets = [...starts];
  const inner = sizes[0] as number;
  const nd = sizes.length;
  for (let d = 0; d < nd; d++) if (sizes[d] === 0) return; // an empty walk visits no row
  if (nd === 1) {
    row(0, offsets);
    return;
  }
  const counter = new Array<number>(nd).fill(0);
  let o = 0;
  for (;;) {
    row(o, offsets);
    o += inner;
    let d = 1;
    for (; d < nd; d++) {
      const c = (counter[d] as number) + 1;
      const size = sizes[d] as number;
      if (c < size) {
        counter[d] = c;
        for (let i = 0; i < count; i++)
          offsets[i] = (offsets[i] as number) + ((strides[i] as number[])[d] as number);
        break;
      }
      counter[d] = 0;
      for (let i = 0; i < count; i++)
        offsets[i] = (offsets[i] as number) - (c - 1) * ((strides[i] as number[])[d] as number);
    }
    if (d === nd) return;
  }
}

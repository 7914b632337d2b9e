import { INT64_EXACT_MAX, type StridedArray, type TypedArray } from "@torchlet/storage";
import { checkInt64Results, int64RangeError } from "@torchlet/storage/internal";

// int64 elements are exact integers in a Float64Array (storage's int64.ts), so the float64 loops
// compute them; what is int64's own is checked here: every result must stay within ±(2^53 - 1), the
// range where double arithmetic on integers is exact, or the op throws instead of returning a
// rounded number. PyTorch would wrap at 2^63; torchlet refuses.

/**
 * Checks a kernel's freshly computed int64 output (dense from `offset`, as every kernel output is)
 * and turns its -0s into 0; other dtypes pass untouched. Returns `out`.
 */
export function settleInt64(op: string, out: StridedArray): StridedArray {
  if (out.dtype === "int64")
    checkInt64Results(op, out.data as Float64Array, out.offset, out.offset + out.numel);
  return out;
}

/**
 * `acc[q + j*sq] += src[p + j*sp]` for j < n, an int64 sum whose partial sums must each stay within
 * ±(2^53 - 1): then each addition was exact, and so is the total (PyTorch's exact total may be in
 * range while a partial sum was not, in this order; torchlet then refuses rather than guess).
 */
export function sumRowInt64(
  acc: Float64Array,
  q: number,
  sq: number,
  src: TypedArray,
  p: number,
  sp: number,
  n: number,
): void {
  for (let j = 0; j < n; j++) {
    const s = (acc[q + j * sq] as number) + (src[p + j * sp] as number);
    if (!(Math.abs(s) <= INT64_EXACT_MAX)) throw int64RangeError("sum", s, "a running int64 sum");
    acc[q + j * sq] = s;
  }
}

/**
 * `row[j] += a * B[p + j]` for j < n, one step of an int64 matrix product, where each product and
 * each partial sum must stay within ±(2^53 - 1), so that every one of them is exact.
 */
export function accumulateInt64(
  op: string,
  row: Float64Array,
  a: number,
  B: TypedArray,
  p: number,
  n: number,
): void {
  for (let j = 0; j < n; j++) {
    const product = a * (B[p + j] as number);
    const s = (row[j] as number) + product;
    if (!(Math.abs(product) <= INT64_EXACT_MAX && Math.abs(s) <= INT64_EXACT_MAX)) {
      throw int64RangeError(
        op,
        Math.abs(product) > INT64_EXACT_MAX ? product : s,
        "an int64 product or partial sum",
      );
    }
    row[j] = s;
  }
}

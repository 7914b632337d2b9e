import { INT64_EXACT_MAX, type StridedArray, TorchletError, type TypedArray } from "@torchlet/storage";
import { checkInt64Results } from "@torchlet/storage/internal";

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
 * Checks that summing `magnitudes` (the sums of |x| of each group of an int64 sum, or of |a||b| of each
 * element of an int64 product) never left the exact range: then every partial sum was exact, in any
 * order, and so is the result.
 */
export function checkInt64Magnitudes(op: string, magnitudes: StridedArray): void {
  const data = magnitudes.data;
  for (let i = magnitudes.offset, end = i + magnitudes.numel; i < end; i++) {
    if ((data[i] as number) > INT64_EXACT_MAX) {
      throw new TorchletError(
        `${op}: the int64 result may exceed ±(2^53 - 1) = ±${INT64_EXACT_MAX}, the range torchlet's int64 holds exactly (a sum of magnitudes reaches ${data[i]})`,
      );
    }
  }
}

/**
 * PyTorch's integer power (`powi`): a negative exponent gives 1 for base 1, ±1 for base -1 and 0
 * otherwise; other powers are JS's `**`, which (fdlibm's pow) is exact whenever the integer result is
 * representable, and the range check catches the rest.
 */
export function powInt64Loop(
  d: TypedArray,
  o: number,
  A: TypedArray,
  pa: number,
  ia: number,
  B: TypedArray,
  pb: number,
  ib: number,
  n: number,
): void {
  for (let j = 0; j < n; j++) {
    const a = A[pa + j * ia] as number;
    const b = B[pb + j * ib] as number;
    d[o + j] = b >= 0 ? a ** b : a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  }
}

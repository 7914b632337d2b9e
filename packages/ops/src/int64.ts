import { INT64_EXACT_MAX, type StridedArray, TorchletError } from "@torchlet/storage";
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

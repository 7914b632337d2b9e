import { type DType, fmtShape, StridedArray, TorchletError } from "@torchlet/storage";
import { accumulateInt64, settleInt64 } from "./int64.js";

/**
 * Batched matrix product: `a` is [batch, m, k], `b` is [batch, k, n] (any strides, including the
 * stride-0 batch dims of a broadcast), the result a new contiguous [batch, m, n] array.
 * Loop order i-p-j keeps the inner loop streaming along rows of `b` and of the output. An int64
 * product or partial sum beyond ±(2^53 - 1), where double arithmetic stops being exact, is an error.
 */
export function bmm(a: StridedArray, b: StridedArray, outDtype: DType, name = "bmm"): StridedArray {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) {
    throw new TorchletError(
      `${name}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied`,
    );
  }
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  // The inner loop wants unit stride along b's columns; copy b once if it is laid out otherwise.
  const B = b.strides[2] === 1 || n <= 1 ? b : b.copy();
  const out = StridedArray.zeros([batch, m, n], outDtype);
  const dst = out.data;
  const A = a.data;
  const Bd = B.data;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk] = B.strides as [number, number, number];
  const row = new Float64Array(n);
  const int64 = outDtype === "int64";
  for (let t = 0; t < batch; t++) {
    const aBase = a.offset + t * sab;
    const bBase = B.offset + t * sbb;
    for (let i = 0; i < m; i++) {
      row.fill(0);
      const aRow = aBase + i * sam;
      for (let p = 0; p < k; p++) {
        const aip = A[aRow + p * sak] as number;
        const bRow = bBase + p * sbk;
        if (int64) accumulateInt64(name, row, aip, Bd, bRow, n);
        else for (let j = 0; j < n; j++) row[j] = (row[j] as number) + aip * (Bd[bRow + j] as number);
      }
      dst.set(row, (t * m + i) * n);
    }
  }
  return settleInt64(name, out);
}

/** The 2-D matrix product [m, k] x [k, n] -> [m, n]. */
export function mm(a: StridedArray, b: StridedArray, outDtype: DType, name = "mm"): StridedArray {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    const what = a.ndim !== 2 || b.ndim !== 2 ? "expects two 2-D matrices, got" : "cannot multiply";
    throw new TorchletError(`${name}: ${what} shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const out = bmm(a.unsqueeze(0), b.unsqueeze(0), outDtype, name);
  return out.squeeze(0);
}

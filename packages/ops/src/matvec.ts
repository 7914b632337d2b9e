import { contiguousStrides, type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { allocateUnfilled, heapAddress } from "@torchlet/storage/internal";
import { A_AT, A_BYTES, D_AT, type MatvecKernels, matvecKernels, V_BYTES, X_AT } from "./matvec-wasm.js";

/**
 * Matrix products with a unit dimension: n == 1 (matrix-vector), m == 1 (vector-matrix) and k == 1
 * (outer product), which a raw-tensor network does three times per layer and step (h.mm(w2),
 * h.t().mm(g), g.mm(w2.t())). The tiled GEMM would pad the unit dim to its 8-column tile, pack the
 * whole other operand and copy out a padded tile grid; here the Wasm kernels stream the matrix
 * operand once through a small scratch memory and the JS loops read it where it lies (any strides:
 * transposed, offset, stride-0 batch), and each result element is written once.
 *
 * Every output sums its products in ascending p into a double starting at 0, as the reference
 * kernel (matmul.ts) does, so float64 and float32 results are bit-identical to it (a float32 product
 * is exact in a double; the float32 store rounds once). Products of at least `minWasm` multiply-adds
 * whose matrix operand has a unit inner stride run on the Wasm SIMD kernels of matvec-wasm.ts, the
 * rest in the JS loops here.
 */

type Floats = Float32Array | Float64Array;

/** The JS column-order loop's accumulators, kept between calls (grown as needed). */
let columnSums = new Float64Array(0);

/**
 * out[i] = sum_p A[a + i*sm + p*sk] * X[x + p*sx] for i < m, written at out[o + i], in whichever loop
 * order reads A along its shorter stride: dot products (row-major A) or scaled column sums (A
 * transposed, as h.t() in a backward pass), so both stream through the cache.
 */
function matvec(
  out: Floats,
  o: number,
  A: TypedArray,
  a: number,
  sm: number,
  sk: number,
  m: number,
  k: number,
  X: TypedArray,
  x: number,
  sx: number,
): void {
  if (Math.abs(sm) < Math.abs(sk)) {
    // Column order: every acc[i] still adds its products in ascending p, m at a time.
    if (columnSums.length < m) columnSums = new Float64Array(m);
    const acc = columnSums;
    acc.fill(0, 0, m);
    for (let p = 0, ap = a, xp = x; p < k; p++, ap += sk, xp += sx) {
      const v = X[xp] as number;
      if (sm === 1) for (let i = 0; i < m; i++) acc[i] = (acc[i] as number) + (A[ap + i] as number) * v;
      else for (let i = 0, ai = ap; i < m; i++, ai += sm) acc[i] = (acc[i] as number) + (A[ai] as number) * v;
    }
    for (let i = 0; i < m; i++) out[o + i] = acc[i] as number;
    return;
  }
  // Row order: four dot products at once, so four independent addition chains hide the add latency.
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = 0, ap = a + i * sm, xp = x; p < k; p++, ap += sk, xp += sx) {
      const v = X[xp] as number;
      s0 += (A[ap] as number) * v;
      s1 += (A[ap + sm] as number) * v;
      s2 += (A[ap + 2 * sm] as number) * v;
      s3 += (A[ap + 3 * sm] as number) * v;
    }
    out[o + i] = s0;
    out[o + i + 1] = s1;
    out[o + i + 2] = s2;
    out[o + i + 3] = s3;
  }
  for (; i < m; i++) {
    let s = 0;
    for (let p = 0, ap = a + i * sm, xp = x; p < k; p++, ap += sk, xp += sx)
      s += (A[ap] as number) * (X[xp] as number);
    out[o + i] = s;
  }
}

/** out[i, j] = 0 + A[i] * B[j], row by row; the `0 +` turns -0 into +0, as the reference's sum does. */
function outer(
  out: Floats,
  o: number,
  A: TypedArray,
  a: number,
  sa: number,
  m: number,
  B: TypedArray,
  b: number,
  sb: number,
  n: number,
): void {
  for (let i = 0, ai = a; i < m; i++, ai += sa, o += n) {
    const v = A[ai] as number;
    if (sb === 1) for (let j = 0; j < n; j++) out[o + j] = (B[b + j] as number) * v + 0;
    else for (let j = 0, bj = b; j < n; j++, bj += sb) out[o + j] = (B[bj] as number) * v + 0;
  }
}

const ceil16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Shortest row or column of a gapped matrix worth staging with one copy per line (else the JS loop). */
const MIN_LINE = 64;

/**
 * A byte address in [at, at + 4096) for data to be copied from Wasm memory to `out` at element `o`:
 * 2 KiB apart from the destination modulo 4 KiB. When source and destination share their address
 * bits below 4 KiB (both page-aligned), the CPU takes each load for a possible reload of an earlier
 * store ("4K aliasing"): copying 8 MiB out of Wasm memory into a reused page-aligned array took
 * 3.2 ms instead of 0.26 ms here. (Into a fresh output, page faults dominate either way.)
 */
function unaliased(at: number, out: Floats, o: number): number {
  return at + ((out.byteOffset + o * out.BYTES_PER_ELEMENT + 2048) & 4095);
}

/** The byte address of `array[index]` in the kernels' memory (a float32 heap array), or -1. */
function addressOf(K: MatvecKernels, array: TypedArray, index: number): number {
  if (!K.onHeap || !(array instanceof Float32Array)) return -1;
  const at = heapAddress(array);
  return at < 0 ? -1 : at + index * 4;
}

/**
 * `outer` on the Wasm kernel: rows of the result are written straight into `out` when it is in the
 * Wasm heap (a row's 16-byte stores past its end land in the next row, written after it, or in the
 * heap block's slack), else computed in the scratch and copied out. Operands in the heap are read in
 * place, others staged.
 */
function wasmOuter(
  K: MatvecKernels,
  E: 4 | 8,
  out: Floats,
  o: number,
  A: TypedArray,
  a: number,
  sa: number,
  m: number,
  B: TypedArray,
  b: number,
  sb: number,
  n: number,
): boolean {
  const rowBytes = n * E;
  const atB = sb === 1 ? addressOf(K, B, b) : -1;
  if (atB < 0 && rowBytes > V_BYTES) return false;
  const view = E === 4 ? K.f32 : K.f64;
  if (atB < 0) {
    if (sb === 1) view.set(B.subarray(b, b + n), X_AT / E);
    else for (let j = 0; j < n; j++) view[X_AT / E + j] = B[b + j * sb] as number;
  }
  const row = atB < 0 ? K.base + X_AT : atB;
  const atOut = addressOf(K, out, o);
  const atA = sa === 1 && atOut >= 0 ? addressOf(K, A, a) : -1;
  const fn = K.outer[E === 4 ? 0 : 1];
  if (atA >= 0) {
    fn(atOut, atA, atA + m * E, row, rowBytes);
    return true;
  }
  const step =
    atOut >= 0 ? Math.floor(V_BYTES / E) : Math.min(Math.floor(A_BYTES / rowBytes), Math.floor(V_BYTES / E));
  for (let i0 = 0; i0 < m; i0 += step) {
    const rows = Math.min(step, m - i0);
    if (sa === 1) view.set(A.subarray(a + i0, a + i0 + rows), D_AT / E);
    else for (let i = 0; i < rows; i++) view[D_AT / E + i] = A[a + (i0 + i) * sa] as number;
    const d = K.base + D_AT;
    if (atOut >= 0) {
      fn(atOut + i0 * rowBytes, d, d + rows * E, row, rowBytes);
      continue;
    }
    const at = unaliased(A_AT, out, o + i0 * n);
    fn(K.base + at, d, d + rows * E, row, rowBytes);
    out.set(view.subarray(at / E, at / E + rows * n), o + i0 * n);
  }
  return true;
}

/**
 * `matvec` in column order (A[i, p] at a + i + p*sk) on the Wasm kernel: A's columns (read in place
 * when A is in the Wasm heap, else staged in chunks) and their x values stream through double
 * accumulators.
 */
function wasmColumns(
  K: MatvecKernels,
  E: 4 | 8,
  out: Floats,
  o: number,
  A: TypedArray,
  a: number,
  sk: number,
  m: number,
  k: number,
  X: TypedArray,
  x: number,
  sx: number,
): boolean {
  const rowBytes = m * E;
  const accBytes = ceil16(rowBytes) * (8 / E);
  const atA = addressOf(K, A, a);
  if (accBytes > V_BYTES || (atA < 0 && rowBytes > A_BYTES)) return false;
  const view = E === 4 ? K.f32 : K.f64;
  const f64 = K.f64;
  f64.fill(0, D_AT / 8, D_AT / 8 + accBytes / 8);
  const step = Math.min(atA >= 0 ? k : Math.floor(A_BYTES / rowBytes), Math.floor(V_BYTES / 8));
  const fn = K.colacc[E === 4 ? 0 : 1];
  for (let p0 = 0; p0 < k; p0 += step) {
    const cols = Math.min(step, k - p0);
    for (let p = 0; p < cols; p++) f64[X_AT / 8 + p] = X[x + (p0 + p) * sx] as number;
    if (atA >= 0) {
      const from = atA + p0 * sk * E;
      fn(K.base + D_AT, from, from + cols * sk * E, K.base + X_AT, rowBytes, sk * E);
      continue;
    }
    const from = a + p0 * sk;
    if (sk === m) view.set(A.subarray(from, from + cols * m), A_AT / E);
    else
      for (let p = 0; p < cols; p++) view.set(A.subarray(from + p * sk, from + p * sk + m), A_AT / E + p * m);
    fn(K.base + D_AT, K.base + A_AT, K.base + A_AT + cols * rowBytes, K.base + X_AT, rowBytes, rowBytes);
  }
  out.set(f64.subarray(D_AT / 8, D_AT / 8 + m), o);
  return true;
}

/**
 * `matvec` in row order (A[i, p] at a + i*sm + p) on the Wasm kernel: rows are read in place when A
 * is in the Wasm heap (four at a time; the last m % 4 in the JS loop, which sums in the same order),
 * else staged in chunks; the kernel sums whole 16-byte blocks of p, and the few products after the
 * last block are added here, still in ascending p, before the result is rounded.
 */
function wasmRows(
  K: MatvecKernels,
  E: 4 | 8,
  out: Floats,
  o: number,
  A: TypedArray,
  a: number,
  sm: number,
  m: number,
  k: number,
  X: TypedArray,
  x: number,
  sx: number,
): boolean {
  const rowBytes = k * E;
  const atA = addressOf(K, A, a);
  if ((atA < 0 && 4 * rowBytes > A_BYTES) || k * 8 > V_BYTES) return false;
  const view = E === 4 ? K.f32 : K.f64;
  const f64 = K.f64;
  for (let p = 0; p < k; p++) f64[X_AT / 8 + p] = X[x + p * sx] as number;
  const lanes = 16 / E;
  const k4 = k - (k % lanes);
  const results = Math.floor(V_BYTES / 8 / 4) * 4;
  const step = atA >= 0 ? results : Math.min(Math.floor(A_BYTES / rowBytes / 4) * 4, results);
  const fn = K.rowdot[E === 4 ? 0 : 1];
  // in place, the kernel's four-row groups must not read past A's last row
  const kernelRows = atA >= 0 ? m - (m % 4) : m;
  for (let i0 = 0; i0 < kernelRows; i0 += step) {
    const rows = Math.min(step, kernelRows - i0);
    let row = K.base + A_AT;
    let stride = rowBytes;
    if (atA >= 0) {
      row = atA + i0 * sm * E;
      stride = sm * E;
    } else {
      const from = a + i0 * sm;
      if (sm === k) view.set(A.subarray(from, from + rows * k), A_AT / E);
      else
        for (let i = 0; i < rows; i++)
          view.set(A.subarray(from + i * sm, from + i * sm + k), A_AT / E + i * k);
    }
    fn(K.base + D_AT, row, row + rows * stride, K.base + X_AT, k4 * E, stride);
    if (k4 === k) {
      out.set(f64.subarray(D_AT / 8, D_AT / 8 + rows), o + i0);
      continue;
    }
    for (let i = 0; i < rows; i++) {
      let s = f64[D_AT / 8 + i] as number;
      for (let p = k4; p < k; p++) s += (A[a + (i0 + i) * sm + p] as number) * (f64[X_AT / 8 + p] as number);
      out[o + i0 + i] = s;
    }
  }
  if (kernelRows < m) matvec(out, o + kernelRows, A, a + kernelRows * sm, sm, 1, m - kernelRows, k, X, x, sx);
  return true;
}

/** One item's matrix-vector product on the Wasm kernels when its layout suits them, else in JS. */
function anyMatvec(
  K: MatvecKernels | null,
  E: 4 | 8,
  out: Floats,
  o: number,
  A: TypedArray,
  a: number,
  sm: number,
  sk: number,
  m: number,
  k: number,
  X: TypedArray,
  x: number,
  sx: number,
): void {
  if (K !== null) {
    // Gapped lines are staged one copy each, which pays only when the lines are long; a matrix in the
    // Wasm heap is read in place, gaps or not.
    const columns = Math.abs(sm) < Math.abs(sk);
    const inPlace = addressOf(K, A, a) >= 0;
    if (columns && sm === 1 && (inPlace || sk === m || (sk > m && m >= MIN_LINE))) {
      if (wasmColumns(K, E, out, o, A, a, sk, m, k, X, x, sx)) return;
    }
    if (!columns && sk === 1 && (inPlace || sm === k || (sm > k && k >= MIN_LINE))) {
      if (wasmRows(K, E, out, o, A, a, sm, m, k, X, x, sx)) return;
    }
  }
  matvec(out, o, A, a, sm, sk, m, k, X, x, sx);
}

/**
 * The product of `a` [batch, m, k] and `b` [batch, k, n] when one of m, n, k is 1 and all three
 * arrays are float32 or all float64; null for anything else (the caller goes on to the GEMM).
 * Products of at least `minWasm` multiply-adds per item try the Wasm kernels.
 */
export function unitBmm(
  a: StridedArray,
  b: StridedArray,
  outDtype: DType,
  minWasm: number,
): StridedArray | null {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) return null;
  if ((outDtype !== "float32" && outDtype !== "float64") || a.dtype !== outDtype || b.dtype !== outDtype)
    return null;
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  if (m === 0 || n === 0 || k === 0 || (m !== 1 && n !== 1 && k !== 1)) return null;
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  // every element is written below: no zero-fill
  const shape = [batch, m, n];
  const out = new StridedArray(
    allocateUnfilled(outDtype, batch * m * n),
    outDtype,
    shape,
    contiguousStrides(shape),
  );
  const dst = out.data as Floats;
  const K = m * n * k >= minWasm ? matvecKernels() : null;
  const E = outDtype === "float32" ? 4 : 8;
  for (let t = 0; t < batch; t++) {
    const ab = a.offset + t * sab;
    const bb = b.offset + t * sbb;
    const o = t * m * n;
    if (k === 1) {
      if (K === null || !wasmOuter(K, E, dst, o, a.data, ab, sam, m, b.data, bb, sbn, n))
        outer(dst, o, a.data, ab, sam, m, b.data, bb, sbn, n);
    } else if (n === 1) anyMatvec(K, E, dst, o, a.data, ab, sam, sak, m, k, b.data, bb, sbk);
    // m == 1: out[j] = sum_p a[p] * b[p, j] is b's transpose times a
    else anyMatvec(K, E, dst, o, b.data, bb, sbn, sbk, n, k, a.data, ab, sak);
  }
  return out;
}

import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";
import { bmm as referenceBmm, mm as referenceMm } from "./matmul.js";
import { availableHelpers, CONTROL_BYTES, runUnits, ThreadPool, type UnitArgs } from "./matmul-threads.js";
import { unitBmm } from "./matvec.js";
import { GEMM_F32, GEMM_F64, type GemmShape, gemmModuleBytes } from "./wasm/gemm-kernels.js";
import { instantiate } from "./wasm/instantiate.js";

/**
 * The fast matmul: float32 and float64 products through the Wasm SIMD kernels of wasm/gemm-kernels.ts,
 * split across worker threads when large (Node). Packing the operands into Wasm memory is the copy
 * in (any strides: transposed, offset, stride-0 batch), the padded C tile grid is copied out.
 * Everything else (other dtypes, small products, no SIMD) goes to the reference kernel in matmul.ts,
 * which stays the yardstick: float64 results are bit-identical to it (same summation order, no FMA),
 * float32 ones differ by float32 rounding (this path accumulates in float32, as PyTorch does).
 */

/**
 * Thresholds and thread count of the fast matmul; read and change them with `configureMatmul`.
 *
 * @example
 * const previous: MatmulOptions = configureMatmul({ threads: 0 }); // single-threaded from here on
 * configureMatmul(previous);
 */
export interface MatmulOptions {
  /** smallest m*n*k (per batch item) sent to Wasm; below it the reference kernel is faster */
  minWasm: number;
  /** smallest m*n*k (per batch item) split across threads */
  minThreads: number;
  /** helper threads to use at most (0: single-threaded) */
  threads: number;
  /** whether products with m, n or k equal to 1 take the matrix-vector and outer-product paths of matvec.ts */
  unitDims: boolean;
  /** smallest m*n*k (per batch item) of those sent to their Wasm kernels; below it JS loops */
  unitWasm: number;
  /** largest m for which a B with unit column stride is read in place by the kernels, not packed (-1: never) */
  inPlaceB: number;
}

const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB; larger products fall back to the reference kernel

// Measured here: the Wasm path wins from about 8x8x8 on (packing and copying out included).
const options: MatmulOptions = {
  minWasm: 256,
  minThreads: 1 << 20,
  threads: availableHelpers(),
  unitDims: true,
  unitWasm: 256,
  inPlaceB: 64,
};

/**
 * Adjusts the fast matmul's thresholds (tests force tiny thresholds); returns the previous options.
 *
 * @example
 * const previous = configureMatmul({ minWasm: 0 }); // every float product through Wasm
 * const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * fastBackend.mm(a, a, "float32").toNested(); // [[7, 10], [15, 22]]
 * configureMatmul(previous);
 */
export function configureMatmul(next: Partial<MatmulOptions>): MatmulOptions {
  const previous = { ...options };
  Object.assign(options, next);
  return previous;
}

interface Engine {
  readonly memory: WebAssembly.Memory;
  readonly gemm: readonly [Gemm, Gemm];
  /** [packA32, packB32, packA64, packB64] */
  readonly pack: readonly [Gemm, Gemm, Gemm, Gemm];
  readonly pool: ThreadPool | null;
  buffer: ArrayBuffer | SharedArrayBuffer | null;
  f32: Float32Array;
  f64: Float64Array;
}
type Gemm = (...args: number[]) => void;

let engine: Engine | null | undefined;

/** Products so far on each path of wasmBmm (matmulInfo reports them; tests check a path ran). */
const counts = { packedB: 0, inPlaceB: 0, byRows: 0, byColumns: 0 };

function createEngine(): Engine | null {
  const helpers = threadsFailed ? 0 : availableHelpers();
  // shared memory may be refused (e.g. no cross-origin isolation): then unshared, without threads
  for (const shared of helpers > 0 ? [true, false] : [false]) {
    const wasm = instantiate(gemmModuleBytes, { initialPages: 1, maximumPages: MAX_PAGES, shared });
    if (wasm === null) continue;
    const { exports, memory, module } = wasm;
    return {
      memory,
      gemm: [exports.gemm32 as Gemm, exports.gemm64 as Gemm],
      pack: [
        exports.packA32 as Gemm,
        exports.packB32 as Gemm,
        exports.packA64 as Gemm,
        exports.packB64 as Gemm,
      ],
      pool: shared ? new ThreadPool(memory, module, helpers) : null,
      buffer: null,
      f32: new Float32Array(0),
      f64: new Float64Array(0),
    };
  }
  return null;
}

/** Set once a helper thread failed: from then on products run single-threaded. */
let threadsFailed = false;

/**
 * Drops the engine after its threads failed: a worker that missed its deadline may still be alive and
 * write into the shared memory later, so the next product gets a new engine with a memory of its own.
 */
function abandonEngine(): void {
  threadsFailed = true;
  engine = undefined;
}

function getEngine(): Engine | null {
  if (engine === undefined) engine = createEngine();
  return engine;
}

/** Grows the memory to `bytes` and refreshes the views; false when it cannot. */
function reserve(e: Engine, bytes: number): boolean {
  const have = e.memory.buffer.byteLength;
  if (bytes > have) {
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    try {
      e.memory.grow(pages);
    } catch {
      return false;
    }
  }
  if (e.buffer !== e.memory.buffer || e.f32.length * 4 !== e.memory.buffer.byteLength) {
    e.buffer = e.memory.buffer;
    e.f32 = new Float32Array(e.buffer);
    e.f64 = new Float64Array(e.buffer);
  }
  return true;
}

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/**
 * Packs A[i, p] (i < m, p < k) into panels of MR rows: dst[(ip*k + p)*MR + r], zero-padded rows.
 * Reads run along whichever of A's strides is shorter: along rows for a row-major A, down columns for
 * a transposed one (x.t() in a backward pass), so both stream through the cache.
 */
function packA(
  dst: Float32Array | Float64Array,
  at: number,
  src: TypedArray,
  base: number,
  sm: number,
  sk: number,
  m: number,
  k: number,
  mr: number,
): void {
  const panels = Math.ceil(m / mr);
  const columnMajor = Math.abs(sm) < Math.abs(sk);
  for (let ip = 0; ip < panels; ip++) {
    const panel = at + ip * k * mr;
    const rows = Math.min(mr, m - ip * mr);
    if (columnMajor) {
      let d = panel;
      for (let p = 0; p < k; p++, d += mr) {
        const s = base + ip * mr * sm + p * sk;
        for (let r = 0; r < rows; r++) dst[d + r] = src[s + r * sm] as number;
        for (let r = rows; r < mr; r++) dst[d + r] = 0;
      }
      continue;
    }
    for (let r = 0; r < mr; r++) {
      let d = panel + r;
      if (r >= rows) {
        for (let p = 0; p < k; p++, d += mr) dst[d] = 0;
        continue;
      }
      let s = base + (ip * mr + r) * sm;
      for (let p = 0; p < k; p++, d += mr, s += sk) dst[d] = src[s] as number;
    }
  }
}

/** Packs B[p, j] into panels of NR columns: dst[(jp*k + p)*NR + c], zero-padded columns (reads as in packA). */
function packB(
  dst: Float32Array | Float64Array,
  at: number,
  src: TypedArray,
  base: number,
  sk: number,
  sn: number,
  k: number,
  n: number,
  nr: number,
): void {
  const panels = Math.ceil(n / nr);
  const rowMajor = Math.abs(sn) <= Math.abs(sk);
  for (let jp = 0; jp < panels; jp++) {
    const j0 = jp * nr;
    const width = Math.min(nr, n - j0);
    const panel = at + jp * k * nr;
    if (rowMajor) {
      let d = panel;
      for (let p = 0; p < k; p++, d += nr) {
        const s = base + p * sk + j0 * sn;
        if (sn === 1) for (let c = 0; c < width; c++) dst[d + c] = src[s + c] as number;
        else for (let c = 0; c < width; c++) dst[d + c] = src[s + c * sn] as number;
        for (let c = width; c < nr; c++) dst[d + c] = 0;
      }
      continue;
    }
    for (let c = 0; c < nr; c++) {
      let d = panel + c;
      if (c >= width) {
        for (let p = 0; p < k; p++, d += nr) dst[d] = 0;
        continue;
      }
      let s = base + (j0 + c) * sn;
      for (let p = 0; p < k; p++, d += nr, s += sk) dst[d] = src[s] as number;
    }
  }
}

/** The storage span of a rows x cols operand when compact enough to copy whole (else 0). */
function stagedSpan(rows: number, cols: number, sr: number, sc: number): number {
  if (sr < 0 || sc < 0) return 0;
  const span = (rows - 1) * sr + (cols - 1) * sc + 1;
  return span <= 2 * rows * cols ? span : 0;
}

/** True when the fast path takes this product (else the caller uses the reference kernel). */
function eligible(a: StridedArray, b: StridedArray, outDtype: DType): boolean {
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1]) return false;
  if (outDtype !== "float32" && outDtype !== "float64") return false;
  if (a.dtype !== outDtype || b.dtype !== outDtype) return false;
  const m = a.shape[1] as number;
  const k = a.shape[2] as number;
  const n = b.shape[2] as number;
  return m > 0 && n > 0 && k > 0 && m * n * k >= options.minWasm;
}

/** bmm with the same contract as the reference kernel (matmul.ts), fast where it can be. */
export function bmm(a: StridedArray, b: StridedArray, outDtype: DType, name = "bmm"): StridedArray {
  const unit = options.unitDims ? unitBmm(a, b, outDtype, options.unitWasm) : null;
  if (unit) return unit;
  if (!eligible(a, b, outDtype)) return referenceBmm(a, b, outDtype, name);
  const e = getEngine();
  if (!e) return referenceBmm(a, b, outDtype, name);
  return wasmBmm(e, a, b, outDtype) ?? referenceBmm(a, b, outDtype, name);
}

/** The 2-D product [m, k] x [k, n] through `bmm` (same checks and messages as the reference mm). */
export function mm(a: StridedArray, b: StridedArray, outDtype: DType, name = "mm"): StridedArray {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    return referenceMm(a, b, outDtype, name); // let the reference report the bad shapes
  }
  return bmm(a.unsqueeze(0), b.unsqueeze(0), outDtype, name).squeeze(0);
}

function wasmBmm(e: Engine, a: StridedArray, b: StridedArray, outDtype: DType): StridedArray | null {
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  const shape: GemmShape = outDtype === "float32" ? GEMM_F32 : GEMM_F64;
  const E = shape.elementBytes;
  const mp = Math.ceil(m / shape.mr);
  const np = Math.ceil(n / shape.nr);
  const ldc = np * shape.nr; // elements per C row
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  // An operand whose elements lie in a compact span is copied in with one memcpy and packed by the
  // Wasm packer (several times faster than a JS gather); others are gathered by packA/packB.
  const spanA = stagedSpan(m, k, sam, sak);
  const spanB = stagedSpan(k, n, sbk, sbn);
  // A B with unit column stride is not packed when m is small (few A panels share each packed B
  // panel, so packing costs about as much as the product): the kernels read its staged rows in place,
  // ldb apart. Row strides of a multiple of 2 KiB would put a panel's rows in too few L1 sets, so
  // those are packed. Columns past n in the last panel read whatever follows (the slack below keeps
  // that inside memory) and land only in C's padding columns, which are not copied out.
  const inPlaceB = spanB > 0 && sbn === 1 && m <= options.inPlaceB && (sbk * E) % 2048 !== 0;
  const apBytes = CONTROL_BYTES < 1024 ? 1024 : align(CONTROL_BYTES);
  const bpBytes = apBytes + align(mp * shape.mr * k * E);
  const cpBytes = bpBytes + align((inPlaceB ? spanB + shape.nr : np * shape.nr * k) * E);
  const stageBytes = cpBytes + align(mp * shape.mr * ldc * E);
  const end = stageBytes + (inPlaceB ? spanA : Math.max(spanA, spanB)) * E;
  if (end > MAX_PAGES * PAGE || !reserve(e, end)) return null;
  const view = outDtype === "float32" ? e.f32 : e.f64;
  const ap = apBytes / E;
  const bp = bpBytes / E;
  const cp = cpBytes / E;
  const out = StridedArray.zeros([batch, m, n], outDtype);
  const dst = out.data as Float32Array | Float64Array;
  const fn: 0 | 1 = outDtype === "float32" ? 0 : 1;
  const gemm = e.gemm[fn];
  const [packAw, packBw] = fn === 0 ? [e.pack[0], e.pack[1]] : [e.pack[2], e.pack[3]];
  const ldb = inPlaceB ? sbk * E : shape.nr * E;
  const panel = inPlaceB ? shape.nr * E : k * shape.nr * E;
  // Threads split the row panels, each chunk streaming all of B; with more column panels than row
  // panels (a short, wide product such as x.t().mm(g)) they split the column panels instead, each
  // chunk streaming all of the smaller A.
  const byColumns = np > mp;
  const units = byColumns ? np : mp;
  const args: UnitArgs = [
    apBytes,
    bpBytes,
    cpBytes,
    k,
    np,
    ldc * E,
    ldb,
    panel,
    byColumns ? 1 : 0,
    mp,
    shape.nr * E,
  ];
  const pool = e.pool && options.threads > 0 && m * n * k >= options.minThreads && units > 1 ? e.pool : null;
  let helpers: number[] = [];
  if (pool) {
    pool.start();
    helpers = pool.ready().slice(0, options.threads);
  }
  counts[inPlaceB ? "inPlaceB" : "packedB"]++;
  if (helpers.length > 0) counts[byColumns ? "byColumns" : "byRows"]++;
  for (let t = 0; t < batch; t++) {
    // A stride-0 batch dim (a broadcast operand) is packed once.
    if (t === 0 || sab !== 0) {
      const base = a.offset + t * sab;
      if (spanA > 0) {
        view.set((a.data as Float32Array | Float64Array).subarray(base, base + spanA), stageBytes / E);
        packAw(apBytes, stageBytes, m, k, sam * E, sak * E);
      } else packA(view, ap, a.data, base, sam, sak, m, k, shape.mr);
    }
    if (t === 0 || sbb !== 0) {
      const base = b.offset + t * sbb;
      if (inPlaceB) view.set((b.data as Float32Array | Float64Array).subarray(base, base + spanB), bp);
      else if (spanB > 0) {
        view.set((b.data as Float32Array | Float64Array).subarray(base, base + spanB), stageBytes / E);
        packBw(bpBytes, stageBytes, n, k, sbn * E, sbk * E);
      } else packB(view, bp, b.data, base, sbk, sbn, k, n, shape.nr);
    }
    if (pool && helpers.length > 0) {
      const local = (u0: number, u1: number) => runUnits(gemm, args, u0, u1);
      // about four chunks per thread, at most one L2 row block each
      const threads = helpers.length + 1;
      const chunk = byColumns
        ? Math.max(1, Math.ceil(np / (4 * threads)))
        : Math.max(1, Math.min(shape.mcPanels, Math.ceil(mp / (4 * threads))));
      if (!pool.run(fn, args, units, chunk, helpers, local)) {
        abandonEngine();
        return null;
      }
    } else gemm(apBytes, bpBytes, cpBytes, k, 0, mp, np, ldc * E, ldb, panel);
    if (n === ldc) dst.set(view.subarray(cp, cp + m * n), t * m * n);
    else if (n >= 64) {
      for (let i = 0; i < m; i++) {
        const row = cp + i * ldc;
        dst.set(view.subarray(row, row + n), (t * m + i) * n);
      }
    } else {
      // short rows: a subarray per row would cost more than the copy
      for (let i = 0, o = t * m * n; i < m; i++) {
        const row = cp + i * ldc;
        for (let j = 0; j < n; j++, o++) dst[o] = view[row + j] as number;
      }
    }
  }
  return out;
}

/**
 * Whether the fast path runs here (Wasm SIMD), how many helper threads are ready now, and how many
 * products so far took each of its paths: B packed or read in place, threads splitting row panels or
 * column panels.
 *
 * @example
 * const { simd, threads } = matmulInfo(); // simd: true in Node 20 and current browsers
 * typeof threads; // "number"
 */
export function matmulInfo(): {
  simd: boolean;
  threads: number;
  paths: { packedB: number; inPlaceB: number; byRows: number; byColumns: number };
} {
  const e = getEngine();
  return { simd: e !== null, threads: e?.pool?.ready().length ?? 0, paths: { ...counts } };
}

/**
 * Starts the helper threads and resolves once `count` of them (default all) are ready, or after a timeout.
 *
 * @example
 * // Before timing large products: start the helper threads once, so the first product does not pay for it.
 * async function benchmark() {
 *   const ready = await warmUpMatmulThreads();
 *   console.log(`${ready} helper threads`);
 * }
 */
export async function warmUpMatmulThreads(count?: number, timeoutMs = 10_000): Promise<number> {
  const pool = getEngine()?.pool;
  if (!pool?.start()) return 0;
  const want = Math.min(count ?? pool.size, pool.size);
  const deadline = Date.now() + timeoutMs;
  while (pool.ready().length < want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return pool.ready().length;
}

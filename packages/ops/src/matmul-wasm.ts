import { contiguousStrides, type DType, numel, StridedArray, type TypedArray } from "@torchlet/storage";
import {
  allocateUnfilled,
  HEAP_MAX_PAGES,
  HEAP_SCRATCH_BYTES,
  heapAddress,
  heapFloat32,
  recycle,
  wasmHeap,
} from "@torchlet/storage/internal";
import { bmm as referenceBmm, mm as referenceMm } from "./matmul.js";
import { availableHelpers, CONTROL_BYTES, runUnits, ThreadPool, type UnitArgs } from "./matmul-threads.js";
import { unitBmm } from "./matvec.js";
import { GEMM_F32, GEMM_F64, type GemmShape, gemmModuleBytes } from "./wasm/gemm-kernels.js";
import { instantiate } from "./wasm/instantiate.js";
import { relaxedSimd } from "./wasm/relaxed-simd.js";

/**
 * The fast matmul: float32 and float64 products through the Wasm SIMD kernels of wasm/gemm-kernels.ts,
 * split across worker threads when large (Node). The kernels run on storage's Wasm heap, where large
 * float32 tensors live: those operands are packed (or read) where they lie, with any strides
 * (transposed, offset, stride-0 batch), and the result is written into its tensor. Other operands are
 * copied in as they are packed, and a result outside the heap is copied out of a padded tile grid.
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

/**
 * A compiled GEMM module on its memory. On storage's Wasm heap (`onHeap`), float32 operands that live
 * there are packed or read where they lie and results are written into the output tensor itself; its
 * scratch (packed operands, staged copies, a C tile) is a heap block it keeps. Where there is no heap,
 * or the heap has no room for the scratch, a module on a memory of its own copies every operand in
 * and the result out, its scratch after the control block at address 0.
 */
interface Engine {
  readonly memory: WebAssembly.Memory;
  readonly onHeap: boolean;
  readonly gemm: readonly [Gemm, Gemm];
  /** [packA32, packB32, packA64, packB64] */
  readonly pack: readonly [Gemm, Gemm, Gemm, Gemm];
  readonly pool: ThreadPool | null;
  /** The heap blocks this engine holds on to (control block, scratch), so that they are never freed. */
  readonly blocks: { control: Float32Array | null; scratch: Float32Array | null };
  buffer: ArrayBuffer | SharedArrayBuffer | null;
  f32: Float32Array;
  f64: Float64Array;
}
type Gemm = (...args: number[]) => void;

/** The engine on the Wasm heap, and the one with a memory of its own (each made on first use). */
let heapEngine: Engine | null | undefined;
let ownEngine: Engine | null | undefined;

/** Products so far on each path of wasmBmm (matmulInfo reports them; tests check a path ran). */
const counts = { packedB: 0, inPlaceB: 0, byRows: 0, byColumns: 0, inPlaceA: 0, inPlaceC: 0 };

function createEngine(onHeap: boolean): Engine | null {
  const helpers = threadsFailed ? 0 : availableHelpers();
  const heap = onHeap ? wasmHeap() : null;
  if (onHeap && heap === null) return null;
  // shared memory may be refused (e.g. no cross-origin isolation): then unshared, without threads
  for (const shared of onHeap ? [true] : helpers > 0 ? [true, false] : [false]) {
    const spec = onHeap
      ? { initialPages: HEAP_SCRATCH_BYTES / PAGE, maximumPages: HEAP_MAX_PAGES, shared: true }
      : { initialPages: 1, maximumPages: MAX_PAGES, shared };
    const wasm = instantiate((memory) => gemmModuleBytes(memory, relaxedSimd()), spec, heap ?? undefined);
    if (wasm === null) continue;
    const { exports, memory, module } = wasm;
    const control = onHeap && helpers > 0 ? heapFloat32(CONTROL_BYTES / 4, true) : null;
    const pool =
      !shared || helpers === 0 || (onHeap && control === null)
        ? null
        : new ThreadPool(memory, module, helpers, control ? heapAddress(control) : 0);
    return {
      memory,
      onHeap,
      gemm: [exports.gemm32 as Gemm, exports.gemm64 as Gemm],
      pack: [
        packer(exports.packA32 as Gemm, exports.packLinesA32 as Gemm, GEMM_F32.mr, 4),
        packer(exports.packB32 as Gemm, exports.packLinesB32 as Gemm, GEMM_F32.nr, 4),
        packer(exports.packA64 as Gemm, exports.packLinesA64 as Gemm, GEMM_F64.mr, 8),
        packer(exports.packB64 as Gemm, exports.packLinesB64 as Gemm, GEMM_F64.nr, 8),
      ],
      pool,
      blocks: { control, scratch: null },
      buffer: null,
      f32: new Float32Array(0),
      f64: new Float64Array(0),
    };
  }
  return null;
}

/**
 * The Wasm packing of panels of `w` (`pack(dst, src, outer, k, sOuter, sInner)`, see gemm-kernels.ts):
 * the whole panels of an operand whose panel elements lie side by side (sOuter = E) go to packLines,
 * one front-to-back pass over its lines, the rest (a partial panel, other layouts) to pack.
 */
function packer(panelPack: Gemm, linePack: Gemm, w: number, E: number): Gemm {
  return (dst, src, outer, k, sOuter, sInner) => {
    const panels = sOuter === E ? Math.floor(outer / w) : 0;
    if (panels > 0) linePack(dst, src, panels, k, sInner);
    if (panels * w < outer) {
      panelPack(dst + panels * k * w * E, src + panels * w * E, outer - panels * w, k, sOuter, sInner);
    }
  };
}

/** Set once a helper thread failed: from then on products run single-threaded. */
let threadsFailed = false;
/**
 * What a failed product wrote to, kept alive for good: a worker that missed its deadline may still be
 * alive and write there later, so that memory must never hold anything else.
 */
const abandoned: unknown[] = [];

/**
 * Drops the engines after their threads failed, keeping the output and scratch of the failed product
 * (see `abandoned`); the next product gets engines without threads, the own-memory one on a new memory.
 */
function abandonEngines(e: Engine, out: StridedArray): void {
  threadsFailed = true;
  abandoned.push(out.data, e.blocks.scratch, e.memory);
  heapEngine = undefined;
  ownEngine = undefined;
}

function getEngine(onHeap: boolean): Engine | null {
  if (onHeap) {
    if (heapEngine === undefined) heapEngine = createEngine(true);
    return heapEngine;
  }
  if (ownEngine === undefined) ownEngine = createEngine(false);
  return ownEngine;
}

/** The engine products run on unless the heap has no room: the heap's where there is one. */
const mainEngine = () => getEngine(true) ?? getEngine(false);

/** Where the scratch of the own-memory engine starts: after its control block. */
const OWN_SCRATCH = CONTROL_BYTES < 1024 ? 1024 : Math.ceil(CONTROL_BYTES / 64) * 64;

/**
 * The byte address of `bytes` of scratch (grown as needed, kept between products), with the views
 * refreshed; -1 when there is no room.
 */
function scratch(e: Engine, bytes: number): number {
  let at = OWN_SCRATCH;
  if (e.onHeap) {
    let block = e.blocks.scratch;
    if (block === null || block.byteLength < bytes) {
      // a full heap keeps the old block for the products that fit it
      const larger = heapFloat32(Math.ceil((bytes * 1.25) / 4), false);
      if (larger === null) return -1;
      if (block !== null) recycle(block);
      e.blocks.scratch = block = larger;
    }
    at = heapAddress(block);
  } else {
    const end = at + bytes;
    const have = e.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) return -1;
      try {
        e.memory.grow(pages);
      } catch {
        return -1;
      }
    }
  }
  if (e.buffer !== e.memory.buffer || e.f32.length * 4 !== e.memory.buffer.byteLength) {
    e.buffer = e.memory.buffer;
    e.f32 = new Float32Array(e.buffer);
    e.f64 = new Float64Array(e.buffer);
  }
  return at;
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
  const shape = [a.shape[0] as number, a.shape[1] as number, b.shape[2] as number];
  // Every element is written (by the kernels or the copy out): no zero-fill.
  const data = allocateUnfilled(outDtype, numel(shape), name);
  const out = new StridedArray(data, outDtype, shape, contiguousStrides(shape));
  for (const onHeap of [true, false]) {
    const e = getEngine(onHeap);
    if (e === null) continue;
    const failed = threadsFailed;
    if (wasmBmm(e, a, b, out)) return out;
    // threads that failed may still write into `out` later: the reference computes into a new array
    if (threadsFailed !== failed) break;
  }
  return referenceBmm(a, b, outDtype, name);
}

/** The 2-D product [m, k] x [k, n] through `bmm` (same checks and messages as the reference mm). */
export function mm(a: StridedArray, b: StridedArray, outDtype: DType, name = "mm"): StridedArray {
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    return referenceMm(a, b, outDtype, name); // let the reference report the bad shapes
  }
  return bmm(a.unsqueeze(0), b.unsqueeze(0), outDtype, name).squeeze(0);
}

/** The byte address of `a`'s element 0 in the engine's memory, or -1 where it must be copied in. */
function addressIn(e: Engine, a: StridedArray): number {
  if (!e.onHeap || a.strides.some((s) => s < 0)) return -1;
  const at = heapAddress(a.data);
  return at < 0 ? -1 : at + a.offset * a.data.BYTES_PER_ELEMENT;
}

/** Computes `out` = a @ b on engine `e`; false when its memory has no room or its threads failed. */
function wasmBmm(e: Engine, a: StridedArray, b: StridedArray, out: StridedArray): boolean {
  const [batch, m, k] = a.shape as [number, number, number];
  const n = b.shape[2] as number;
  const shape: GemmShape = out.dtype === "float32" ? GEMM_F32 : GEMM_F64;
  const { mr, nr } = shape;
  const E = shape.elementBytes;
  const mp = Math.ceil(m / mr);
  const np = Math.ceil(n / nr);
  const [sab, sam, sak] = a.strides as [number, number, number];
  const [sbb, sbk, sbn] = b.strides as [number, number, number];
  // Operands in the engine's memory (the Wasm heap) are packed, or read, where they lie. Others whose
  // elements lie in a compact span are copied in with one memcpy and packed by the Wasm packer
  // (several times faster than a JS gather); the rest are gathered by packA/packB.
  const atA = addressIn(e, a);
  const atB = addressIn(e, b);
  const spanA = atA < 0 ? stagedSpan(m, k, sam, sak) : 0;
  const spanB = atB < 0 ? stagedSpan(k, n, sbk, sbn) : 0;
  // A B with unit column stride is not packed when m is small (few A panels share each packed B
  // panel, so packing costs about as much as the product): the kernels read its rows in place (or
  // staged), ldb apart. Row strides of a multiple of 2 KiB would put a panel's rows in too few L1 sets,
  // so those are packed. Columns past n in the last panel read whatever follows (a heap block's
  // slack, or the slack below) and land only in C's padding columns, which are not copied out.
  const inPlaceB = (atB >= 0 || spanB > 0) && sbn === 1 && m <= options.inPlaceB && (sbk * E) % 2048 !== 0;
  // C is written straight into `out` when it is in the heap and its rows fill whole tiles (n a
  // multiple of NR); a last, partial row panel goes through a tile in scratch (a whole panel would
  // write past out's end). Else the kernels fill a padded tile grid, copied out.
  const atC = addressIn(e, out);
  const direct = atC >= 0 && n % nr === 0;
  const ldc = direct ? n : np * nr; // elements per C row
  const rows = direct ? Math.floor(m / mr) : mp; // row panels computed in place (direct) or in the grid
  const apSize = align(mp * mr * k * E);
  const bpSize = align((inPlaceB ? (atB >= 0 ? 0 : spanB + nr) : np * nr * k) * E);
  const cpSize = align((direct ? mp - rows : mp) * mr * ldc * E);
  const stageSize = Math.max(spanA, inPlaceB ? 0 : spanB) * E;
  const base = scratch(e, apSize + bpSize + cpSize + stageSize);
  if (base < 0) return false;
  const ap = base;
  const bp = ap + apSize;
  const cp = bp + bpSize;
  const stage = cp + cpSize;
  const view = out.dtype === "float32" ? e.f32 : e.f64;
  const dst = out.data as Float32Array | Float64Array;
  const fn: 0 | 1 = out.dtype === "float32" ? 0 : 1;
  const gemm = e.gemm[fn];
  const [packAw, packBw] = fn === 0 ? [e.pack[0], e.pack[1]] : [e.pack[2], e.pack[3]];
  const ldb = inPlaceB ? sbk * E : nr * E;
  const panel = inPlaceB ? nr * E : k * nr * E;
  // Threads split the row panels, each chunk streaming all of B; with more column panels than row
  // panels (a short, wide product such as x.t().mm(g)) they split the column panels instead, each
  // chunk streaming all of the smaller A.
  const byColumns = np > mp;
  const units = rows === 0 ? 0 : byColumns ? np : rows;
  const pool = e.pool && options.threads > 0 && m * n * k >= options.minThreads && units > 1 ? e.pool : null;
  let helpers: number[] = [];
  if (pool) {
    pool.start();
    helpers = pool.ready().slice(0, options.threads);
  }
  counts[inPlaceB ? "inPlaceB" : "packedB"]++;
  if (atA >= 0) counts.inPlaceA++;
  if (direct) counts.inPlaceC++;
  if (helpers.length > 0) counts[byColumns ? "byColumns" : "byRows"]++;
  const A = a.data as Float32Array | Float64Array;
  const B = b.data as Float32Array | Float64Array;
  for (let t = 0; t < batch; t++) {
    // A stride-0 batch dim (a broadcast operand) is packed once.
    if (t === 0 || sab !== 0) {
      const from = a.offset + t * sab;
      if (atA >= 0) packAw(ap, atA + t * sab * E, m, k, sam * E, sak * E);
      else if (spanA > 0) {
        view.set(A.subarray(from, from + spanA), stage / E);
        packAw(ap, stage, m, k, sam * E, sak * E);
      } else packA(view, ap / E, A, from, sam, sak, m, k, mr);
    }
    let bAt = bp;
    if (inPlaceB && atB >= 0) bAt = atB + t * sbb * E;
    else if (t === 0 || sbb !== 0) {
      const from = b.offset + t * sbb;
      if (inPlaceB) view.set(B.subarray(from, from + spanB), bp / E);
      else if (atB >= 0) packBw(bp, atB + t * sbb * E, n, k, sbn * E, sbk * E);
      else if (spanB > 0) {
        view.set(B.subarray(from, from + spanB), stage / E);
        packBw(bp, stage, n, k, sbn * E, sbk * E);
      } else packB(view, bp / E, B, from, sbk, sbn, k, n, nr);
    }
    const cAt = direct ? atC + t * m * n * E : cp;
    if (helpers.length > 0) {
      const args: UnitArgs = [ap, bAt, cAt, k, np, ldc * E, ldb, panel, byColumns ? 1 : 0, rows, nr * E];
      const local = (u0: number, u1: number) => runUnits(gemm, args, u0, u1);
      // chunks of row panels of at most one L2 row block each
      const chunk = byColumns ? units : shape.mcPanels;
      if (!(pool as ThreadPool).run(fn, args, units, chunk, helpers, local)) {
        abandonEngines(e, out);
        return false;
      }
    } else if (rows > 0) gemm(ap, bAt, cAt, k, 0, rows, np, ldc * E, ldb, panel);
    if (direct) {
      if (rows === mp) continue;
      // The partial panel's tile is C's row panel `rows` moved to cp: its address, cp - rows * MR *
      // ldc + rows * MR * ldc, may pass below 0 on the way, which i32 arithmetic wraps back.
      gemm(ap, bAt, cp - rows * mr * ldc * E, k, rows, mp, np, ldc * E, ldb, panel);
      const tail = (m - rows * mr) * n;
      dst.set(view.subarray(cp / E, cp / E + tail), (t + 1) * m * n - tail);
    } else if (n === ldc) dst.set(view.subarray(cp / E, cp / E + m * n), t * m * n);
    else if (n >= 64) {
      for (let i = 0; i < m; i++) {
        const row = cp / E + i * ldc;
        dst.set(view.subarray(row, row + n), (t * m + i) * n);
      }
    } else {
      // short rows: a subarray per row would cost more than the copy
      for (let i = 0, o = t * m * n; i < m; i++) {
        const row = cp / E + i * ldc;
        for (let j = 0; j < n; j++, o++) dst[o] = view[row + j] as number;
      }
    }
  }
  return true;
}

/**
 * Whether the fast path runs here (Wasm SIMD), whether its float32 kernels multiply-add with relaxed
 * SIMD's FMA (`fma`: Chromium, Node >= 22, Node 20 with --experimental-wasm-relaxed-simd), how many
 * helper threads are ready now, and how many products so far took each of its paths: B packed or
 * read in place, threads splitting row panels or column panels, A packed from where it lies in the
 * Wasm heap (`inPlaceA`), C written straight into a result in the heap (`inPlaceC`).
 *
 * @example
 * const { simd, fma, threads } = matmulInfo(); // simd: true in Node 20 and current browsers
 * typeof threads; // "number"
 */
export function matmulInfo(): {
  simd: boolean;
  fma: boolean;
  threads: number;
  paths: { [P in keyof typeof counts]: number };
} {
  const e = mainEngine();
  return {
    simd: e !== null,
    fma: e !== null && relaxedSimd(),
    threads: e?.pool?.ready().length ?? 0,
    paths: { ...counts },
  };
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
  const pool = mainEngine()?.pool;
  if (!pool?.start()) return 0;
  const want = Math.min(count ?? pool.size, pool.size);
  const deadline = Date.now() + timeoutMs;
  while (pool.ready().length < want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return pool.ready().length;
}

import {
  HEAP_MAX_PAGES,
  HEAP_SCRATCH_BYTES,
  heapAddress,
  heapFloat32,
  wasmHeap,
} from "@torchlet/storage/internal";
import { encodeModule, FunctionBody, I32, V128 } from "./wasm/emit.js";
import { instantiate, once } from "./wasm/instantiate.js";
import { relaxedSimd } from "./wasm/relaxed-simd.js";

/**
 * Wasm SIMD kernels for the unit-dimension products of matvec.ts, for float32 (E = 4) and float64
 * (E = 8). A JS loop converts every float32 to a double and back one element at a time and bounds-
 * checks every read; these run two or four lanes at a time. As in elementwise-wasm.ts, they run on
 * storage's Wasm heap and compute on float32 tensors there in place; other operands stream through
 * a small fixed scratch in chunks that stay in L2 (copy in, SIMD, copy out).
 * Sums accumulate in f64x2 lanes in ascending p starting at +0, so the results are bit-identical to
 * the reference kernel's (matmul.ts). Where relaxed SIMD is available the float32 kernels multiply-
 * add with f64x2.relaxed_madd: a product of two floats is exact in a double, so fusing it with the add
 * rounds exactly as the separate multiply and add do (one instruction instead of two). float64
 * keeps the separate multiply and add, which a fused one would round differently.
 */

/** Byte offsets in the scratch. Staged vectors: x as doubles (matrix-vector), or the outer product's column operand. */
export const X_AT = 0;
/** Double accumulators (scaled column sums), dot-product results, or the outer product's row operand. */
export const D_AT = 128 * 1024;
/** A chunk of the matrix operand, or of the outer product's rows. */
export const A_AT = 256 * 1024;
/**
 * Usable bytes of the matrix region: 64 bytes stay free for the kernels' padded reads and writes, and
 * 4 KiB for the outer product to shift its rows by (see `unaliased` in matvec.ts).
 */
export const A_BYTES = 256 * 1024 - 4096 - 64;
/** Usable bytes of the vector regions (same slack). */
export const V_BYTES = 128 * 1024 - 64;
const PAGES = 8;

export type Kernel = (...args: number[]) => void;

export interface MatvecKernels {
  /** whether the memory is storage's Wasm heap */
  readonly onHeap: boolean;
  /** the scratch's byte address in the memory: the regions above (X_AT, ...) are offsets from it */
  readonly base: number;
  /** the heap block holding the scratch (kept here so it is never freed), or null */
  readonly scratch: Float32Array | null;
  /** views of the scratch */
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  /** [float32, float64] of each */
  readonly outer: readonly [Kernel, Kernel];
  readonly colacc: readonly [Kernel, Kernel];
  readonly rowdot: readonly [Kernel, Kernel];
}

/**
 * outer(d, a, aEnd, b, rowBytes): for each element s of a (E bytes apart, up to aEnd), a row of
 * rowBytes at d (rows back to back): b * s + 0 (the `+ 0` turns -0 into +0, as the reference's sum
 * does). Rows are written 16 bytes at a time, so a row's last vector spills into the next row's
 * start, which that row then overwrites; the last row spills into slack.
 */
function outerBody(E: 4 | 8): FunctionBody {
  const f = new FunctionBody(5);
  const [d, a, aEnd, b, rowBytes] = [0, 1, 2, 3, 4];
  const j = f.local(I32);
  const s = f.local(V128);
  const zero = f.local(V128);
  f.i32(0).i32x4Splat().set(zero);
  f.block().loop();
  f.get(a).get(aEnd).geS().brIf(1);
  f.get(a).loadSplat(E, 0).set(s);
  f.i32(0).set(j);
  f.block().loop();
  f.get(j).get(rowBytes).geS().brIf(1);
  f.get(d).get(j).add();
  f.get(b).get(j).add().v128Load(0).get(s).vMul(E).get(zero).vAdd(E);
  f.v128Store(0);
  f.get(j).i32(16).add().set(j);
  f.br(0).end().end();
  f.get(d).get(rowBytes).add().set(d);
  f.get(a).i32(E).add().set(a);
  f.br(0).end().end();
  return f;
}

/**
 * colacc(acc, a, aEnd, x, rowBytes, stride): for each row of the matrix chunk at a (stride bytes
 * apart, up to aEnd) and its double x[r]: acc[i] += row[i] * x[r] (doubles at acc), 16 bytes of the
 * row at a time; lanes past the row end add garbage into acc's padding, never read.
 */
function colaccBody(E: 4 | 8, fma: boolean): FunctionBody {
  const f = new FunctionBody(6);
  const [acc, a, aEnd, x, rowBytes, stride] = [0, 1, 2, 3, 4, 5];
  const j = f.local(I32);
  const c = f.local(I32);
  const s = f.local(V128);
  f.block().loop();
  f.get(a).get(aEnd).geS().brIf(1);
  f.get(x).loadSplat(8, 0).set(s);
  f.i32(0).set(j);
  f.block().loop();
  f.get(j).get(rowBytes).geS().brIf(1);
  if (E === 4) {
    f.get(acc).get(j).add().get(j).add().set(c);
    for (let h = 0; h < 2; h++) {
      f.get(c);
      if (!fma) f.get(c).v128Load(16 * h);
      f.get(a)
        .get(j)
        .add()
        .load64Zero(8 * h)
        .promoteLow()
        .get(s);
      if (fma)
        f.get(c)
          .v128Load(16 * h)
          .vMadd(8);
      else f.vMul(8).vAdd(8);
      f.v128Store(16 * h);
    }
  } else {
    f.get(acc).get(j).add().set(c);
    f.get(c);
    f.get(c).v128Load(0);
    f.get(a).get(j).add().v128Load(0).get(s).vMul(8);
    f.vAdd(8).v128Store(0);
  }
  f.get(j).i32(16).add().set(j);
  f.br(0).end().end();
  f.get(a).get(stride).add().set(a);
  f.get(x).i32(8).add().set(x);
  f.br(0).end().end();
  return f;
}

/**
 * rowdot(d, a, aEnd, x, kBytes, rowBytes): dot products of the rows at a (rowBytes apart, up to aEnd,
 * four at a time) with the doubles at x over their first kBytes (a multiple of 16), as doubles at d.
 * A 16-byte block of four rows is transposed with shuffles so that one f64x2 holds one p of two
 * rows: every row's sum still adds its products in ascending p, two rows per lane pair.
 */
function rowdotBody(E: 4 | 8, fma: boolean): FunctionBody {
  const f = new FunctionBody(6);
  const [d, a, aEnd, x, kBytes, rowBytes] = [0, 1, 2, 3, 4, 5];
  const p = f.local(I32);
  const rows = [f.local(I32), f.local(I32), f.local(I32), f.local(I32)];
  const v = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const acc = [f.local(V128), f.local(V128)];
  const xs = f.local(V128);
  const [r0, r1, r2, r3] = rows as [number, number, number, number];
  const [v0, v1, v2, v3] = v as [number, number, number, number];
  const [acc01, acc23] = acc as [number, number];
  f.block().loop();
  f.get(a).get(aEnd).geS().brIf(1);
  f.get(a).set(r0);
  f.get(r0).get(rowBytes).add().set(r1);
  f.get(r1).get(rowBytes).add().set(r2);
  f.get(r2).get(rowBytes).add().set(r3);
  f.i32(0).i32x4Splat().set(acc01);
  f.i32(0).i32x4Splat().set(acc23);
  f.i32(0).set(p);
  f.block().loop();
  f.get(p).get(kBytes).geS().brIf(1);
  for (let r = 0; r < 4; r++)
    f.get(rows[r] as number)
      .get(p)
      .add()
      .v128Load(0)
      .set(v[r] as number);
  const lanes = 16 / E;
  for (let q = 0; q < lanes; q++) {
    // x[p + q] sits at x + (p / E + q) * 8 bytes
    if (E === 4)
      f.get(p)
        .get(p)
        .add()
        .get(x)
        .add()
        .loadSplat(8, 8 * q)
        .set(xs);
    else
      f.get(p)
        .get(x)
        .add()
        .loadSplat(8, 8 * q)
        .set(xs);
    const pick: [number, number, number, number] =
      E === 4 ? [q, 4 + q, q, 4 + q] : q === 0 ? [0, 1, 4, 5] : [2, 3, 6, 7];
    for (const [lo, hi, target] of [
      [v0, v1, acc01],
      [v2, v3, acc23],
    ] as const) {
      if (!fma) f.get(target);
      f.get(lo).get(hi).shuffle32(pick);
      if (E === 4) f.promoteLow();
      f.get(xs);
      if (fma) f.get(target).vMadd(8);
      else f.vMul(8).vAdd(8);
      f.set(target);
    }
  }
  f.get(p).i32(16).add().set(p);
  f.br(0).end().end();
  f.get(d).get(acc01).v128Store(0);
  f.get(d).get(acc23).v128Store(16);
  f.get(d).i32(32).add().set(d);
  f.get(a).get(rowBytes).i32(4).mul().add().set(a);
  f.br(0).end().end();
  return f;
}

/**
 * The compiled kernels, or null where WebAssembly SIMD is unavailable. They run on storage's Wasm heap
 * where there is one (`onHeap`: float32 tensors there are read and written in place, see matvec.ts),
 * their scratch a heap block they keep; else on a scratch memory of their own.
 */
export const matvecKernels = once((): MatvecKernels | null => {
  const fns: { name: string; body: FunctionBody }[] = [];
  for (const E of [4, 8] as const) {
    const fma = E === 4 && relaxedSimd();
    fns.push({ name: `outer${E}`, body: outerBody(E) });
    fns.push({ name: `colacc${E}`, body: colaccBody(E, fma) });
    fns.push({ name: `rowdot${E}`, body: rowdotBody(E, fma) });
  }
  const bytes = PAGES * 65536;
  const heap = wasmHeap();
  const block = heap && heapFloat32(bytes / 4, true);
  const wasm =
    (block &&
      instantiate(
        (memory) => encodeModule(fns, memory),
        { initialPages: HEAP_SCRATCH_BYTES / 65536, maximumPages: HEAP_MAX_PAGES, shared: true },
        heap ?? undefined,
      )) ??
    instantiate((memory) => encodeModule(fns, memory), {
      initialPages: PAGES,
      maximumPages: PAGES,
      shared: false,
    });
  if (wasm === null) return null;
  const onHeap = block !== null && wasm.memory === heap;
  const e = wasm.exports;
  const pair = (name: string) => [e[`${name}4`] as Kernel, e[`${name}8`] as Kernel] as const;
  const base = onHeap ? heapAddress(block) : 0;
  // Views of the scratch only: a heap's memory grows, but a shared memory's old views stay valid.
  return {
    onHeap,
    base,
    scratch: onHeap ? block : null,
    f32: new Float32Array(wasm.memory.buffer, base, bytes / 4),
    f64: new Float64Array(wasm.memory.buffer, base, bytes / 8),
    outer: pair("outer"),
    colacc: pair("colacc"),
    rowdot: pair("rowdot"),
  };
});

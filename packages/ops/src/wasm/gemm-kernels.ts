import { encodeModule, FunctionBody, V128 } from "./emit.js";

/**
 * The register-blocked GEMM kernels, as WebAssembly SIMD generated at run time.
 *
 * Operands arrive packed (see matmul-wasm.ts): A in panels of MR rows, each panel k steps of MR
 * values; B in panels of NR columns, each panel k steps of NR values; C a row-major MR/NR-padded
 * tile grid. The micro-kernel keeps an MR x NR tile of C in MR * NV vector registers (8 of V8's 16
 * xmm registers, leaving room for the B vectors, the broadcast A value and a product) and streams
 * one packed A panel and one packed B panel through it. The macro-kernel walks k in KC-deep slices
 * (so a B micro-panel stays in L1) and rows in blocks of MC_PANELS panels (so the A block stays in
 * L2), the loop order of Goto & van de Geijn, "Anatomy of high-performance matrix multiplication".
 */
export interface GemmShape {
  /** bytes per element: 4 (float32) or 8 (float64) */
  readonly elementBytes: 4 | 8;
  /** rows of the register tile */
  readonly mr: number;
  /** columns of the register tile (a multiple of the lanes per vector) */
  readonly nr: number;
  /** depth of one k slice */
  readonly kc: number;
  /** A panels per row block */
  readonly mcPanels: number;
}

export const GEMM_F32: GemmShape = { elementBytes: 4, mr: 4, nr: 8, kc: 256, mcPanels: 32 };
export const GEMM_F64: GemmShape = { elementBytes: 8, mr: 4, nr: 4, kc: 128, mcPanels: 32 };

/**
 * micro(a, b, c, kc, ldcBytes, accumulate, ldbBytes): C[tile] (+)= Apanel[kc] * Bpanel[kc], kc >= 1,
 * where the B panel's k steps lie ldbBytes apart (NR * E packed, a row stride read in place).
 * With `fma` each multiply-add is one relaxed_madd: fused on CPUs with FMA, so one rounding per step
 * instead of two, and half the arithmetic instructions (see `gemmModuleBytes`).
 */
function microKernel(s: GemmShape, fma: boolean): FunctionBody {
  const E = s.elementBytes;
  const nv = (s.nr * E) / 16;
  const f = new FunctionBody(7);
  const [a, b, c, kc, ldc, acc, ldb] = [0, 1, 2, 3, 4, 5, 6];
  const row = f.local(0x7f);
  const cs: number[] = [];
  for (let i = 0; i < s.mr * nv; i++) cs.push(f.local(V128));
  const bs: number[] = [];
  for (let v = 0; v < nv; v++) bs.push(f.local(V128));
  const av = f.local(V128);
  const cReg = (r: number, v: number) => cs[r * nv + v] as number;

  // Accumulators start at zero (Wasm zero-initialises locals) or at C's current tile.
  f.get(acc).if();
  f.get(c).set(row);
  for (let r = 0; r < s.mr; r++) {
    for (let v = 0; v < nv; v++)
      f.get(row)
        .v128Load(v * 16)
        .set(cReg(r, v));
    if (r + 1 < s.mr) f.get(row).get(ldc).add().set(row);
  }
  f.end();

  f.loop();
  for (let v = 0; v < nv; v++)
    f.get(b)
      .v128Load(v * 16)
      .set(bs[v] as number);
  for (let r = 0; r < s.mr; r++) {
    f.get(a)
      .loadSplat(E, r * E)
      .set(av);
    for (let v = 0; v < nv; v++) {
      if (fma)
        f.get(av)
          .get(bs[v] as number)
          .get(cReg(r, v))
          .vMadd(E)
          .set(cReg(r, v));
      else
        f.get(cReg(r, v))
          .get(av)
          .get(bs[v] as number)
          .vMul(E)
          .vAdd(E)
          .set(cReg(r, v));
    }
  }
  f.get(a)
    .i32(s.mr * E)
    .add()
    .set(a);
  f.get(b).get(ldb).add().set(b);
  f.get(kc).i32(1).sub().set(kc);
  f.get(kc).brIf(0);
  f.end();

  f.get(c).set(row);
  for (let r = 0; r < s.mr; r++) {
    for (let v = 0; v < nv; v++)
      f.get(row)
        .get(cReg(r, v))
        .v128Store(v * 16);
    if (r + 1 < s.mr) f.get(row).get(ldc).add().set(row);
  }
  return f;
}

/**
 * gemm(ap, bp, cp, k, ip0, ip1, np, ldcBytes, ldbBytes, panelBytes): the C tiles of A panels
 * [ip0, ip1) x all np B panels, k >= 1. B panel jp starts at bp + jp * panelBytes, its k steps
 * ldbBytes apart: packed B has ldb = NR * E and panel = k * NR * E, a row-major B read in place
 * ldb = its row stride and panel = NR * E. Disjoint [ip0, ip1) ranges touch disjoint C rows, which
 * is how threads split the work.
 */
function macroKernel(s: GemmShape, micro: number): FunctionBody {
  const E = s.elementBytes;
  const f = new FunctionBody(10);
  const [ap, bp, cp, k, ip0, ip1, np, ldc, ldb, panel] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pc = f.local(0x7f);
  const kc = f.local(0x7f);
  const ic = f.local(0x7f);
  const icEnd = f.local(0x7f);
  const jp = f.local(0x7f);
  const ip = f.local(0x7f);
  const acc = f.local(0x7f);
  const left = f.local(0x7f);

  // for (pc = 0; pc < k; pc += KC)
  f.i32(0).set(pc);
  f.block().loop();
  f.get(pc).get(k).geS().brIf(1);
  f.get(k).get(pc).sub().set(left);
  f.i32(s.kc).get(left).i32(s.kc).get(left).ltS().select().set(kc); // min(KC, k - pc)
  f.get(pc).i32(0).ne().set(acc);
  //   for (ic = ip0; ic < ip1; ic = icEnd)
  f.get(ip0).set(ic);
  f.block().loop();
  f.get(ic).get(ip1).geS().brIf(1);
  f.get(ic).i32(s.mcPanels).add().set(icEnd);
  f.get(ip1).get(icEnd).get(ip1).get(icEnd).ltS().select().set(icEnd); // min(ic + MCP, ip1)
  //     for (jp = 0; jp < np; jp++)
  f.i32(0).set(jp);
  f.block().loop();
  f.get(jp).get(np).geS().brIf(1);
  //       for (ip = ic; ip < icEnd; ip++)
  f.get(ic).set(ip);
  f.block().loop();
  f.get(ip).get(icEnd).geS().brIf(1);
  // a = ap + (ip * k + pc) * MR * E
  f.get(ap)
    .get(ip)
    .get(k)
    .mul()
    .get(pc)
    .add()
    .i32(s.mr * E)
    .mul()
    .add();
  // b = bp + jp * panel + pc * ldb
  f.get(bp).get(jp).get(panel).mul().add().get(pc).get(ldb).mul().add();
  // c = cp + ip * MR * ldc + jp * NR * E
  f.get(cp)
    .get(ip)
    .i32(s.mr)
    .mul()
    .get(ldc)
    .mul()
    .add()
    .get(jp)
    .i32(s.nr * E)
    .mul()
    .add();
  f.get(kc).get(ldc).get(acc).get(ldb).call(micro);
  f.get(ip).i32(1).add().set(ip);
  f.br(0).end().end();
  f.get(jp).i32(1).add().set(jp);
  f.br(0).end().end();
  f.get(icEnd).set(ic);
  f.br(0).end().end();
  f.get(pc).i32(s.kc).add().set(pc);
  f.br(0).end().end();
  return f;
}

/**
 * pack(dst, src, outer, k, sOuter, sInner) (pointers and strides in bytes): the panel packing of
 * packA/packB in matmul-wasm.ts over an operand already copied into Wasm memory:
 * dst[(ip*k + p)*W + r] = X[ip*W + r, p] for the panels of W rows of X (outer x k), zero-padded.
 * The p-outer, r-inner order reads W streams of a row-major X or runs of W of a column-major one.
 */
function packKernel(E: 4 | 8, w: number): FunctionBody {
  const f = new FunctionBody(6);
  const [dst, src, outer, k, sOuter, sInner] = [0, 1, 2, 3, 4, 5];
  const row0 = f.local(0x7f);
  const rows = f.local(0x7f);
  const sp = f.local(0x7f);
  const p = f.local(0x7f);
  const r = f.local(0x7f);
  const s = f.local(0x7f);
  f.i32(0).set(row0);
  f.block().loop();
  f.get(row0).get(outer).geS().brIf(1);
  f.get(outer).get(row0).sub().set(rows);
  f.i32(w).get(rows).i32(w).get(rows).ltS().select().set(rows); // min(W, outer - row0)
  f.get(src).get(row0).get(sOuter).mul().add().set(sp);
  f.i32(0).set(p);
  if (E === 4 && w === 4) {
    // A full float32 panel of 4 rows, each contiguous along k (row-major A): 4x4 transposes.
    const v = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)] as const;
    const t = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)] as const;
    const at = f.local(0x7f);
    f.get(rows).i32(4).ne().get(sInner).i32(4).ne().or().eqz().if();
    f.block().loop();
    f.get(p).i32(4).add().get(k).gtS().brIf(1);
    f.get(sp).set(at);
    for (let r = 0; r < 4; r++) {
      f.get(at)
        .v128Load(0)
        .set(v[r] as number);
      if (r < 3) f.get(at).get(sOuter).add().set(at);
    }
    f.get(v[0]).get(v[1]).shuffle32([0, 4, 1, 5]).set(t[0]);
    f.get(v[0]).get(v[1]).shuffle32([2, 6, 3, 7]).set(t[1]);
    f.get(v[2]).get(v[3]).shuffle32([0, 4, 1, 5]).set(t[2]);
    f.get(v[2]).get(v[3]).shuffle32([2, 6, 3, 7]).set(t[3]);
    f.get(dst).get(t[0]).get(t[2]).shuffle32([0, 1, 4, 5]).v128Store(0);
    f.get(dst).get(t[0]).get(t[2]).shuffle32([2, 3, 6, 7]).v128Store(16);
    f.get(dst).get(t[1]).get(t[3]).shuffle32([0, 1, 4, 5]).v128Store(32);
    f.get(dst).get(t[1]).get(t[3]).shuffle32([2, 3, 6, 7]).v128Store(48);
    f.get(dst).i32(64).add().set(dst);
    f.get(sp).i32(16).add().set(sp);
    f.get(p).i32(4).add().set(p);
    f.br(0).end().end();
    f.end();
  }
  f.block().loop();
  f.get(p).get(k).geS().brIf(1);
  f.get(sp).set(s);
  f.i32(0).set(r);
  // A full panel whose W elements are adjacent in memory (row-major B, transposed A): vector copies.
  f.get(rows).i32(w).ne().get(sOuter).i32(E).ne().or().eqz().if();
  for (let v = 0; v < (w * E) / 16; v++)
    f.get(dst)
      .get(s)
      .v128Load(v * 16)
      .v128Store(v * 16);
  f.get(dst)
    .i32(w * E)
    .add()
    .set(dst);
  f.i32(w).set(r);
  f.end();
  f.block().loop();
  f.get(r).get(rows).geS().brIf(1);
  f.get(dst).get(s).load(E).store(E);
  f.get(dst).i32(E).add().set(dst);
  f.get(s).get(sOuter).add().set(s);
  f.get(r).i32(1).add().set(r);
  f.br(0).end().end();
  f.block().loop();
  f.get(r).i32(w).geS().brIf(1);
  f.get(dst).zero(E).store(E);
  f.get(dst).i32(E).add().set(dst);
  f.get(r).i32(1).add().set(r);
  f.br(0).end().end();
  f.get(sp).get(sInner).add().set(sp);
  f.get(p).i32(1).add().set(p);
  f.br(0).end().end();
  f.get(row0).i32(w).add().set(row0);
  f.br(0).end().end();
  return f;
}

/**
 * packLines(dst, src, panels, k, sInner) (pointers and strides in bytes): pack's result for `panels`
 * whole panels of an operand whose W panel elements lie side by side (sOuter = E: a transposed A such
 * as x.t(), a row-major B), in the other loop order: p outer, so each line p of the source (its
 * panels' W * E-byte pieces one after another) is read once, front to back, where panel-outer passes
 * read every line once per panel, a few bytes at a time.
 */
function packLinesKernel(E: 4 | 8, w: number): FunctionBody {
  const f = new FunctionBody(5);
  const [dst, src, panels, k, sInner] = [0, 1, 2, 3, 4];
  const p = f.local(0x7f);
  const ip = f.local(0x7f);
  const s = f.local(0x7f);
  const d = f.local(0x7f);
  const panelBytes = f.local(0x7f); // k * W * E: from one panel's piece of a line to the next panel's
  f.get(k)
    .i32(w * E)
    .mul()
    .set(panelBytes);
  f.i32(0).set(p);
  f.block().loop();
  f.get(p).get(k).geS().brIf(1);
  f.get(src).get(p).get(sInner).mul().add().set(s);
  f.get(dst)
    .get(p)
    .i32(w * E)
    .mul()
    .add()
    .set(d);
  f.i32(0).set(ip);
  f.block().loop();
  f.get(ip).get(panels).geS().brIf(1);
  for (let v = 0; v < (w * E) / 16; v++)
    f.get(d)
      .get(s)
      .v128Load(v * 16)
      .v128Store(v * 16);
  f.get(s)
    .i32(w * E)
    .add()
    .set(s);
  f.get(d).get(panelBytes).add().set(d);
  f.get(ip).i32(1).add().set(ip);
  f.br(0).end().end();
  f.get(p).i32(1).add().set(p);
  f.br(0).end().end();
  return f;
}

/**
 * The module's bytes: exports gemm32, gemm64 and the packers, importing env.memory. With `fma`
 * (only where relaxed SIMD validates, see relaxed-simd.ts) gemm32 multiply-adds with
 * f32x4.relaxed_madd. Rounding: every k step of an output rounds once (fused) or twice, so either
 * kernel is within gamma_k = k*u/(1 - k*u) * sum_p |a_ip||b_pj| of the exact product (u = 2^-24;
 * Higham, "Accuracy and Stability of Numerical Algorithms", 3.1), and the two within twice that of
 * each other. gemm64 stays plain: on this machine FMA made it only 1.2-1.3x faster, and unfused it
 * is bit-identical to the reference kernel (matmul.ts).
 */
export function gemmModuleBytes(
  memory: {
    initialPages: number;
    maximumPages: number;
    shared: boolean;
  },
  fma = false,
): Uint8Array<ArrayBuffer> {
  return encodeModule(
    [
      { name: null, body: microKernel(GEMM_F32, fma) },
      { name: null, body: microKernel(GEMM_F64, false) },
      { name: "gemm32", body: macroKernel(GEMM_F32, 0) },
      { name: "gemm64", body: macroKernel(GEMM_F64, 1) },
      { name: "packA32", body: packKernel(4, GEMM_F32.mr) },
      { name: "packB32", body: packKernel(4, GEMM_F32.nr) },
      { name: "packA64", body: packKernel(8, GEMM_F64.mr) },
      { name: "packB64", body: packKernel(8, GEMM_F64.nr) },
      { name: "packLinesA32", body: packLinesKernel(4, GEMM_F32.mr) },
      { name: "packLinesB32", body: packLinesKernel(4, GEMM_F32.nr) },
      { name: "packLinesA64", body: packLinesKernel(8, GEMM_F64.mr) },
      { name: "packLinesB64", body: packLinesKernel(8, GEMM_F64.nr) },
    ],
    memory,
  );
}

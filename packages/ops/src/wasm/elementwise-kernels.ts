import { BINARY_OPS, type BinaryOp, ELEMENTWISE } from "../records/registry.js";
import { emitSimd, simdCompiles } from "../records/render-simd.js";
import { FunctionBody, I32, V128 } from "./emit.js";

// The Wasm SIMD kernels of the streaming float32 ops (elementwise-wasm.ts dispatches to them). Each
// works on a fixed scratch memory: operands at A_AT and B_AT, the output at D_AT, in 64-byte steps.
// The arithmetic and comparison kernels are compiled from the op records' formulas; relu, relu's
// backward, where and the sums are hand-tuned kernels registered against their records.

/** Elements per operand per pass: three 64 KiB regions (a, b, out) and a little scratch, 4 pages. */
export const CHUNK = 16384;
/**
 * Each region starts a few cache lines past a page boundary: copying a chunk out of a page-aligned
 * region into a JS array ran about ten times slower here (5-7 ms against 0.4-0.6 ms per 4 MB; see
 * the bench README), the copy's loads and stores aliasing within the page.
 */
const SKEW = 64;
export const A_AT = SKEW;
export const B_AT = CHUNK * 4 + 2 * SKEW;
export const D_AT = 2 * CHUNK * 4 + 3 * SKEW;
/** Two doubles of the whole-array sum. */
export const S_AT = 3 * CHUNK * 4 + 4 * SKEW;
/** A chunk of bool conditions (one byte each) for where, after the sum's scratch. */
export const C_AT = S_AT + 64;
export const PAGES = 4;

/** Operand kinds: both vectors, the second a scalar, the first a scalar. */
export type Kind = "vv" | "vs" | "sv";

/**
 * The loop of the streaming kernels: p runs over [0, bytes) in 64-byte steps, and `step(u)` emits the
 * work on the u-th of its four 16-byte vectors (at p + 16u), unrolled.
 */
function stepLoop(f: FunctionBody, p: number, bytes: number, step: (u: number) => void): void {
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  for (let u = 0; u < 4; u++) step(u);
  f.get(p).i32(64).add().set(p);
  f.br(0).end().end();
}

/**
 * `name(d, a, b, bytes)`: d = formula(a, b) over `bytes` (a multiple of 64), float32 lanes; a scalar
 * operand (`vs`: b, `sv`: a) is read once at its address and splat. A comparison's lane masks are
 * narrowed to bytes of 1 or 0 (16 per step), with its vector operand at a whichever side it is on.
 */
function formulaBody(op: BinaryOp, kind: Kind): FunctionBody {
  const formula = ELEMENTWISE[op].formula;
  const bool = ELEMENTWISE[op].dtype.result === "bool";
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const q = f.local(I32);
  const s = f.local(V128);
  if (kind === "vs" || bool) f.get(b).loadSplat(4, 0).set(s);
  else if (kind === "sv") f.get(a).loadSplat(4, 0).set(s);
  /** The u-th vector of x or y in this step. */
  const operand = (u: number) => (v: "x" | "y") => {
    const scalar = (v === "x" && kind === "sv") || (v === "y" && kind === "vs");
    if (scalar) f.get(s);
    else
      f.get(v === "x" || bool ? a : b)
        .get(p)
        .add()
        .v128Load(16 * u);
  };
  if (!bool) {
    stepLoop(f, p, bytes, (u) => {
      f.get(d).get(p).add();
      emitSimd(f, formula, operand(u));
      f.v128Store(16 * u);
    });
    return f;
  }
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  f.get(d).get(q).add();
  for (let half = 0; half < 2; half++) {
    for (let u = 0; u < 2; u++) emitSimd(f, formula, operand(2 * half + u));
    f.i16x8NarrowS();
  }
  f.i8x16NarrowS().i8x16Abs().v128Store(0);
  f.get(p).i32(64).add().set(p);
  f.get(q).i32(16).add().set(q);
  f.br(0).end().end();
  return f;
}

/**
 * The binary ops whose formula compiles to SIMD lanes, by result: arithmetic (a kernel per operand
 * kind) and comparisons (a scalar on either side).
 */
export const SIMD_ARITHMETIC = BINARY_OPS.filter(
  (op) => ELEMENTWISE[op].dtype.result !== "bool" && simdCompiles(ELEMENTWISE[op].formula),
);
export const SIMD_COMPARISONS = BINARY_OPS.filter(
  (op) => ELEMENTWISE[op].dtype.result === "bool" && simdCompiles(ELEMENTWISE[op].formula),
);

/**
 * relu(d, a, _, bytes) on float32 bits, as reluFloat32Bits: keep v unless its sign bit is set and it
 * is neither a NaN nor -0, else +0. Those are exactly the lanes where v < 0 holds (NaN and -0 compare
 * false; Wasm compares subnormals exactly), so one compare masks them off.
 */
function reluBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, , bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const v = f.local(V128);
  const zero = f.local(V128);
  f.i32(0).i32x4Splat().set(zero);
  stepLoop(f, p, bytes, (u) => {
    f.get(d).get(p).add();
    f.get(a)
      .get(p)
      .add()
      .v128Load(16 * u)
      .set(v);
    f.get(v);
    f.get(v).get(zero).f32x4Cmp("lt");
    f.vAndNot(); // v & ~(v < 0)
    f.v128Store(16 * u);
  });
  return f;
}

/**
 * relugrad(d, a, b, bytes): d = b <= 0 ? +0 : a, relu's backward with the gradient at a and the
 * forward's input or result at b (a NaN at b compares false and passes the gradient on).
 */
function reluGradBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const zero = f.local(V128);
  f.i32(0).i32x4Splat().set(zero);
  stepLoop(f, p, bytes, (u) => {
    f.get(d).get(p).add();
    f.get(a)
      .get(p)
      .add()
      .v128Load(16 * u);
    f.get(b)
      .get(p)
      .add()
      .v128Load(16 * u)
      .get(zero)
      .f32x4Cmp("le");
    f.vAndNot();
    f.v128Store(16 * u);
  });
  return f;
}

/** sum(d, a, _, bytes): two doubles at d whose sum is the double-precision sum of the floats at a. */
function sumBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, , bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const acc = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  for (let k = 0; k < 8; k++) {
    const r = acc[k % 4] as number;
    f.get(r)
      .get(a)
      .get(p)
      .add()
      .load64Zero(8 * k)
      .promoteLow()
      .vAdd(8)
      .set(r);
  }
  f.get(p).i32(64).add().set(p);
  f.br(0).end().end();
  f.get(d);
  f.get(acc[0] as number)
    .get(acc[1] as number)
    .vAdd(8);
  f.get(acc[2] as number)
    .get(acc[3] as number)
    .vAdd(8);
  f.vAdd(8).v128Store(0);
  return f;
}

/**
 * where(d, a, b, bytes) with the bool conditions at C_AT: d = cond ? x : y, one of x, y a scalar
 * (`vs`: x the floats at a, y the scalar at b; `sv`: x the scalar at a, y the floats at b), on bits.
 */
function whereBody(kind: "vs" | "sv"): FunctionBody {
  const f = new FunctionBody(4);
  const [d, a, b, bytes] = [0, 1, 2, 3];
  const p = f.local(I32);
  const q = f.local(I32);
  const s = f.local(V128);
  const zero = f.local(V128);
  const m = f.local(V128);
  f.i32(0).i32x4Splat().set(zero);
  f.get(kind === "vs" ? b : a)
    .loadSplat(4, 0)
    .set(s);
  f.block().loop();
  f.get(p).get(bytes).geS().brIf(1);
  f.i32(C_AT).get(q).add().v128Load(0).get(zero).i8x16Ne().set(m);
  for (let u = 0; u < 4; u++) {
    f.get(d).get(p).add();
    if (kind === "vs")
      f.get(a)
        .get(p)
        .add()
        .v128Load(16 * u)
        .get(s);
    else
      f.get(s)
        .get(b)
        .get(p)
        .add()
        .v128Load(16 * u);
    f.get(m)
      .i16x8ExtendS(u >= 2)
      .i32x4ExtendS(u % 2 === 1)
      .bitselect();
    f.v128Store(16 * u);
  }
  f.get(p).i32(64).add().set(p);
  f.get(q).i32(16).add().set(q);
  f.br(0).end().end();
  return f;
}

/**
 * colsum(acc, a, total, rowBytes): acc[j] += a[r][j] (doubles at acc, floats at a) for every row r of
 * `rowBytes` in `total` bytes, row by row, so each column adds left to right as the reference does.
 * Columns run in steps of four, so up to three lanes past the row end land in padding of acc.
 */
function colsumBody(): FunctionBody {
  const f = new FunctionBody(4);
  const [acc, a, total, rowBytes] = [0, 1, 2, 3];
  const row = f.local(I32);
  const end = f.local(I32);
  const inner = f.local(I32);
  const j = f.local(I32);
  const ap = f.local(I32);
  const cp = f.local(I32);
  f.get(a).set(row);
  f.get(a).get(total).add().set(end);
  f.get(rowBytes).i32(12).add().i32(-16).and().set(inner);
  f.block().loop();
  f.get(row).get(end).geS().brIf(1);
  f.i32(0).set(j);
  f.block().loop();
  f.get(j).get(inner).geS().brIf(1);
  f.get(row).get(j).add().set(ap);
  f.get(acc).get(j).add().get(j).add().set(cp);
  for (let h = 0; h < 2; h++) {
    f.get(cp);
    f.get(cp).v128Load(16 * h);
    f.get(ap)
      .load64Zero(8 * h)
      .promoteLow();
    f.vAdd(8).v128Store(16 * h);
  }
  f.get(j).i32(16).add().set(j);
  f.br(0).end().end();
  f.get(row).get(rowBytes).add().set(row);
  f.br(0).end().end();
  return f;
}

/**
 * Every kernel of the module, by export name: `${op}_${kind}` for the formula-compiled ones, and
 * relu, relugrad, sum, colsum, where_vs, where_sv.
 */
export function elementwiseKernels(): { name: string; body: FunctionBody }[] {
  const fns: { name: string; body: FunctionBody }[] = [];
  for (const op of SIMD_ARITHMETIC)
    for (const kind of ["vv", "vs", "sv"] as const)
      fns.push({ name: `${op}_${kind}`, body: formulaBody(op, kind) });
  for (const op of SIMD_COMPARISONS)
    for (const kind of ["vs", "sv"] as const)
      fns.push({ name: `${op}_${kind}`, body: formulaBody(op, kind) });
  fns.push({ name: "relu", body: reluBody() }, { name: "relugrad", body: reluGradBody() });
  fns.push({ name: "sum", body: sumBody() }, { name: "colsum", body: colsumBody() });
  fns.push({ name: "where_vs", body: whereBody("vs") }, { name: "where_sv", body: whereBody("sv") });
  return fns;
}

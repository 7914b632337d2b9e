import { FunctionBody, I32, V128 } from "./emit.js";

// The Wasm SIMD exp of the softmax family (exp-wasm.ts runs it): four float32 lanes at a time, where
// V8's Math.exp is a call per element that costs more than the rest of a softmax together.

/** Elements per pass: the module's one 64 KiB page holds one chunk, exponentiated in place. */
export const EXP_CHUNK = 16384;
export const EXP_PAGES = 1;

/**
 * Cephes' expf: `x = k ln2 + r` with `k = nearest(x / ln2)` and |r| <= ln2 / 2 (ln2 split in two so
 * `k * C1` is exact), `exp(r)` by a degree-7 polynomial, `2^k` built in the exponent bits. The input
 * is clamped to [-88, 88.72]: below about -87.7 `k` is -127, whose exponent bits are 0, so the result
 * is +0 (-inf gives 0 exactly); above, `k` is 128, whose bits are +inf. NaN stays NaN (min/max pass
 * it on). All in float32 without FMA, so every engine computes the same bits.
 */
const C1 = 0.693359375;
const C2 = -2.1219444e-4;
const POLY = [
  1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1,
];

/** `exp(a, count)`: a[i] = exp(a[i]) for i < count rounded up to a multiple of 4 (bytes from a). */
export function expBody(): FunctionBody {
  const f = new FunctionBody(2);
  const [a, count] = [0, 1];
  const p = f.local(I32);
  const end = f.local(I32);
  const x = f.local(V128);
  const k = f.local(V128);
  const y = f.local(V128);
  const splat = (v: number) => f.f32(v).f32x4Splat();
  f.get(a).get(count).i32(4).mul().add().set(end);
  f.get(a).set(p);
  f.block().loop();
  f.get(p).get(end).geS().brIf(1);
  // x = clamp(a[p]); k = nearest(x * log2(e)); x -= k * C1 + k * C2
  f.get(p).v128Load(0);
  splat(-88).f32x4MinMax("max");
  splat(88.72).f32x4MinMax("min");
  f.set(x);
  f.get(x);
  splat(Math.LOG2E).vMul(4).f32x4Nearest().set(k);
  f.get(x).get(k);
  splat(C1).vMul(4).vSub(4);
  f.get(k);
  splat(C2).vMul(4).vSub(4).set(x);
  // y = poly(x) * x^2 + x + 1, the polynomial by Horner's rule
  splat(POLY[0] as number);
  for (const c of POLY.slice(1)) {
    f.get(x).vMul(4);
    splat(c).vAdd(4);
  }
  f.get(x).get(x).vMul(4).vMul(4);
  f.get(x).vAdd(4);
  splat(1).vAdd(4).set(y);
  // a[p] = y * 2^k, 2^k as the float32 whose exponent bits are k + 127
  f.get(p);
  f.get(y);
  f.get(k).i32x4TruncSatF32x4S();
  f.i32(127).i32x4Splat().i32x4Add();
  f.i32(23).i32x4Shl();
  f.vMul(4);
  f.v128Store(0);
  f.get(p).i32(16).add().set(p);
  f.br(0).end().end();
  return f;
}

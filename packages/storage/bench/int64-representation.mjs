// How to store int64: the measurement behind storage's choice (see ../README.md, "int64").
// Three candidate representations of 1e6 int64 elements, each doing what torchlet's kernels do with
// them: elementwise add (with the exactness guard each needs), a whole-array sum, and a comparison
// (lt, into a bool Uint8Array); float32 add is the yardstick. Medians of 25 timed runs after warm-up.
//
//   node packages/storage/bench/int64-representation.mjs
const N = 1_000_000;
const RUNS = 25;
const MAX = Number.MAX_SAFE_INTEGER;

function median(fn) {
  for (let i = 0; i < 5; i++) fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[RUNS >> 1], min: times[0], max: times[RUNS - 1] };
}

const ints = Array.from({ length: N }, (_, i) => ((i * 2654435761) % 2000001) - 1000000);
const ints2 = Array.from({ length: N }, (_, i) => ((i * 40503) % 1000) - 500);

// 1. float64 storage of exact integers, as torchlet does it: the float64 loop, then a pass that checks
// each result against ±(2^53 - 1) and stores -0 as 0 (storage's checkInt64Results); sums check each
// partial sum (ops' sumRowInt64) unless the elements are too small to leave the range.
const fa = Float64Array.from(ints);
const fb = Float64Array.from(ints2);
const fo = new Float64Array(N);
function f64AddUnguarded() {
  for (let i = 0; i < N; i++) fo[i] = fa[i] + fb[i];
}
function f64Add() {
  for (let i = 0; i < N; i++) fo[i] = fa[i] + fb[i];
  for (let i = 0; i < N; i++) {
    const v = fo[i];
    if (!(Math.abs(v) <= MAX)) throw new Error("overflow");
    if (v === 0) fo[i] = 0;
  }
}
function f64SumUnchecked() {
  let s = 0;
  for (let i = 0; i < N; i++) s += fa[i];
  return s;
}
function f64Sum() {
  let s = 0;
  for (let i = 0; i < N; i++) {
    s += fa[i];
    if (!(Math.abs(s) <= MAX)) throw new Error("overflow");
  }
  return s;
}
const boolOut = new Uint8Array(N);
function f64Lt() {
  for (let i = 0; i < N; i++) boolOut[i] = +(fa[i] < fb[i]);
}

// 2. BigInt64Array: exact to 2^63 with wrap-around, but every element is a BigInt.
const ba = BigInt64Array.from(ints, BigInt);
const bb = BigInt64Array.from(ints2, BigInt);
const bo = new BigInt64Array(N);
function bigAdd() {
  for (let i = 0; i < N; i++) bo[i] = ba[i] + bb[i]; // the typed array wraps mod 2^64
}
function bigSum() {
  let s = 0n;
  for (let i = 0; i < N; i++) s += ba[i];
  return BigInt.asIntN(64, s);
}
function bigLt() {
  for (let i = 0; i < N; i++) boolOut[i] = +(ba[i] < bb[i]);
}

// 3. int32 pairs (low word unsigned, high word signed), as in a little-endian int64.
const pa = new Int32Array(ba.buffer);
const pb = new Int32Array(bb.buffer);
const po = new Int32Array(bo.buffer);
function pairAdd() {
  for (let i = 0; i < 2 * N; i += 2) {
    const lo = (pa[i] >>> 0) + (pb[i] >>> 0);
    po[i] = lo | 0;
    po[i + 1] = (pa[i + 1] + pb[i + 1] + (lo > 0xffffffff ? 1 : 0)) | 0;
  }
}
function pairSum() {
  // exact while the high-word sum stays a safe integer
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 2 * N; i += 2) {
    lo += pa[i] >>> 0;
    hi += pa[i + 1];
  }
  return hi * 4294967296 + lo;
}
function pairLt() {
  for (let i = 0; i < 2 * N; i += 2) {
    const ha = pa[i + 1];
    const hb = pb[i + 1];
    boolOut[i >> 1] = +(ha < hb || (ha === hb && pa[i] >>> 0 < pb[i] >>> 0));
  }
}

// Yardstick: float32 add, as the existing loops do it.
const xa = Float32Array.from(ints2);
const xb = Float32Array.from(ints2);
const xo = new Float32Array(N);
function f32Add() {
  for (let i = 0; i < N; i++) xo[i] = xa[i] + xb[i];
}

// Cross-check the three agree before timing anything.
f64Add();
bigAdd();
pairAdd();
for (let i = 0; i < N; i += 9973) {
  if (BigInt(fo[i]) !== bo[i]) throw new Error(`add mismatch at ${i}`);
}
if (BigInt(f64Sum()) !== bigSum() || BigInt(pairSum()) !== bigSum()) throw new Error("sum mismatch");

// torchlet's loops are shared by every dtype (elementwise-loops.ts: one function per op, any typed
// array). float64 storage adds no new array kind to them; a BigInt64Array would. Run the shared loop
// on float32/float64/int32 first, time float32 through it, then let it see BigInt64Array and again.
function sharedAdd(d, A, B, n) {
  for (let j = 0; j < n; j++) d[j] = A[j] + B[j];
}
const yo = new Float64Array(N);
const io = new Int32Array(N);
const ia = Int32Array.from(ints2);
function sharedFloat32() {
  sharedAdd(xo, xa, xb, N);
}
function sharedBigInt() {
  sharedAdd(bo, ba, bb, N);
}

const rows = [
  ["float32 add (yardstick)", f32Add],
  ["float64 storage: add, unguarded", f64AddUnguarded],
  ["float64 storage: add + range-check pass", f64Add],
  ["float64 storage: sum, unchecked (small ints)", f64SumUnchecked],
  ["float64 storage: sum, partial sums checked", f64Sum],
  ["float64 storage: lt", f64Lt],
  ["BigInt64Array: add", bigAdd],
  ["BigInt64Array: sum", bigSum],
  ["BigInt64Array: lt", bigLt],
  ["int32 pairs: add", pairAdd],
  ["int32 pairs: sum", pairSum],
  ["int32 pairs: lt", pairLt],
];
for (let i = 0; i < 10; i++) {
  sharedAdd(xo, xa, xb, N);
  sharedAdd(yo, fa, fb, N);
  sharedAdd(io, ia, ia, N);
}
rows.push(["shared loop, float32 (seen f32/f64/i32)", sharedFloat32]);
const late = [
  ["shared loop, BigInt64Array", sharedBigInt],
  ["shared loop, float32 after it saw BigInt", sharedFloat32],
];
console.log(`node ${process.version}, ${N} elements, ms per call: median (min-max of ${RUNS})`);
for (const [name, fn] of rows) {
  const r = median(fn);
  console.log(
    `${name.padEnd(44)} ${r.median.toFixed(2).padStart(7)}  (${r.min.toFixed(2)}-${r.max.toFixed(2)})`,
  );
}
for (const [name, fn] of late) {
  const r = median(fn);
  console.log(
    `${name.padEnd(44)} ${r.median.toFixed(2).padStart(7)}  (${r.min.toFixed(2)}-${r.max.toFixed(2)})`,
  );
}

import type { Generator } from "./generator.js";

const f = Math.fround;

/** Output arrays `randintFill` can write, standing for PyTorch's int32, int64, float32 and float64. */
export type RandintArray = Int32Array | BigInt64Array | Float32Array | Float64Array;

/**
 * Fills `out` like `torch.randint(low, high, shape, dtype)` / `tensor.random_(low, high)` on PyTorch's
 * CPU (`random_from_to` with range = high - low, base = low): each element is
 * `(draw % range) + low`, where the draw is one 32-bit `random()`, except that int64, float32 and
 * float64 outputs use one 64-bit `random64()` when range >= 2^32 (an int32 output always uses
 * `random()`, as PyTorch does). Float outputs get the integer rounded to their precision.
 *
 * Preconditions: integers low < high (bigint beyond 2^53) with range <= 2^64, and both within the
 * output type (for Int32Array: -2^31 <= low < high <= 2^31).
 */
export function randintFill(
  gen: Generator,
  out: RandintArray,
  low: number | bigint,
  high: number | bigint,
): void {
  const lowBig = BigInt(low);
  const range = BigInt(high) - lowBig;
  const n = out.length;
  const wideDraw = range >= 1n << 32n && !(out instanceof Int32Array);
  if (!wideDraw && Number.isSafeInteger(Number(lowBig)) && Math.abs(Number(lowBig)) < 2 ** 52) {
    // 32-bit draws: every intermediate is an exact double.
    const r = Number(range);
    const base = Number(lowBig);
    if (out instanceof BigInt64Array) {
      for (let i = 0; i < n; i++) out[i] = BigInt((gen.random() % r) + base);
    } else {
      for (let i = 0; i < n; i++) out[i] = (gen.random() % r) + base;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const draw = wideDraw ? gen.random64() : BigInt(gen.random());
    // uint64 arithmetic, then reinterpreted as int64, as `static_cast<int64_t>((val % range) + base)`.
    const value = BigInt.asIntN(64, (draw % range) + lowBig);
    if (out instanceof BigInt64Array) out[i] = value;
    else if (out instanceof Float32Array) out[i] = int64ToFloat32(value);
    else out[i] = Number(value);
  }
}

// int64 -> float32 with one rounding (Number() then fround could round twice beyond 2^53).
function int64ToFloat32(value: bigint): number {
  const d = Number(value);
  const r = f(d);
  if (Math.abs(d) <= 2 ** 53 || r === d) return r;
  const err = value - BigInt(d);
  if (err === 0n) return r;
  const half = d - r;
  const other = r + 2 * half;
  if (f(other) !== other) return r;
  return err > 0n === half > 0 ? other : r;
}

/**
 * Fused multiply-add, needed because PyTorch's AVX2 kernels are compiled with `-mfma` and GCC's
 * default `-ffp-contract=fast`: `a * b + c` there is rounded once, not twice.
 */

const fround = Math.fround;

/**
 * `fmaf(a, b, c)` for float32 inputs: `a * b + c` rounded once to float32.
 * Exact: the product of two floats is exact in a double, and the one case where rounding the double
 * sum to float32 differs from rounding the exact sum (the double sum lands on a float32 midpoint) is
 * resolved with the exact sum's error term.
 *
 * Precondition: a, b, c are float32 values (results of Math.fround).
 *
 * @example
 * // 1 + 2^-23 squared is 1 + 2^-22 + 2^-46: one rounding keeps the 2^-46 that two roundings lose.
 * const a = Math.fround(1 + 2 ** -23);
 * torch.fmaf32(a, a, -Math.fround(1 + 2 ** -22)) === 2 ** -46; // true
 */
export function fmaf32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  if (r === s) return r;
  // Rounding s (not the exact sum) to float32 can only go wrong when s sits exactly halfway between
  // r and its neighbour; otherwise r is already right.
  const other = 2 * s - r;
  return fround(other) === other ? resolveTie(p, c, s, r, other) : r;
}

// The exact sum p + c = s + err (two-sum); its side of the midpoint s picks r or `other`.
function resolveTie(p: number, c: number, s: number, r: number, other: number): number {
  if (!Number.isFinite(s)) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  if (err === 0) return r;
  return err > 0 === s > r ? other : r;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's splitting constant for doubles

/**
 * `fma(a, b, c)` for doubles: `a * b + c` with the product's rounding error carried into the sum
 * (Dekker's two-product plus two-sum). Equals the correctly rounded fused result except in rare
 * double-rounding ties, and always within one unit in the last place.
 *
 * Precondition: finite inputs whose product is far from overflow (|a|, |b| < 2^996).
 *
 * @example
 * const a = 1 + 2 ** -52;
 * torch.fma64(a, a, -(1 + 2 ** -51)) === 2 ** -104; // true
 */
export function fma64(a: number, b: number, c: number): number {
  // One rounding already: the product is exact (b = 1) or the addend is zero.
  if (b === 1 || c === 0) return a * b + c;
  const p = a * b;
  if (!Number.isFinite(p) || p === 0 || !Number.isFinite(c)) return p + c;
  // Exact error of the product.
  let t = SPLITTER * a;
  const ahi = t - (t - a);
  const alo = a - ahi;
  t = SPLITTER * b;
  const bhi = t - (t - b);
  const blo = b - bhi;
  const perr = ahi * bhi - p + ahi * blo + alo * bhi + alo * blo;
  // Exact error of the sum.
  const s = p + c;
  const bv = s - p;
  const serr = p - (s - bv) + (c - bv);
  return s + (perr + serr);
}

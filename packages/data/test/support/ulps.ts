// Distance in units in the last place between two floats of the same precision.
const bits64 = new BigInt64Array(1);
const view64 = new Float64Array(bits64.buffer);
const bits32 = new Int32Array(1);
const view32 = new Float32Array(bits32.buffer);

export function ulpsApart(a: number, b: number, float32: boolean): number {
  if (a === b) return 0;
  if (float32) {
    view32[0] = a;
    const ia = bits32[0] ?? 0;
    view32[0] = b;
    return Math.abs(ia - (bits32[0] ?? 0));
  }
  view64[0] = a;
  const ia = bits64[0] ?? 0n;
  view64[0] = b;
  return Number(ia - (bits64[0] ?? 0n)) * (ia > (bits64[0] ?? 0n) ? 1 : -1);
}

/** The gap from |v| to the next larger float of the same precision (one ulp at v's magnitude). */
export function ulpOf(v: number, float32: boolean): number {
  const a = Math.abs(v);
  if (float32) {
    view32[0] = a;
    bits32[0] = (bits32[0] ?? 0) + 1;
    return (view32[0] ?? 0) - Math.fround(a);
  }
  view64[0] = a;
  bits64[0] = (bits64[0] ?? 0n) + 1n;
  return (view64[0] ?? 0) - a;
}

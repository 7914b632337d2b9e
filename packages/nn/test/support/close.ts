import { expect } from "vitest";

/**
 * Expects float32 results to equal PyTorch's within `tol` relative to the largest magnitude of the
 * expected values (differences come from a different summation order or a composed formula).
 */
export function expectClose(
  values: ArrayLike<number> | BigInt64Array,
  expected: readonly number[],
  tol: number,
  what = "",
): void {
  const actual = Array.from(values as ArrayLike<number>, Number);
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)) / scale);
  }
  expect(worst, `${what}: worst relative difference`).toBeLessThanOrEqual(tol);
}

import type * as torch from "torchlet";
import { expect } from "vitest";

/** A fixture number: JSON cannot spell NaN or the infinities, so the generator writes them as strings. */
export type Encoded = number | "nan" | "inf" | "-inf";

export function decode(v: Encoded): number {
  if (v === "nan") return Number.NaN;
  if (v === "inf") return Number.POSITIVE_INFINITY;
  if (v === "-inf") return Number.NEGATIVE_INFINITY;
  return v;
}

/** The values of `t` in row-major order as plain numbers (bool as 0/1). */
export function flatValues(t: torch.Tensor): number[] {
  return Array.from(t.toTypedArray(), Number);
}

/**
 * Asserts `actual` matches `expected` elementwise within `rtol` relative plus `atol` absolute (for
 * values near zero); NaN must meet NaN and an infinity the same infinity.
 */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  rtol: number,
  what: string,
  atol = rtol / 10,
): void {
  expect(actual.length, `${what}: element count`).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    const ok =
      (Number.isNaN(a) && Number.isNaN(e)) ||
      a === e ||
      (Number.isFinite(a) && Number.isFinite(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e));
    if (!ok)
      expect.fail(
        `${what}: element ${i} is ${a}, PyTorch gives ${e}\nactual   ${actual}\nexpected ${expected}`,
      );
  });
}

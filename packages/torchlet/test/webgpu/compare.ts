import { expect } from "vitest";
import { fallbacksTaken } from "../../../webgpu/src/fallback.js";
import * as torch from "../../src/index.js";

/** A copy of a CPU tensor on webgpu (outside recording, so it may require grad afterwards). */
export function gpu(t: torch.Tensor): torch.Tensor {
  return torch.noGrad(() => t.to("webgpu"));
}

/** Checks that a webgpu result has the CPU result's shape, dtype and values (within `tolerance`). */
export async function expectLike(got: torch.Tensor, want: torch.Tensor, tolerance = 0): Promise<void> {
  expect(got.device).toBe("webgpu");
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const values = [(await got.cpuAsync()).flatten().tolist()].flat() as number[];
  const expected = [want.flatten().tolist()].flat() as number[];
  if (tolerance === 0) expect(values).toEqual(expected);
  else {
    values.forEach((v, i) => {
      const w = expected[i] as number;
      expect(Math.abs(v - w), `element ${i}: ${v} vs ${w}`).toBeLessThanOrEqual(
        tolerance * (1 + Math.abs(w)),
      );
    });
  }
}

/** Checks that none of `ops` has run through the CPU (fallback.ts names each as `op (kernel)`). */
export function expectNoFallback(ops: readonly string[]): void {
  const taken = fallbacksTaken().filter((key) => ops.includes(key.split(" ")[0] as string));
  expect(taken).toEqual([]);
}

import { expect } from "vitest";
import * as torch from "../../src/index.js";

/**
 * The ops that ran through the CPU in this test file's process: webgpu warns once per op
 * (`torchlet webgpu: <op> (<kernel>) has no WebGPU kernel ...`), and this module, imported before any
 * op runs, keeps the names while passing the warnings on.
 */
const fallbacks: string[] = [];
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  const taken = /^torchlet webgpu: (\S+) \(\w+\) has no WebGPU kernel/.exec(String(args[0]));
  if (taken) fallbacks.push(taken[1] as string);
  warn(...args);
};

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

/** Checks that none of `ops` has run through the CPU so far in this file. */
export function expectNoFallback(ops: readonly string[]): void {
  expect(fallbacks.filter((op) => ops.includes(op))).toEqual([]);
}

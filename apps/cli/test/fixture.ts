import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { formatR } from "../src/format-number.js";

/** Written by fixtures/gen_chapter.py with PyTorch 1.13: the losses PyTorch prints for each command line. */
interface ChapterFixture {
  torch: string;
  cases: { args: string[]; dtype: "float32" | "float64"; losses: { epoch: number; loss: number }[] }[];
  graph: { depth: number; name: string; shape?: number[] }[];
}
export const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/chapter.json", import.meta.url), "utf8"),
) as ChapterFixture;

/** PyTorch's losses for the run with these arguments (the fixture's cases). */
export function pytorchLosses(...args: string[]): { epoch: number; loss: number }[] {
  const c = fixture.cases.find((k) => k.args.join(" ") === args.join(" "));
  if (!c) throw new Error(`no PyTorch fixture for "${args.join(" ")}"`);
  return c.losses;
}

/**
 * Checks that `lines` are the chapter's lines for PyTorch's `losses`, as R prints them. A line may
 * show the neighbouring 7th digit when PyTorch's loss lies within a few float32 steps of a rounding
 * boundary: torchlet's kernels and PyTorch's BLAS add in different orders, so the last bits differ.
 */
export function expectPyTorchLines(
  lines: readonly string[],
  losses: readonly { epoch: number; loss: number }[],
): void {
  expect(lines).toHaveLength(losses.length);
  losses.forEach(({ epoch, loss }, i) => {
    const nearby = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map(
      (k) => `Epoch: ${epoch}   Loss: ${formatR(float32Step(loss, k))}`,
    );
    expect(nearby).toContain(lines[i]);
  });
}

/** The float32 value `k` representable steps away from float32 `x`. */
function float32Step(x: number, k: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  bits[0] = (bits[0] as number) + (x >= 0 ? k : -k);
  return f[0] as number;
}

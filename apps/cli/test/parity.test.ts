import { describe, expect, it } from "vitest";
import { formatR } from "../src/format-number.js";
import { cli, jsonLines } from "./cli.js";
import { CHAPTER_LINES, fixture } from "./fixture.js";

// float32 runs agree with PyTorch to 7 significant digits (within one unit of the 7th: the kernels sum
// in another order, so the last float32 bit may differ); float64 runs to 12.
const TOLERANCE = { float32: 1e-6, float64: 1e-12 };

describe(`the chapter's losses against PyTorch ${fixture.torch}`, () => {
  // train.test.ts checks that the binary prints CHAPTER_LINES; here they meet PyTorch's losses.
  it("the chapter's lines are PyTorch's losses as R prints them, up to float32 rounding of the last bit", () => {
    const lines = CHAPTER_LINES.trimEnd().split("\n");
    const losses = fixture.cases[0]?.losses ?? [];
    expect(lines).toHaveLength(losses.length);
    losses.forEach(({ epoch, loss }, i) => {
      // PyTorch's line, or where its loss lies within a few float32 steps of a rounding boundary of the
      // 7th digit, the line on the other side: the kernels (torchlet's, and the BLAS PyTorch was built
      // with) add in different orders, so the last bit may differ. With this fixture 17 of the 20 lines
      // are identical and 3 (epochs 60, 80, 160) differ by one unit in the 7th digit, one float32 step.
      const nearby = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map(
        (k) => `Epoch: ${epoch}   Loss: ${formatR(float32Step(loss, k))}`,
      );
      expect(nearby).toContain(lines[i]);
    });
  });

  it.each(fixture.cases.map((c) => [c.args.join(" ") || "(defaults)", c] as const))(
    "torchlet train %s",
    async (_, c) => {
      const r = await cli(["train", "--json", ...c.args]);
      expect(r.code).toBe(0);
      const logged = jsonLines(r.stdout).filter((l) => "epoch" in l);
      expect(logged.map((l) => l.epoch)).toEqual(c.losses.map((l) => l.epoch));
      logged.forEach((l, i) => {
        const want = c.losses[i]?.loss as number;
        expect(Math.abs((l.loss as number) - want) / Math.abs(want)).toBeLessThan(TOLERANCE[c.dtype]);
      });
    },
  );
});

/** The float32 value `k` representable steps away from float32 `x`. */
function float32Step(x: number, k: number): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  bits[0] = (bits[0] as number) + (x >= 0 ? k : -k);
  return f[0] as number;
}

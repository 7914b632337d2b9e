import { describe, expect, it } from "vitest";
import { cli, jsonLines } from "./cli.js";
import { expectPyTorchLines, fixture, pytorchLosses } from "./fixture.js";

// float32 runs agree with PyTorch to 7 significant digits (within one unit of the 7th: the kernels sum
// in another order, so the last float32 bit may differ); float64 runs to 12.
const TOLERANCE = { float32: 1e-6, float64: 1e-12 };

describe(`the chapter's losses against PyTorch ${fixture.torch}`, () => {
  it("the default run prints PyTorch's losses as R prints them, up to float32 rounding of the last bit", async () => {
    const r = await cli(["train", "--quiet"]);
    expect(r.code).toBe(0);
    expectPyTorchLines(r.stdout.trimEnd().split("\n"), pytorchLosses());
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

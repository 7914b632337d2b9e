// The Digits page's defaults (seed 0, batch 64, Adam lr 1e-3) train exactly as PyTorch does: its first
// 50 batch losses, from the fixture `torchlet digits` is checked against (apps/cli/fixtures/gen_digits.py).
// The MLP's cases check the page's order of random draws; the CNN's (40 s here) add only the model,
// which the CLI's parity test covers.
import { readFileSync } from "node:fs";
import { type DigitsModelName, digitsModel, loadDigits } from "@torchlet/vision";
import { expect, it } from "vitest";
import { DigitsTrainer } from "../src/digits/trainer.js";

interface DigitsFixture {
  torch: string;
  cases: { model: DigitsModelName; seed: number; batchSize: number; lr: number; losses: number[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../../cli/fixtures/digits.json", import.meta.url), "utf8"),
) as DigitsFixture;
const digits = await loadDigits();

it.each(fixture.cases.filter((c) => c.model === "mlp").map((c) => [c.model, c.seed, c] as const))(
  `%s, seed %i: the page's trainer gives PyTorch ${fixture.torch}'s first batch losses to 1e-4 relative`,
  (_, __, c) => {
    const trainer = new DigitsTrainer(digits, digitsModel, { ...c, epochs: 1 });
    const losses = c.losses.map(() => trainer.step());
    const worst = Math.max(
      ...losses.map((l, i) => Math.abs(l - (c.losses[i] as number)) / (c.losses[i] as number)),
    );
    expect(losses).toHaveLength(50);
    expect(worst).toBeLessThan(1e-4);
  },
  60_000,
);

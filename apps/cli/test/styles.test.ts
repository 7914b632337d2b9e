import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli, jsonLines } from "./cli.js";

/** Written by fixtures/gen_styles.py with PyTorch 1.13: each style's losses at every 10th epoch. */
const styles = JSON.parse(readFileSync(new URL("../fixtures/styles.json", import.meta.url), "utf8")) as {
  torch: string;
  cases: { style: string; args: string[]; losses: { epoch: number; loss: number }[] }[];
};

async function losses(args: string[]): Promise<number[]> {
  const r = await cli(["train", "--json", ...args]);
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout)
    .filter((l) => "epoch" in l)
    .map((l) => l.loss as number);
}

describe("torchlet train --style: the same network written four ways", () => {
  it("raw (the default) and modules are the same math: the same losses, bit for bit", async () => {
    const [raw, explicit, modules] = await Promise.all([
      losses([]),
      losses(["--style", "raw"]),
      losses(["--style", "modules"]),
    ]);
    expect(explicit).toEqual(raw);
    expect(modules).toEqual(raw);
    const [raw64, modules64] = await Promise.all([
      losses(["--dtype", "float64", "--hidden", "8,4", "--epochs", "30"]),
      losses(["--style", "modules", "--dtype", "float64", "--hidden", "8,4", "--epochs", "30"]),
    ]);
    expect(modules64).toEqual(raw64);
  });

  // float32 agrees with PyTorch to 7 significant digits: the kernels sum in another order than
  // PyTorch's BLAS (and nn.Linear's addmm), so the last bits differ.
  it.each(styles.cases.map((c) => [c.args.join(" "), c] as const))(
    `%s gives PyTorch ${styles.torch}'s losses`,
    async (_, c) => {
      const got = await losses(c.args);
      expect(got).toHaveLength(c.losses.length);
      c.losses.forEach(({ loss }, i) => {
        expect(Math.abs((got[i] as number) - loss) / loss, `epoch ${(i + 1) * 10}`).toBeLessThan(1e-6);
      });
    },
  );

  it("saves a model that predict reads, whatever the style", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "torchlet-styles-"));
    try {
      const file = join(dir, "model.json");
      const trained = await cli(["train", "--quiet", "--style", "optim", "--epochs", "20", "--save", file]);
      expect(trained.code, trained.stderr).toBe(0);
      const saved = JSON.parse(readFileSync(file, "utf8"));
      expect(saved.layers.map((l: { weight: { shape: number[] } }) => l.weight.shape)).toEqual([
        [3, 32],
        [32, 1],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown style, naming the choices", async () => {
    const r = await cli(["train", "--style", "keras"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--style/);
    expect(r.stderr).toMatch(/raw, modules, optim, adam|raw\|modules\|optim\|adam/);
  });
});

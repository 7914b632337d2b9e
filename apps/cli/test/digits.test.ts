import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDigits } from "@torchlet/vision";
import pngjs from "pngjs";
import * as torch from "torchlet";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, jsonLines, STACK } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "torchlet-digits-"));
const digits = await loadDigits();

/** Test image i as a PNG of `colorType` (0 gray, 2 RGB, 6 RGBA), white digit on black. */
function digitPng(i: number, path: string, colorType: 0 | 2 | 6 = 0, size = 28): string {
  const pixels = digits.test.images.select(0, i).toTypedArray() as Float32Array;
  const png = new pngjs.PNG({ width: size, height: size });
  for (let p = 0; p < size * size; p++) {
    const v = p < pixels.length ? Math.round((pixels[p] as number) * 255) : 0;
    png.data.set([v, v, v, 255], 4 * p);
  }
  writeFileSync(path, pngjs.PNG.sync.write(png, { colorType }));
  return path;
}

describe("torchlet digits", () => {
  let json: Record<string, unknown>[];
  const modelPt = join(dir, "mlp.pt");
  beforeAll(async () => {
    const r = await cli(["digits", "--epochs", "2", "--json", "--save", modelPt]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    json = jsonLines(r.stdout);
  }, 120_000);

  it("--json: one line per epoch with the mean loss and the test accuracy, then the summary", () => {
    expect(json).toHaveLength(3);
    expect(json.slice(0, 2).map((l) => Object.keys(l))).toEqual([
      ["epoch", "loss", "testAccuracy"],
      ["epoch", "loss", "testAccuracy"],
    ]);
    type Epoch = { epoch: number; loss: number; testAccuracy: number };
    const [first, second, summary] = json as [Epoch, Epoch, Record<string, unknown>];
    expect(second.loss).toBeLessThan(first.loss);
    // PyTorch's accuracies for this seed after 1 and 2 epochs (fixtures/gen_digits.py --measure).
    expect([first.testAccuracy, second.testAccuracy]).toEqual([0.893, 0.9135]);
    const confusion = summary.confusion as number[][];
    expect(confusion.flat().reduce((a, b) => a + b)).toBe(2000);
    const hits = confusion.reduce((n, row, t) => n + (row[t] as number), 0);
    expect(summary.testAccuracy).toBe(hits / 2000);
    expect(summary).toMatchObject({ epochs: 2, testAccuracy: second.testAccuracy });
  });

  it("--save writes PyTorch's state dict of the MLP", () => {
    const dict = torch.load(readFileSync(modelPt)) as Record<string, torch.Tensor>;
    expect(Object.entries(dict).map(([k, t]) => [k, t.shape])).toEqual([
      ["1.weight", [128, 784]],
      ["1.bias", [128]],
      ["3.weight", [10, 128]],
      ["3.bias", [10]],
    ]);
  });

  it("prints the epochs, then the confusion matrix, and the summary on stderr", async () => {
    const path = join(dir, "mlp.json");
    const r = await cli(["digits", "--epochs", "1", "--batch-size", "500", "--lr", "0.01", "--save", path]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Epoch: 1 {3}Loss: [\d.]+ {3}Test accuracy: \d+\.\d\d%$/);
    expect(lines[2]).toBe("Confusion matrix (rows: true digit, columns: predicted digit):");
    expect(lines[3]?.trim().split(/\s+/)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(lines.slice(4)).toHaveLength(10);
    expect(r.stderr).toMatch(
      /^Test accuracy: \d+\.\d\d% after 1 epochs in .* \(mlp, 16 batches of 500 per epoch\)\n$/,
    );
    const saved = JSON.parse(readFileSync(path, "utf8"));
    expect(saved).toMatchObject({ format: "torchlet-digits-model", version: 1, model: "mlp" });
    expect(saved.training).toMatchObject({ epochs: 1, batchSize: 500, lr: 0.01, seed: 0 });
    expect(Object.keys(saved.stateDict)).toEqual(["1.weight", "1.bias", "3.weight", "3.bias"]);

    // The JSON model predicts what the .pt one does for the same kind of input.
    const p = await cli(["predict", "--model", path, "--image", digitPng(0, join(dir, "zero.png"))]);
    expect(p.stdout).toMatch(/^\d \(p = [01]\.\d{4}\)\n$/);
  }, 60_000);

  it("refuses a bad --model, --epochs or --lr with a usage error (exit 2)", async () => {
    for (const [args, message] of [
      [["--model", "rnn"], '--model expects one of mlp, cnn, got "rnn"'],
      [["--epochs", "0"], '--epochs expects a positive integer, got "0"'],
      [["--lr", "-1"], '--lr expects a positive finite number, got "-1"'],
    ] as const) {
      const r = await cli(["digits", ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toBe(`torchlet: ${message}`);
    }
  });

  it("the help lists the command and its options", async () => {
    const r = await cli(["digits", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--model NAME");
    expect((await cli(["--help"])).stdout).toContain("digits    train a handwritten-digit classifier");
  });
});

describe("torchlet predict with a digits model", () => {
  const model = join(dir, "predict.pt");
  let truth: number[];
  let expected: number[][];
  beforeAll(async () => {
    const r = await cli(["digits", "--epochs", "1", "--quiet", "--save", model]);
    expect(r.code).toBe(0);
    // The reference: the saved weights run through the MLP by hand, on test images 0 and 1000.
    const dict = torch.load(readFileSync(model)) as Record<string, torch.Tensor>;
    const x = digits.test.images
      .indexSelect(0, torch.tensor([0, 1000], { dtype: "int64" }))
      .reshape([2, 784]);
    const w = (k: string) => dict[k] as torch.Tensor;
    const h = x.matmul(w("1.weight").t()).add(w("1.bias")).relu();
    expected = h.matmul(w("3.weight").t()).add(w("3.bias")).softmax(1).tolist() as number[][];
    truth = digits.test.labels
      .indexSelect(0, torch.tensor([0, 1000], { dtype: "int64" }))
      .tolist() as number[];
  }, 60_000);

  it("classifies a 28x28 PNG (gray, RGB, RGBA alike) and rows of 784 pixels", async () => {
    for (const colorType of [0, 2, 6] as const) {
      const png = digitPng(1000, join(dir, `digit-${colorType}.png`), colorType);
      const r = await cli(["predict", "--model", model, "--image", png, "--json"]);
      expect(r.code).toBe(0);
      const [line] = jsonLines(r.stdout) as { prediction: number; probabilities: number[] }[];
      const want = expected[1] as number[];
      expect(line?.prediction).toBe(want.indexOf(Math.max(...want)));
      for (const [i, p] of (line?.probabilities ?? []).entries()) expect(p).toBeCloseTo(want[i] as number, 2);
    }
    const rows = [0, 1000].map((i) =>
      Array.from(digits.test.images.select(0, i).toTypedArray() as Float32Array),
    );
    const r = await cli(["predict", "--model", model, "--input", rows.map((row) => row.join(",")).join(";")]);
    expect(r.code).toBe(0);
    const printed = r.stdout.trimEnd().split("\n");
    expected.forEach((p, i) => {
      const best = p.indexOf(Math.max(...p));
      expect(printed[i]).toBe(`${best} (p = ${(p[best] as number).toFixed(4)})`);
    });
    // One epoch already classifies these two as the labels say.
    expect(printed.map((l) => Number(l[0]))).toEqual(truth);
  });

  it("refuses a file that is no PNG, a PNG of another size, and rows of another width (exit 2, no stack)", async () => {
    const notPng = join(dir, "not.png");
    writeFileSync(notPng, "GIF89a");
    const truncated = join(dir, "truncated.png");
    writeFileSync(truncated, readFileSync(digitPng(0, join(dir, "whole.png"))).subarray(0, 60));
    for (const [args, message] of [
      [["--image", notPng], `--image ${notPng} is not a readable PNG image (`],
      [["--image", truncated], `--image ${truncated} is not a readable PNG image (`],
      [
        ["--image", digitPng(0, join(dir, "big.png"), 0, 32)],
        `--image ${join(dir, "big.png")} is 32x32 pixels; the digits models take 28x28 (scale it to that size first)`,
      ],
      [
        ["--image", join(dir, "missing.png")],
        `cannot read --image ${join(dir, "missing.png")}: no such file`,
      ],
      [["--input", "0.5,1"], "the model expects 784 values per row (a 28x28 image), got 2"],
      [
        ["--image", notPng, "--input", "1"],
        "give the digits with exactly one of --image, --input and --input-file",
      ],
    ] as const) {
      const r = await cli(["predict", "--model", model, ...args]);
      expect(r.code, message).toBe(2);
      expect(r.stderr.split("\n")[0]).toContain(`torchlet: ${message}`);
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  it("refuses --image with the chapter's network, and a digits file that is damaged", async () => {
    const chapter = join(dir, "chapter.json");
    expect((await cli(["train", "--epochs", "1", "--quiet", "--save", chapter])).code).toBe(0);
    const png = digitPng(0, join(dir, "any.png"));
    let r = await cli(["predict", "--model", chapter, "--image", png]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      `torchlet: --image takes a model written by torchlet digits --save; ${chapter} holds the chapter's network`,
    );
    const broken = join(dir, "broken.json");
    const saved = JSON.parse(readFileSync(join(dir, "mlp.json"), "utf8"));
    saved.stateDict["3.bias"].data = [1, 2];
    writeFileSync(broken, JSON.stringify(saved));
    r = await cli(["predict", "--model", broken, "--image", png]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(
      `torchlet: model file ${broken}: stateDict["3.bias"].data must hold 10 numbers for shape [10]`,
    );
    expect(r.stderr).not.toMatch(STACK);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cli, jsonLines, STACK } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "torchlet-cli-"));
const modelPath = join(dir, "model.json");

interface Saved {
  dtype: string;
  layers: {
    weight: { shape: number[]; dtype: string; data: number[] };
    bias: { shape: number[]; data: number[] };
  }[];
  training: Record<string, unknown>;
}

/** The forward pass done by hand in float64 from the file's numbers: the reference for `predict`. */
function forwardByHand(model: Saved, row: number[]): number {
  let h = row;
  model.layers.forEach(({ weight, bias }, i) => {
    const [rows, cols] = weight.shape as [number, number];
    const out = Array.from({ length: cols }, (_, j) => {
      let s = bias.data[j] as number;
      for (let k = 0; k < rows; k++) s += (h[k] as number) * (weight.data[k * cols + j] as number);
      return s;
    });
    h = i < model.layers.length - 1 ? out.map((v) => Math.max(0, v)) : out;
  });
  return h[0] as number;
}

describe("train --save and predict", () => {
  let saved: Saved;
  let finalLoss: number;
  beforeAll(async () => {
    const r = await cli(["train", "--hidden", "8,4", "--epochs", "30", "--json", "--save", modelPath]);
    expect(r.code).toBe(0);
    finalLoss = jsonLines(r.stdout).at(-1)?.finalLoss as number;
    saved = JSON.parse(readFileSync(modelPath, "utf8")) as Saved;
  });

  it("writes the parameters with their shapes and dtypes, and how they were trained", () => {
    expect(saved).toMatchObject({
      format: "torchlet-chapter-model",
      version: 1,
      dtype: "float32",
      activation: "relu",
    });
    expect(saved.layers.map((l) => [l.weight.shape, l.bias.shape])).toEqual([
      [
        [3, 8],
        [1, 8],
      ],
      [
        [8, 4],
        [1, 4],
      ],
      [
        [4, 1],
        [1, 1],
      ],
    ]);
    expect(saved.layers.every((l) => l.weight.dtype === "float32")).toBe(true);
    expect(saved.layers[0]?.weight.data).toHaveLength(24);
    expect(saved.training).toMatchObject({
      seed: 42,
      dataset: "linear",
      n: 100,
      hidden: [8, 4],
      epochs: 30,
      lr: 1e-4,
    });
    expect(saved.training.finalLoss).toBe(finalLoss);
  });

  it("predict loads them and gives the network's output for each row", async () => {
    const rows = [
      [0.5, -1, 2],
      [1, 0, 0],
      [-2, 0.25, 3],
    ];
    const r = await cli([
      "predict",
      "--model",
      modelPath,
      "--input",
      rows.map((row) => row.join(",")).join(";"),
      "--json",
    ]);
    expect(r.code).toBe(0);
    const out = jsonLines(r.stdout);
    expect(out.map((o) => o.input)).toEqual(rows);
    out.forEach((o, i) => {
      expect(o.prediction).toBeCloseTo(forwardByHand(saved, rows[i] as number[]), 4);
    });
    const text = await cli(["predict", "--model", modelPath, "--input", "0.5,-1,2"]);
    expect(text.stdout).toMatch(/^-?[\d.]+(e[+-]\d+)?\n$/);
    expect(Number(text.stdout)).toBeCloseTo(out[0]?.prediction as number, 5);
  });

  it("reads rows from a file or stdin, with commas or spaces", async () => {
    const csv = join(dir, "rows.csv");
    writeFileSync(csv, "0.5,-1,2\r\n1 0 0\n\n");
    const fromFile = await cli(["predict", "--model", modelPath, "--input-file", csv]);
    const fromStdin = await cli(["predict", "--model", modelPath, "--input-file", "-"], "0.5 -1 2\n1,0,0\n");
    const fromFlag = await cli(["predict", "--model", modelPath, "--input", "0.5,-1,2;1,0,0"]);
    expect(fromFile.stdout.split("\n")).toHaveLength(3);
    expect(fromFile.stdout).toBe(fromFlag.stdout);
    expect(fromStdin.stdout).toBe(fromFlag.stdout);
  });

  it("a float64 model reads back exactly", async () => {
    const path64 = join(dir, "model64.json");
    expect(
      (await cli(["train", "--dtype", "float64", "--epochs", "5", "--quiet", "--save", path64])).code,
    ).toBe(0);
    const m = JSON.parse(readFileSync(path64, "utf8")) as Saved;
    expect(m.dtype).toBe("float64");
    const r = await cli(["predict", "--model", path64, "--input", "1,2,3", "--json"]);
    expect(jsonLines(r.stdout)[0]?.prediction).toBeCloseTo(forwardByHand(m, [1, 2, 3]), 10);
  });

  it("input values are checked in the model's dtype: 1e39 is beyond float32", async () => {
    const r = await cli(["predict", "--model", modelPath, "--input", "1,2,3;4,-1e39,6"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")[0]).toBe(
      "torchlet: row 2 has -1e+39, beyond the range of the model's float32",
    );
  });

  it("records a seed above 2^53 as a string of digits, which a JSON number would round", async () => {
    const path = join(dir, "big-seed.json");
    const r = await cli([
      "train",
      "--seed",
      "18446744073709551615",
      "--epochs",
      "1",
      "--quiet",
      "--save",
      path,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(path, "utf8")).training.seed).toBe("18446744073709551615");
  });

  it("rows of the wrong width are bad input", async () => {
    const r = await cli(["predict", "--model", modelPath, "--input", "1,2"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("torchlet: the model expects 3 values per row, got 2");
  });

  /** Model files that must be refused: each with the words of its message. */
  const broken = (): [string, string, string][] => {
    const good = JSON.parse(readFileSync(modelPath, "utf8"));
    const variant = (edit: (m: typeof good) => void) => {
      const m = structuredClone(good);
      edit(m);
      return JSON.stringify(m);
    };
    return [
      ["not JSON", "{ layers: ", "is not valid JSON"],
      [
        "another JSON file",
        '{"name": "package"}',
        'not a torchlet model (expected "format": "torchlet-chapter-model"',
      ],
      ["a JSON array", "[1, 2]", "not a torchlet model"],
      ["a newer version", variant((m) => (m.version = 2)), "version 2 is not supported"],
      [
        "a bad dtype",
        variant((m) => (m.dtype = "int8")),
        '"dtype" must be "float32" or "float64", got "int8"',
      ],
      ["no layers", variant((m) => (m.layers = [])), '"layers" must be a non-empty array'],
      [
        "another activation",
        variant((m) => (m.activation = "sigmoid")),
        '"activation" must be "relu", got "sigmoid"',
      ],
      ["no activation", variant((m) => delete m.activation), '"activation" is missing'],
      [
        "a value beyond float32",
        variant((m) => (m.layers[1].weight.data[5] = 1e39)),
        "layers[1].weight.data[5] is 1e+39, beyond the range of float32",
      ],
      ["a missing bias", variant((m) => delete m.layers[1].bias), "layers[1].bias must be an object"],
      [
        "a 1-D weight",
        variant((m) => (m.layers[0].weight.shape = [24])),
        "layers[0].weight.shape must be two positive integers, got [24]",
      ],
      [
        "too few values",
        variant((m) => m.layers[0].weight.data.pop()),
        "layers[0].weight.data must hold 24 numbers for shape [3, 8]",
      ],
      [
        "a string value",
        variant((m) => (m.layers[2].weight.data[1] = "x")),
        'layers[2].weight.data[1] is "x", not a finite number',
      ],
      [
        "a null (NaN) value",
        variant((m) => (m.layers[0].bias.data[0] = null)),
        "layers[0].bias.data[0] is null, not a finite number",
      ],
      [
        "a mixed dtype",
        variant((m) => (m.layers[1].weight.dtype = "float64")),
        'layers[1].weight.dtype is "float64" but the model is float32',
      ],
      [
        "layers that do not chain",
        variant((m) => m.layers.splice(1, 1)),
        "layers[1].weight has 4 rows but layers[0] has 8 outputs",
      ],
      [
        "a bias of the wrong width",
        variant((m) => (m.layers[0].bias = { ...m.layers[1].bias })),
        "layers[0].bias has shape [1, 4], expected [1, 8]",
      ],
      [
        "two outputs",
        variant((m) => m.layers.pop()),
        "the last layer has 4 outputs; the chapter's network predicts 1",
      ],
    ];
  };

  it("refuses unreadable and malformed model files with one line naming the problem, exit code 2", async () => {
    const missing = await cli(["predict", "--model", join(dir, "nope.json"), "--input", "1,2,3"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toBe(
      `torchlet: cannot read model file ${join(dir, "nope.json")}: no such file`,
    );
    const folder = await cli(["predict", "--model", dir, "--input", "1,2,3"]);
    expect(folder.code).toBe(2);
    expect(folder.stderr.split("\n")[0]).toBe(`torchlet: cannot read model file ${dir}: it is a folder`);
    await Promise.all(
      broken().map(async ([what, content, message]) => {
        const path = join(dir, `${what.replace(/\W+/g, "-")}.json`);
        writeFileSync(path, content);
        const r = await cli(["predict", "--model", path, "--input", "1,2,3"]);
        expect(r.code, what).toBe(2);
        expect(r.stdout, what).toBe("");
        const first = r.stderr.split("\n")[0];
        expect(first, what).toContain(message);
        expect(first?.startsWith(`torchlet: model file ${path}`), what).toBe(true);
        expect(r.stderr, what).toContain('Run "torchlet predict --help" for details.');
        expect(r.stderr, what).not.toMatch(STACK);
      }),
    );
  });
});

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { cli, jsonLines } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "torchlet-cli-pt-"));
const fixtures = join(__dirname, "..", "fixtures");
const python = "/usr/bin/python3";
const hasTorch = existsSync(python) && spawnSync(python, ["-c", "import torch"]).status === 0;

const predictions = (stdout: string) => jsonLines(stdout).map((l) => l.prediction as number);

describe("models in PyTorch's formats", () => {
  it("predict reads a state dict saved by PyTorch's torch.save and prints PyTorch's predictions", async () => {
    const expected = JSON.parse(readFileSync(join(fixtures, "pytorch-model.json"), "utf8"));
    const input = (expected.rows as number[][]).map((r) => r.join(",")).join(";");
    const r = await cli([
      "predict",
      "--model",
      join(fixtures, "pytorch-model.pt"),
      "--input",
      input,
      "--json",
    ]);
    expect(r.code).toBe(0);
    predictions(r.stdout).forEach((p, i) => {
      expect(p).toBeCloseTo(expected.predictions[i] as number, 5);
    });
  });

  it("train --save FILE.pt / FILE.safetensors write state dicts that predict reads as it reads the JSON model", async () => {
    const paths = ["m.json", "m.pt", "m.safetensors"].map((f) => join(dir, f));
    for (const path of paths) {
      const r = await cli(["train", "--hidden", "8,4", "--epochs", "20", "--quiet", "--save", path]);
      expect(r.code).toBe(0);
    }
    const sd = torch.load(paths[1] as string) as Record<string, torch.Tensor>;
    expect(Object.keys(sd)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]);
    expect(sd["0.weight"]?.shape).toEqual([8, 3]);
    expect(sd["4.bias"]?.shape).toEqual([1]);
    const outputs = [];
    for (const path of paths) {
      const r = await cli(["predict", "--model", path, "--input", "0.5,-1,2;1,0,0", "--json"]);
      expect(r.code).toBe(0);
      outputs.push(predictions(r.stdout));
    }
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[2]).toEqual(outputs[0]);
  });

  it.runIf(hasTorch)(
    "a model trained by torchlet loads in PyTorch's nn.Sequential and predicts the same",
    { timeout: 60_000 },
    async () => {
      const path = join(dir, "round-trip.pt");
      expect((await cli(["train", "--hidden", "16", "--epochs", "20", "--quiet", "--save", path])).code).toBe(
        0,
      );
      const script = [
        "import sys, torch",
        "m = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))",
        "m.load_state_dict(torch.load(sys.argv[1]))",
        "print(m(torch.tensor([[0.5, -1.0, 2.0]])).item())",
      ].join("\n");
      const py = spawnSync(python, ["-c", script, path], { encoding: "utf8" });
      expect(py.stderr).toBe("");
      const r = await cli(["predict", "--model", path, "--input", "0.5,-1,2", "--json"]);
      expect(predictions(r.stdout)[0]).toBeCloseTo(Number(py.stdout), 5);
    },
  );

  it.each([
    [{ "0.weight": torch.ones([1, 3]) }, /layer 0 needs both "0.weight" and "0.bias"/],
    [{ "1.weight": torch.ones([1, 3]), "1.bias": torch.ones([1]) }, /Linear layers sit at 0, 2, 4/],
    [{ "0.weight": torch.ones([2, 3]), "0.bias": torch.ones([2]) }, /the last layer has 2 outputs/],
    [
      { "0.weight": torch.ones([1, 3], { dtype: "int32" }), "0.bias": torch.ones([1]) },
      /is int32, not float32 or float64/,
    ],
    [{ "fc.weight": torch.ones([1, 3]) }, /key "fc.weight" is not a layer of nn.Sequential/],
    [[torch.ones([1])], /holds no state dict/],
  ])("a state dict predict cannot run is refused with exit 2 (%#)", async (dict, message) => {
    const path = join(dir, "bad.pt");
    writeFileSync(path, torch.save(dict as torch.Saveable));
    const r = await cli(["predict", "--model", path, "--input", "1,2,3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("a damaged .pt file is a clear error with exit 2", async () => {
    const path = join(dir, "damaged.pt");
    const bytes = readFileSync(join(fixtures, "pytorch-model.pt"));
    writeFileSync(path, bytes.subarray(0, bytes.length - 40));
    const r = await cli(["predict", "--model", path, "--input", "1,2,3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model file .*damaged.pt: load: not a valid zip archive/);
    expect(r.stderr).not.toMatch(/at .*\.js:/);
  });
});

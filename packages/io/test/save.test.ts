import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Tensor, tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { afterAll, describe, expect, it } from "vitest";
import { load, type Saveable, save } from "../src/index.js";
import { expectDescribed } from "./fixtures.js";
import { describeSaveable, goldenObjects } from "./golden-objects.js";

describe("save writes PyTorch's zip format", () => {
  const objects = goldenObjects();

  it("round-trips every golden object through load with keys, dtypes, layouts and shared storages", () => {
    for (const obj of Object.values(objects)) expectDescribed(load(save(obj)), describeSaveable(obj));
  });

  const python = "/usr/bin/python3";
  const hasTorch = existsSync(python) && spawnSync(python, ["-c", "import torch"]).status === 0;
  it.runIf(hasTorch)(
    "is read back by Python's torch.load into the same model (where python3-torch exists)",
    { timeout: 60_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), "torchlet-io-"));
      try {
        const script = [
          "import sys, torch",
          "sd = torch.load(sys.argv[1])",
          "m = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))",
          "m.load_state_dict(sd)",
          "print(m(torch.ones(1, 3)).item())",
        ].join("\n");
        const path = join(dir, "model.pt");
        const sd = objects["state_dict.pt"] as Record<string, Tensor>;
        save(sd, path);
        const r = spawnSync(python, ["-c", script, path], { encoding: "utf8" });
        expect(r.stderr).toBe("");
        const x = tensor([[1, 1, 1]]);
        const expected = x
          .mm((sd["0.weight"] as Tensor).t())
          .add(sd["0.bias"] as Tensor)
          .relu()
          .mm((sd["2.weight"] as Tensor).t())
          .add(sd["2.bias"] as Tensor)
          .item();
        expect(Number(r.stdout)).toBeCloseTo(Number(expected), 6);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("save refuses what PyTorch's format cannot hold, before writing anything", () => {
  const dir = mkdtempSync(join(tmpdir(), "torchlet-save-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [{ f: () => 1 }, /obj\["f"\] is function/],
    [{ u: undefined }, /obj\["u"\] is undefined/],
    [[new Date(0)], /obj\[0\] is Date/],
    [{ s: Symbol("x") }, /is symbol/],
  ])("%o", (obj, message) => {
    expect(() => save(obj as unknown as Saveable)).toThrowError(TorchletError);
    expect(() => save(obj as unknown as Saveable)).toThrowError(message);
  });

  it("refuses a cycle", () => {
    const a: Saveable[] = [];
    a.push(a);
    expect(() => save(a)).toThrowError(/contains itself/);
  });

  it("writes a path through a temporary file: a failed save leaves the old file and no temporary", () => {
    const path = join(dir, "model.pt");
    save({ w: tensor([1]) }, path);
    const before = readFileSync(path);
    expect(() => save({ w: tensor([2]), bad: (() => 0) as never }, path)).toThrowError(TorchletError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["model.pt"]);
  });

  it("names the path when the write itself fails, and leaves no temporary behind", () => {
    const blocked = join(dir, "sub");
    mkdirSync(join(blocked, "model.pt"), { recursive: true }); // a directory where the file should go
    expect(() => save({ w: tensor([1]) }, join(blocked, "model.pt"))).toThrowError(
      /save: cannot write .*sub\/model.pt/,
    );
    expect(readdirSync(blocked)).toEqual(["model.pt"]);
    expect(() => save({ w: tensor([1]) }, "/proc/torchlet/model.pt")).toThrowError(TorchletError);
  });
});

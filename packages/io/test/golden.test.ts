import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { safetensors, save } from "../src/index.js";
import { FIXTURES } from "./fixtures.js";
import { describeSaveable, goldenObjects, goldenSafetensors } from "./golden-objects.js";

const GOLDEN = join(FIXTURES, "golden");

// The committed golden files are what PyTorch (and Python's safetensors) read back: gen_io.py checks
// them against golden.json. Their bytes must not drift; UPDATE_GOLDEN=1 rewrites them after a
// deliberate format change (then rerun gen_io.py).
describe("the files torchlet writes are byte-stable", () => {
  const files: Record<string, () => Uint8Array> = {};
  const described: Record<string, unknown> = {};
  for (const [name, obj] of Object.entries(goldenObjects())) {
    files[name] = () => save(obj);
    described[name] = describeSaveable(obj);
  }
  const tensors = goldenSafetensors();
  files["tensors.safetensors"] = () => safetensors.save(tensors, { format: "pt" });
  // safetensors stores values row-major: what Python reads is the contiguous form.
  described["tensors.safetensors"] = describeSaveable(
    Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.contiguous()])),
  );

  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    for (const [name, write] of Object.entries(files)) writeFileSync(join(GOLDEN, name), write());
    writeFileSync(join(GOLDEN, "golden.json"), `${JSON.stringify(described, null, 1)}\n`);
  }

  it("golden.json describes the golden objects", () => {
    expect(JSON.parse(readFileSync(join(GOLDEN, "golden.json"), "utf8"))).toEqual(
      JSON.parse(JSON.stringify(described)),
    );
  });
  for (const [name, write] of Object.entries(files)) {
    it(name, () => {
      expect(Buffer.from(write()).equals(readFileSync(join(GOLDEN, name)))).toBe(true);
    });
  }
});

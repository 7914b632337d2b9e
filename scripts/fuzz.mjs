#!/usr/bin/env node
// `pnpm fuzz --seed 7 --count 10000`: writes a fresh corpus of random programs with PyTorch as the
// oracle (packages/torchlet/fixtures/fuzz/gen_fuzz.py, needs python3-torch: /usr/bin/python3 unless
// PYTHON says otherwise), then replays it through torchlet (packages/torchlet/test/fuzz.test.ts) and
// reports the mismatch classes. `--keep FILE` keeps the corpus; without --seed, a random seed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bootstrap, root, run } from "./bootstrap.mjs";

const { values } = parseArgs({
  options: { seed: { type: "string" }, count: { type: "string", default: "2000" }, keep: { type: "string" } },
});
const seed = values.seed ?? String(Math.floor(Math.random() * 1e9));
for (const [name, value] of [
  ["seed", seed],
  ["count", values.count],
]) {
  if (!/^\d+$/.test(value)) {
    console.error(`fuzz: --${name} must be a non-negative integer, got ${value}`);
    process.exit(2);
  }
}

const env = bootstrap();
const dir = values.keep ? null : mkdtempSync(join(tmpdir(), "torchlet-fuzz-"));
const corpus = values.keep ?? join(dir, "corpus.json");
const generator = join(root, "packages/torchlet/fixtures/fuzz/gen_fuzz.py");
console.log(`fuzz: writing ${values.count} programs with seed ${seed} to ${corpus}`);
let status = run(env, process.env.PYTHON ?? "/usr/bin/python3", [
  generator,
  "--seed",
  seed,
  "--count",
  values.count,
  "--out",
  corpus,
]);
if (status === 0) {
  status = run({ ...env, FUZZ_CORPUS: corpus }, "vitest", [
    "run",
    "packages/torchlet/test/fuzz.test.ts",
    "--reporter=default",
  ]);
}
if (dir) rmSync(dir, { recursive: true, force: true });
process.exit(status);

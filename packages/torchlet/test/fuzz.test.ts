import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { EXPLAINED, type Explanation } from "./fuzz-explained.js";
import { type Corpus, type Mismatch, type Program, replay } from "./fuzz-replay.js";

// The differential fuzzer's replayer: every program of a corpus written by fixtures/fuzz/gen_fuzz.py
// (PyTorch 1.13 as the oracle) runs through the public API; values, dtypes, shapes, requiresGrad,
// gradients and "both raise" must agree, or the mismatch must belong to one of the explained classes
// in fuzz-explained.ts. CI replays the committed corpus; `pnpm fuzz --seed S --count N` writes a fresh
// one and points FUZZ_CORPUS at it.

const fresh = process.env.FUZZ_CORPUS;
const corpus = JSON.parse(
  readFileSync(fresh ?? new URL("../fixtures/fuzz/corpus.json", import.meta.url), "utf8"),
) as Corpus;

describe(`fuzz corpus ${fresh ?? "fixtures/fuzz/corpus.json"} (seed ${corpus.seed}, ${corpus.programs.length} programs)`, () => {
  const counts = new Map<Explanation, number>(EXPLAINED.map((e) => [e, 0]));
  const unexplained: Mismatch[] = [];

  beforeAll(() => {
    const started = performance.now();
    corpus.programs.forEach((program, i) => {
      const m = replay(program, i);
      if (m === null) return;
      const explanation = EXPLAINED.find((e) => e.matches(m));
      if (explanation) counts.set(explanation, (counts.get(explanation) ?? 0) + 1);
      else unexplained.push(m);
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const rows = [...counts].map(([e, n]) => `  ${String(n).padStart(5)}  ${e.id} (${e.issue})`);
    console.log(
      `replayed ${corpus.programs.length} programs in ${seconds} s; explained mismatches by class:\n${rows.join("\n")}\n  ${String(unexplained.length).padStart(5)}  unexplained`,
    );
  }, 600_000); // a fresh corpus of 10,000 programs takes about ten seconds

  it("has no unexplained mismatch", () => {
    const shown = unexplained.slice(0, 10).map((m) => {
      const where = m.at >= 0 ? `step ${m.at} (${m.op})` : `backward call ${-1 - m.at}`;
      return `program ${m.program}, ${where}: ${m.kind}: ${m.detail}\n  ${JSON.stringify(corpus.programs[m.program])}`;
    });
    expect(unexplained.length, `unexplained mismatches:\n${shown.join("\n")}`).toBe(0);
  });
});

// Each explained class has a witness: a small program (WITNESSES in gen_fuzz.py) that shows it. When
// a fix lands, its witness agrees with PyTorch and this test fails: delete the class from
// fuzz-explained.ts, its witness and its line in FEATURES.md.
const witnesses = JSON.parse(
  readFileSync(new URL("../fixtures/fuzz/witnesses.json", import.meta.url), "utf8"),
) as Record<string, Program>;

describe("each explained mismatch class still occurs (its witness program shows it)", () => {
  it("every class has a witness and every witness a class", () => {
    expect(Object.keys(witnesses).sort()).toEqual(EXPLAINED.map((e) => e.id).sort());
  });
  it.each(EXPLAINED.map((e) => [e.id, e] as const))("%s", (id, e) => {
    const m = replay(witnesses[id] as Program, 0);
    expect(
      m,
      `${id} (${e.issue}) is fixed: delete it from fuzz-explained.ts and FEATURES.md, move its witness to gen_fuzz.py's REGRESSIONS`,
    ).not.toBeNull();
    const explanation = EXPLAINED.find((x) => x.matches(m as Mismatch));
    expect(explanation?.id, (m as Mismatch).detail).toBe(id);
  });
});

// The classes that were fixed keep their programs as regression tests (REGRESSIONS in gen_fuzz.py):
// each must agree with PyTorch throughout.
const regressions = JSON.parse(
  readFileSync(new URL("../fixtures/fuzz/regressions.json", import.meta.url), "utf8"),
) as Record<string, Program>;

describe("each fixed class agrees with PyTorch (its regression program)", () => {
  it.each(Object.entries(regressions))("%s", (_, program) => {
    const m = replay(program, 0);
    expect(m && `step ${m.at} (${m.op}): ${m.kind}: ${m.detail}`).toBeNull();
  });
});

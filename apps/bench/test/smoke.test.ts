import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import type { InProcessPeer } from "../src/peer.js";
import { warmUpTraining } from "../src/run.js";
import { allCases, makeData } from "../src/workloads.js";

/** Runs the CLI in-process and returns what it printed. */
async function bench(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

/** The rows of the first markdown table in `text`, split into trimmed cells. */
function firstTable(text: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (let i = start; i >= 0 && i < lines.length && lines[i]?.startsWith("|"); i++) {
    rows.push(
      (lines[i] as string)
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe("pnpm bench --quick (torchlet only)", () => {
  it("times W1 and W5 and prints a table of positive medians", async () => {
    const { code, out } = await bench(["--only", "W1,W5", "--peers", "torchlet", "--quick"]);
    expect(code).toBe(0);
    const [header, rule, ...rows] = firstTable(out);
    expect(header).toEqual(["case", "unit", "torchlet"]);
    expect(rule).toEqual(["---", "---", "---:"]);
    expect(rows.map((r) => r[0])).toEqual([
      "W1 train n=100 3-32-1",
      "W5 1e4 adds, grad",
      "W5 1e4 adds, no grad",
    ]);
    expect(rows.map((r) => r[1])).toEqual(["µs/epoch", "µs/op", "µs/op"]);
    for (const row of rows) expect(Number.parseFloat(row[2] ?? "")).toBeGreaterThan(0);
  });

  it("times W6 (logSoftmax + gather + mean, forward and backward) and prints its row in µs/step", async () => {
    const { code, out } = await bench(["--only", "W6", "--peers", "torchlet", "--quick", "--json"]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as {
      cases: { id: string; unit: string; results: { torchlet: { value: number } } }[];
    };
    expect(doc.cases.map((c) => [c.id, c.unit])).toEqual([
      ["W6 logSoftmax+gather+mean [8192,10]", "µs/step"],
    ]);
    expect(doc.cases[0]?.results.torchlet.value).toBeGreaterThan(0);
  });

  it("prints one JSON document with --json", async () => {
    const { code, out } = await bench(["--only", "W5", "--peers", "torchlet", "--quick", "--json"]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as {
      cases: { id: string; unit: string; results: { torchlet: { value: number } } }[];
    };
    expect(doc.cases.map((c) => c.id)).toEqual(["W5 1e4 adds, grad", "W5 1e4 adds, no grad"]);
    for (const c of doc.cases) expect(c.results.torchlet.value).toBeGreaterThan(0);
  });

  it("times a digits MLP epoch on torchlet and tfjs-wasm, which start from the same loss", async () => {
    const { code, out } = await bench(["--only", "D1", "--peers", "torchlet,tfjs-wasm", "--quick", "--json"]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as {
      cases: { id: string; results: Record<string, { value: number; firstValue: number }> }[];
    };
    const [d1] = doc.cases;
    expect(d1?.id).toBe("D1 digits MLP epoch");
    const { torchlet, "tfjs-wasm": tfjs } = d1?.results ?? {};
    expect(torchlet?.value).toBeGreaterThan(0);
    expect(tfjs?.value).toBeGreaterThan(0);
    // The first epoch's mean cross entropy: the same model, weights, batches and Adam in both.
    expect(Math.abs((tfjs?.firstValue ?? 0) / (torchlet?.firstValue ?? 0) - 1)).toBeLessThan(1e-3);
  }, 300_000);

  it("rejects unknown workloads and peers with exit code 2", async () => {
    expect((await bench(["--only", "D1", "--browser"])).code).toBe(2);
    expect((await bench(["--only", "W9"])).code).toBe(2);
    expect((await bench(["--peers", "numpy"])).code).toBe(2);
    expect((await bench(["--help"])).out).toContain("--only");
  });
});

describe("warmUpTraining", () => {
  it("runs whole untimed trainings on freshly prepared tasks and frees them (one at least)", async () => {
    const events: string[] = [];
    const peer: InProcessPeer = {
      kind: "in-process",
      id: "torchlet",
      init: async () => undefined,
      prepare: () => ({ run: () => void events.push("run"), dispose: () => void events.push("dispose") }),
    };
    const w1 = allCases().find((c) => c.workload === "W1");
    if (w1?.kind !== "train") throw new Error("W1 is a training case");
    await warmUpTraining(peer, w1, await makeData(w1), 0);
    expect(events).toEqual([...Array.from({ length: w1.epochs }, () => "run"), "dispose"]);
  });
});

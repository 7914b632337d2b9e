import { describe, expect, it } from "vitest";
import {
  parseFlags,
  parseNumberRows,
  positiveIntList,
  positiveNumber,
  text,
  toggle,
  UsageError,
} from "../src/args.js";
import { exactNumber, formatR } from "../src/format-number.js";
import { LossCurve, plotLoss } from "../src/plot.js";
import { formatSeconds, ProgressBar, wantsProgress } from "../src/progress.js";

describe("number formatting", () => {
  it("formatR prints as R does with 7 significant digits", () => {
    expect(
      [112.53382110595703, 90.58169555664062, 25.331396102905273, 1e-5, 0, Number.NaN].map((x) => formatR(x)),
    ).toEqual(["112.5338", "90.5817", "25.3314", "1e-05", "0", "NaN"]);
  });

  it("exactNumber gives the shortest decimal that reads back as the same float32", () => {
    const loss = Math.fround(20.040578842163086);
    const short = exactNumber(loss, "float32");
    expect(Math.fround(short)).toBe(loss);
    expect(String(short).replace(/\D/g, "").length).toBeLessThanOrEqual(9);
    expect(exactNumber(0.1, "float64")).toBe(0.1);
    for (let i = 0; i < 1000; i++) {
      const x = Math.fround((Math.random() - 0.5) * 10 ** (Math.random() * 20 - 10));
      expect(Math.fround(exactNumber(x, "float32"))).toBe(x);
    }
  });
});

describe("flag parsing", () => {
  const spec = { lr: positiveNumber("lr", 1), hidden: positiveIntList("hidden", [32]) };
  it("accepts --flag value and --flag=value, kebab-case to camelCase", () => {
    expect(parseFlags(["--lr", "0.5", "--hidden=4,2"], spec)).toEqual({ lr: 0.5, hidden: [4, 2] });
    expect(parseFlags([], spec)).toEqual({ lr: 1, hidden: [32] });
  });
  const full = { ...spec, logEvery: positiveNumber("every", 10), json: toggle("json"), save: text("save") };
  it.each([
    [["extra"], 'unexpected argument "extra"'],
    [[""], 'unexpected argument ""'],
    [["-"], 'unexpected argument "-"'],
    [["-x"], 'unexpected argument "-x"'],
    [["-ab"], 'unexpected argument "-ab"'],
    [["-n5"], 'unexpected argument "-n5"'],
    [["--json", "x"], 'unexpected argument "x"'],
    [["extra", "--bogus"], 'unexpected argument "extra"'],
    [["--"], "unknown option --"],
    [["--bogus", "5"], "unknown option --bogus"],
    [["--bogus=5"], "unknown option --bogus"],
    [["---lr"], "unknown option ---lr"],
    // Options are spelled in kebab-case only.
    [["--logEvery", "2"], "unknown option --logEvery"],
    [["--lr"], "option --lr needs a value (X)"],
    [["--lr", "--json"], "option --lr needs a value (X)"],
    [["--json=yes"], "option --json takes no value"],
    [["--json="], "option --json takes no value"],
    [["--lr", "1", "--lr", "1"], "option --lr is given more than once"],
    [["--json", "--json"], "option --json is given more than once"],
    [["--lr="], '--lr expects a positive finite number, got ""'],
    [["--lr", "-1"], '--lr expects a positive finite number, got "-1"'],
    [["--save="], "--save expects FILE, got an empty string"],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => parseFlags(argv, full)).toThrow(new UsageError(message));
  });
  it("values may start with one dash; kebab-case names; --name=value keeps what follows the first =", () => {
    expect(parseFlags(["--save", "-", "--log-every=2", "--json"], full)).toMatchObject({
      save: "-",
      logEvery: 2,
      json: true,
    });
    expect(parseFlags(["--save=a=b"], full)).toMatchObject({ save: "a=b" });
  });
  it.each(["0x10", "", " ", "1/2", "Infinity", "-1", "0"])("a learning rate of %j is refused", (raw) => {
    expect(() => parseFlags([`--lr=${raw}`], spec)).toThrow(UsageError);
  });
  it("number rows: commas or spaces, semicolons or newlines, one width", () => {
    expect(parseNumberRows("1,2;3 4\n 5, 6 \n", "--input")).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(() => parseNumberRows("1,2;3", "--input")).toThrow("row 2 has 1 values but row 1 has 2");
  });
});

describe("progress bar", () => {
  const fakeStream = () => {
    const chunks: string[] = [];
    return { chunks, stream: { columns: 80, write: (s: string) => chunks.push(s) } };
  };

  it("is drawn only for a person at a terminal", () => {
    expect(wantsProgress({ json: false, quiet: false }, true, true)).toBe(true);
    expect(wantsProgress({ json: false, quiet: false }, false, true)).toBe(false);
    expect(wantsProgress({ json: false, quiet: false }, true, false)).toBe(false);
    expect(wantsProgress({ json: true, quiet: false }, true, true)).toBe(false);
    expect(wantsProgress({ json: false, quiet: true }, true, true)).toBe(false);
  });

  it("waits before its first draw, throttles redraws, and clears itself", () => {
    let now = 0;
    const { chunks, stream } = fakeStream();
    const bar = new ProgressBar(stream, { total: 200, delayMs: 500, intervalMs: 100, now: () => now });
    now = 100;
    bar.update(10, 50);
    expect(chunks).toEqual([]); // a short run never sees a bar
    now = 600;
    bar.update(120, 38.55568);
    now = 650;
    bar.update(121, 38.5);
    expect(chunks).toHaveLength(1); // the second update came too soon
    const ESC = String.fromCharCode(27);
    expect(chunks[0]?.startsWith("\r[")).toBe(true);
    expect(chunks[0]?.endsWith(`]  120/200  60%  Loss: 38.55568    0.40 s left${ESC}[K`)).toBe(true);
    bar.clear();
    expect(chunks[1]).toBe("\r\x1b[K");
    bar.clear();
    expect(chunks).toHaveLength(2); // nothing to clear
  });

  it("fits a narrow terminal", () => {
    const bar = new ProgressBar({ columns: 30, write: () => true }, { total: 10 });
    expect(bar.render(5, 1, 1000).length).toBeLessThanOrEqual(29);
  });

  it("formats seconds for people", () => {
    expect([0.423, 3.21, 42.4, 59.7, 200].map(formatSeconds)).toEqual([
      "0.42 s",
      "3.2 s",
      "42 s",
      "1 min 0 s",
      "3 min 20 s",
    ]);
  });
});

describe("loss plot", () => {
  it("runs from the top left to the bottom right for a falling loss", () => {
    const losses = Array.from({ length: 200 }, (_, i) => 100 - i * 0.4);
    const lines = plotLoss(losses, { width: 40, height: 10 }).trimEnd().split("\n");
    expect(lines[0]).toBe("Loss by epoch");
    expect(lines[1]).toMatch(/^ +100 \|\*/);
    expect(lines[10]).toMatch(/^ *20\.4 \|\s+\*+$/);
    expect(lines[11]).toMatch(/^ +\+-{40}$/);
    expect(lines[12]).toMatch(/^\s+1\s+200$/);
    // Connected: every column has at least one point.
    const columns = lines.slice(1, 11).map((l) => l.slice(l.indexOf("|") + 1).padEnd(40));
    for (let c = 0; c < 40; c++) expect(columns.some((row) => row[c] === "*")).toBe(true);
  });

  it("switches to a log scale when the loss falls by orders of magnitude", () => {
    const losses = Array.from({ length: 100 }, (_, i) => 1000 * 0.9 ** i);
    expect(plotLoss(losses).split("\n")[0]).toBe("Loss by epoch (log scale)");
  });

  it("handles one epoch and a flat loss", () => {
    expect(plotLoss([5])).toContain("5 |*");
    expect(plotLoss([2, 2, 2, 2])).toContain("2 |****");
  });

  it("labels the x axis of one or two epochs as 1 and 1 2", () => {
    expect(plotLoss([5]).trimEnd().split("\n").at(-1)).toBe("   1");
    expect(plotLoss([3, 2]).trimEnd().split("\n").at(-1)).toBe("       1 2");
    expect(plotLoss([3, 2, 1], { width: 2 }).trimEnd().split("\n").at(-1)).toBe("       1 3");
  });

  it("downsampled as the losses come, each column spans its epochs' lowest to highest loss", () => {
    const losses = Array.from({ length: 12345 }, (_, i) => 50 + 40 * Math.cos(i / 700) + ((i * 7919) % 13));
    const curve = new LossCurve(losses.length, 40);
    for (const loss of losses) curve.add(loss);
    // Each column drawn from its epochs' lowest, highest and last loss: column 0 spans epochs 1-308.
    const first = losses.slice(0, 308);
    const column = curve
      .draw(10)
      .split("\n")
      .slice(1, 11)
      .map((line) => line[line.indexOf("|") + 1]);
    const rowOf = (v: number) =>
      Math.round(((Math.max(...losses) - v) / (Math.max(...losses) - Math.min(...losses))) * 9);
    expect(column.indexOf("*")).toBe(rowOf(Math.max(...first)));
    expect(column.lastIndexOf("*")).toBe(rowOf(Math.min(...first)));
  });
});

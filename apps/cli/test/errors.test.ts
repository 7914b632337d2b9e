import { describe, expect, it } from "vitest";
import { cli, STACK } from "./cli.js";

/** Each bad command line, and the words its one-line message must contain. */
const USAGE_ERRORS: [string[], string][] = [
  [["train", "--bogus"], "unknown option --bogus"],
  [["train", "extra"], 'unexpected argument "extra"'],
  [["train", "--epochs"], "option --epochs needs a value"],
  [["train", "--epochs", "--json"], "option --epochs needs a value"],
  [["train", "--json=yes"], "option --json takes no value"],
  [["train", "--seed", "-1"], '--seed expects a non-negative integer, got "-1"'],
  [["train", "--seed", "4.5"], '--seed expects a non-negative integer, got "4.5"'],
  [
    ["train", "--seed", "18446744073709551616"],
    '--seed is at most 18446744073709551615 (2^64 - 1), got "18446744073709551616"',
  ],
  [["train", "--lr", "0.1", "--lr=0.2"], "option --lr is given more than once"],
  [["train", "--json", "--quiet", "--json"], "option --json is given more than once"],
  [["graph", "--hidden", "8", "--hidden", "4"], "option --hidden is given more than once"],
  [["train", "--n", "0"], '--n expects a positive integer, got "0"'],
  [["train", "--n", "-5"], '--n expects a positive integer, got "-5"'],
  [["train", "--n", "ten"], '--n expects a positive integer, got "ten"'],
  [["train", "--n", "100000000"], "x would be 100000000x3"],
  [["train", "--features", "0"], '--features expects a positive integer, got "0"'],
  [["train", "--features", "2.5"], '--features expects a positive integer, got "2.5"'],
  [["train", "--hidden", "0"], '--hidden expects a comma-separated list of positive integers, got "0"'],
  [["train", "--hidden", "32,,16"], 'got "32,,16"'],
  [["train", "--hidden", "32,x"], 'got "32,x"'],
  [["train", "--hidden", "100000,100000"], "weight matrix 2 would be 100000x100000"],
  [
    ["train", "--n", "1000000", "--features", "32", "--hidden", "32,32,32,32", "--epochs", "1"],
    "the run would need about 2.4 GiB of memory (1000000 rows of 32 features, hidden layers 32,32,32,32, float32); the limit is 1 GiB",
  ],
  [["train", "--epochs", "0"], '--epochs expects a positive integer, got "0"'],
  [["train", "--epochs", "1e3"], '--epochs expects a positive integer, got "1e3"'],
  [["train", "--lr", "0"], '--lr expects a positive finite number, got "0"'],
  [["train", "--lr", "-0.1"], '--lr expects a positive finite number, got "-0.1"'],
  [["train", "--lr", "abc"], '--lr expects a positive finite number, got "abc"'],
  [["train", "--lr", "Infinity"], '--lr expects a positive finite number, got "Infinity"'],
  [["train", "--lr", "NaN"], '--lr expects a positive finite number, got "NaN"'],
  [["train", "--lr", "1e999"], '--lr expects a positive finite number, got "1e999"'],
  [["train", "--lr="], '--lr expects a positive finite number, got ""'],
  [["train", "--log-every", "0"], '--log-every expects a positive integer, got "0"'],
  [["train", "--dataset", "mnist"], '--dataset expects one of linear, sine, cubic, got "mnist"'],
  [["train", "--dataset", "sine", "--features", "3"], "--dataset sine has 1 feature, got --features 3"],
  [["train", "--dtype", "float16"], '--dtype expects one of float32, float64, got "float16"'],
  [["train", "--json", "--plot"], "--plot draws on stdout, which --json keeps for JSON lines"],
  [["train", "--save", "/no/such/folder/model.json"], "--save: the folder /no/such/folder does not exist"],
  [["train", "--save", "."], "--save: . is a folder"],
  [["train", "--save="], "--save expects FILE, got an empty string"],
  // Checked before training by creating the file the save will write: /proc takes no new files.
  [["train", "--save", "/proc/model.json"], "--save: cannot write /proc/model.json: "],
  [["train", "--save", "/dev/full"], "--save: /dev/full is not a regular file"],
  [["graph", "--hidden", "-3"], '--hidden expects a comma-separated list of positive integers, got "-3"'],
  [["graph", "--epochs", "3"], "unknown option --epochs"],
  [["predict", "--input", "1,2,3"], "--model FILE is required"],
  [["predict", "--model", "m.json"], "give the rows with exactly one of --input and --input-file"],
  [
    ["predict", "--model", "m.json", "--input", "1,2", "--input-file", "x.csv"],
    "exactly one of --input and --input-file",
  ],
  [
    ["predict", "--model", "m.json", "--input", "1,abc"],
    '--input expects finite numbers, but row 1 has "abc"',
  ],
  [["predict", "--model", "m.json", "--input", "1,2;3"], "--input: row 2 has 1 values but row 1 has 2"],
  [["predict", "--model", "m.json", "--input", ";"], "--input expects rows of numbers"],
  [["predict", "--model", "m.json", "--input", "1,,3"], '--input: row 1 has an empty value: "1,,3"'],
  [["predict", "--model", "m.json", "--input", "1,2;3,4,"], '--input: row 2 has an empty value: "3,4,"'],
  [
    ["predict", "--model", "m.json", "--input", "1", "--json", "--input", "2"],
    "option --input is given more than once",
  ],
  [["frobnicate"], 'unknown command "frobnicate" (the commands are train, predict, graph, digits)'],
];

describe("bad input: one line on stderr, a usage hint, exit code 2", () => {
  it.concurrent.each(USAGE_ERRORS.map(([args, message]) => [args.join(" "), args, message] as const))(
    "torchlet %s",
    async (_, args, message) => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      // The problem in the first line, then the usage (one or two lines), then where to read more.
      const lines = r.stderr.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^torchlet: /);
      expect(lines[0]).toContain(message);
      expect(lines[1]).toMatch(/^usage: torchlet /);
      expect(lines.at(-1)).toMatch(/^Run "torchlet (\w+ )?--help" for details\.$/);
      expect(lines.length).toBeLessThanOrEqual(4);
      expect(r.stderr).not.toMatch(STACK);
    },
  );

  it("no command at all prints the program's help on stderr", async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("usage: torchlet <command> [options]");
  });
});

describe("a diverging run: a clear message and exit code 1", () => {
  it.concurrent.each([
    ["1e10", "Inf"],
    ["1e30", "Inf|NaN"],
  ])("--lr %s", async (lr, loss) => {
    const r = await cli(["train", "--lr", lr]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^torchlet: the loss became (${loss}) at epoch \\d+: the run diverged; try a smaller --lr`),
    );
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(STACK);
  });

  it("--json keeps stdout JSON-only and says nothing of a summary", async () => {
    const r = await cli(["train", "--lr", "1e10", "--json", "--log-every", "1"]);
    expect(r.code).toBe(1);
    for (const line of r.stdout.trimEnd().split("\n")) expect(JSON.parse(line)).toHaveProperty("epoch");
    expect(r.stderr).toMatch(/^torchlet: the loss became Inf/);
  });

  it("--save writes nothing when the run diverges, and leaves no temporary file", async () => {
    const { mkdtempSync, readdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "torchlet-"));
    const r = await cli(["train", "--lr", "1e10", "--save", join(dir, "model.json")]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});

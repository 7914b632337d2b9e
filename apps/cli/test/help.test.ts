import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli } from "./cli.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

describe("--help and --version", () => {
  it.concurrent.each([["--help"], ["-h"], ["help"]])(
    "torchlet %s lists the commands on stdout",
    async (flag) => {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain("usage: torchlet <command> [options]");
      for (const command of ["train", "predict", "graph"])
        expect(r.stdout).toMatch(new RegExp(`^ {2}${command} `, "m"));
      expect(r.stdout).toContain("Exit codes:");
    },
  );

  it.concurrent.each([["--version"], ["-v"]])("torchlet %s prints the package version", async (flag) => {
    const r = await cli([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`torchlet ${pkg.version}\n`);
  });

  const OPTIONS: Record<string, string[]> = {
    train: [
      "--seed",
      "--dataset",
      "--n",
      "--features",
      "--hidden",
      "--dtype",
      "--epochs",
      "--lr",
      "--log-every",
      "--json",
      "--plot",
      "--save",
      "--quiet",
    ],
    predict: ["--model", "--input", "--input-file", "--json"],
    graph: ["--seed", "--dataset", "--n", "--features", "--hidden", "--dtype", "--dot"],
  };
  it.concurrent.each(Object.entries(OPTIONS))(
    "torchlet %s --help describes every option",
    async (command, options) => {
      const r = await cli([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: torchlet ${command} `, "m"));
      for (const option of options) expect(r.stdout).toMatch(new RegExp(`^ {2}${option}( |$)`, "m"));
    },
  );

  it("help COMMAND and -h anywhere after the command say the same", async () => {
    const [flag, word, late] = await Promise.all([
      cli(["graph", "--help"]),
      cli(["help", "graph"]),
      cli(["graph", "--n", "3", "-h"]),
    ]);
    expect(word).toEqual(flag);
    expect(late).toEqual(flag);
  });

  it("train --help shows the chapter's defaults", async () => {
    const r = await cli(["train", "--help"]);
    expect(r.stdout).toMatch(/--seed N\s+seed of the random generator \(default: 42\)/);
    expect(r.stdout).toMatch(/--lr X\s+.*\(default: 0\.0001\)/);
    expect(r.stdout).toMatch(/--hidden N\[,N\.\.\.\]\s+.*\(default: 32\)/);
  });
});

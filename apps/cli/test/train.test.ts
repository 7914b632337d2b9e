import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BIN, cli, jsonLines, start } from "./cli.js";

import { expectPyTorchLines, pytorchLosses } from "./fixture.js";

describe("torchlet train", () => {
  it("prints the chapter's twenty lines on stdout and the summary on stderr", async () => {
    const r = await cli(["train"]);
    expect(r.code).toBe(0);
    expectPyTorchLines(r.stdout.trimEnd().split("\n"), pytorchLosses());
    expect(r.stderr).toMatch(
      /^Final loss: 20\.04058 after 200 epochs in [\d.]+ (s|min) \([\d.e+]+ epochs\/s\)\n$/,
    );
  });

  it("--quiet leaves stderr empty, and a pipe never gets a progress bar", async () => {
    const r = await cli(["train", "--quiet", "--epochs", "30"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).not.toContain("\r");
    expect(r.stdout).not.toContain("\x1b");
    expect(r.stdout.split("\n")).toHaveLength(4);
  });

  it("--json prints one parseable object per logged epoch, then a summary, and nothing else", async () => {
    const r = await cli(["train", "--json", "--epochs", "50", "--log-every", "25"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const [first, second, summary, ...rest] = jsonLines(r.stdout);
    expect(rest).toEqual([]);
    expect(first).toEqual({ epoch: 25, loss: expect.any(Number) });
    expect(second).toEqual({ epoch: 50, loss: expect.any(Number) });
    expect(Object.keys(summary ?? {})).toEqual(["epochs", "finalLoss", "seconds", "epochsPerSecond"]);
    expect(summary?.epochs).toBe(50);
    expect(summary?.finalLoss).toBe(second?.loss);
    // The same losses as the text lines, with the digits that make the float32 exact.
    expect(second?.loss).toBeCloseTo(73.7961, 4);
  });

  it("--log-every picks the logged epochs; a run shorter than it logs nothing but still sums up", async () => {
    const r = await cli(["train", "--epochs", "7", "--log-every", "3"]);
    expect(r.stdout).toMatch(/^Epoch: 3 {3}Loss: [\d.]+\nEpoch: 6 {3}Loss: [\d.]+\n$/);
    const short = await cli(["train", "--epochs", "5", "--log-every", "10"]);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe("");
    expect(short.stderr).toMatch(/^Final loss: [\d.]+ after 5 epochs/);
  });

  it("--plot draws the loss curve after the lines", async () => {
    const r = await cli(["train", "--plot", "--quiet"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expectPyTorchLines(lines.slice(0, 20), pytorchLosses());
    const plot = lines.slice(20);
    expect(plot[1]).toBe("Loss by epoch");
    expect(plot[2]).toMatch(/^\s*[\d.]+ \|\*/); // the highest loss, at epoch 1, top left
    expect(plot.at(-4)).toMatch(/^20\.04 \|\s+\*+$/); // the lowest, at the end, bottom right
    expect(plot.at(-2)).toMatch(/^\s+1\s+200$/);
  });

  it("--plot labels the x axis of a 1- or 2-epoch run 1 and 2, not 11 or 12", async () => {
    const one = await cli(["train", "--plot", "--quiet", "--epochs", "1"]);
    expect(one.stdout.trimEnd().split("\n").at(-1)).toMatch(/^ +1$/);
    const two = await cli(["train", "--plot", "--quiet", "--epochs", "2"]);
    expect(two.stdout.trimEnd().split("\n").at(-1)).toMatch(/^ +1 2$/);
  });

  it("--plot keeps a bounded summary of the losses, however many epochs are asked for", async () => {
    // 10^11 epochs: a loss array for them could not even be allocated. Stopped after the first line.
    const run = start(["train", "--epochs", "99999999999", "--plot", "--log-every", "1"]);
    await run.firstOutput();
    run.child.kill("SIGINT");
    const { code, stderr } = await run.done;
    expect(stderr).toMatch(/^torchlet: interrupted at epoch \d+ of 99999999999\n$/);
    expect(code).toBe(130);
  });

  it("a network of 3,000 hidden layers trains: neither forward nor backward recurses per layer", async () => {
    const hidden = Array(3000).fill("2").join(",");
    const r = await cli(["train", "--hidden", hidden, "--epochs", "2", "--log-every", "1", "--json"]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((l) => l.epoch)).toEqual([1, 2, undefined]);
  });

  it("--hidden 32,16 trains a second hidden layer", async () => {
    const r = await cli(["train", "--hidden", "32,16", "--epochs", "10", "--quiet"]);
    expectPyTorchLines(r.stdout.trimEnd().split("\n"), pytorchLosses("--hidden", "32,16").slice(0, 1));
  });

  it("--dtype float64 trains in double precision", async () => {
    const r = await cli(["train", "--dtype", "float64", "--epochs", "10", "--quiet"]);
    expect(r.stdout).toBe("Epoch: 10   Loss: 32.79261\n");
  });

  it.each(["sine", "cubic"])("--dataset %s learns the 1-D curve", async (dataset) => {
    const r = await cli([
      "train",
      "--dataset",
      dataset,
      "--lr",
      "0.005",
      "--epochs",
      "100",
      "--log-every",
      "1",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const losses = jsonLines(r.stdout)
      .filter((l) => "epoch" in l)
      .map((l) => l.loss as number);
    expect(losses).toHaveLength(100);
    expect(losses.at(-1)).toBeLessThan((losses[0] as number) / 4);
  });

  it("the same seed repeats a run exactly", async () => {
    const args = ["train", "--dataset", "sine", "--epochs", "20", "--log-every", "5", "--json"];
    const [a, b] = await Promise.all([cli(args), cli(args)]);
    expect(jsonLines(a.stdout).slice(0, 4)).toEqual(jsonLines(b.stdout).slice(0, 4));
  });

  it("--seed changes the draws", async () => {
    const a = await cli(["train", "--epochs", "10", "--quiet", "--seed", "1"]);
    const b = await cli(["train", "--epochs", "10", "--quiet", "--seed", "2"]);
    expect(a.stdout).not.toBe(b.stdout);
  });
});

// util-linux's `script` runs the CLI on a pseudo-terminal, where the progress bar belongs.
const hasScript = existsSync("/usr/bin/script");
describe.skipIf(!hasScript)("on a terminal", () => {
  it("a long run draws a progress bar on stderr and wipes it before each line", async () => {
    // The bar waits half a second before it appears; the variable makes this run "long" at once.
    const command = `${process.execPath} ${BIN} train --epochs 200 --log-every 100`;
    const env = { ...process.env, TORCHLET_PROGRESS_DELAY_MS: "0" };
    const output = await new Promise<string>((resolve) => {
      execFile("/usr/bin/script", ["-qec", command, "/dev/null"], { encoding: "utf8", env }, (_, stdout) =>
        resolve(stdout),
      );
    });
    const ESC = String.fromCharCode(27);
    expect(output).toMatch(/\r\[#*\.*\] +\d+\/200 +\d+% {2}Loss: [\d.]+ +[\d.]+ (s|min)/);
    expect(output).toContain(`\r${ESC}[KEpoch: 100   Loss: `);
    expect(output).toContain(`\r${ESC}[KFinal loss: `);
  });
});

describe("in a pipe", () => {
  it("streams lines as they come, and a reader that leaves early (| head) ends the run quietly", async () => {
    const run = start(["train", "--epochs", "100000", "--log-every", "1"]);
    const first = await run.firstOutput();
    expect(first.startsWith("Epoch: 1   Loss: 124.6822\n")).toBe(true); // long before the run could end
    run.child.stdout?.destroy();
    const { code, stderr } = await run.done;
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("Ctrl-C stops a run with one line and exit code 130", async () => {
    const run = start(["train", "--epochs", "100000", "--log-every", "1"]);
    await run.firstOutput();
    run.child.kill("SIGINT");
    const { code, stderr } = await run.done;
    expect(code).toBe(130);
    expect(stderr).toMatch(/^torchlet: interrupted at epoch \d+ of 100000\n$/);
  });
});

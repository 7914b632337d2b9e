import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN, cli, STACK } from "./cli.js";
import { fixture } from "./fixture.js";

describe("torchlet graph", () => {
  it("prints the chain from the loss and the tree PyTorch's grad_fns form, leaves with shapes", async () => {
    const r = await cli(["graph"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(
      "loss [] float32 = MeanBackward0 <- PowBackward0 <- SubBackward0 <- AddBackward0 <- MmBackward0 <- ReluBackward0 <- AddBackward0 <- MmBackward0 <- w1",
    );
    // The tree: depth is the indentation in steps of four columns; compare with PyTorch's next_functions.
    const tree = lines.slice(2, lines.indexOf("", 2)).map((line) => {
      const label = line.replace(/^[│├└─\s]*/, "");
      const [name, ...rest] = label.split(" ");
      const shape =
        rest.length > 0 ? JSON.parse(label.slice(label.indexOf("["), label.indexOf("]") + 1)) : undefined;
      return {
        depth: (line.length - label.length) / 4,
        name: rest.length > 0 ? "AccumulateGrad" : name,
        shape,
      };
    });
    expect(tree).toEqual(fixture.graph.map((n) => ({ depth: n.depth, name: n.name, shape: n.shape })));
    expect(r.stdout).toContain("w1 [3, 32] float32 (AccumulateGrad)");
    expect(r.stdout).toContain("b2 [1, 1] float32 (AccumulateGrad)");
    expect(r.stdout).toContain("x [100, 3] and y [100, 1] need no gradient");
  });

  it("follows the options: more layers, another dtype, a 1-D data set", async () => {
    const r = await cli(["graph", "--hidden", "8,4", "--dtype", "float64", "--dataset", "sine", "--n", "20"]);
    expect(r.code).toBe(0);
    const tree = r.stdout.split("\n").slice(2).join("\n");
    expect(tree.match(/ReluBackward0/g)).toHaveLength(2);
    expect(r.stdout).toContain("w1 [1, 8] float64");
    expect(r.stdout).toContain("w3 [4, 1] float64");
    expect(r.stdout).toContain("x [20, 1] and y [20, 1]");
  });

  it("--dot prints a Graphviz digraph with one edge per input and leaves as boxes", async () => {
    const r = await cli(["graph", "--dot"]);
    expect(r.code).toBe(0);
    const dot = r.stdout;
    expect(dot.startsWith("digraph autograd {\n")).toBe(true);
    expect(dot.endsWith("}\n")).toBe(true);
    const nodes = dot.match(/^ {2}n\d+ \[label=/gm) ?? [];
    const edges = dot.match(/^ {2}n\d+ -> (n\d+|loss);$/gm) ?? [];
    expect(nodes).toHaveLength(fixture.graph.length);
    expect(edges).toHaveLength(fixture.graph.length); // a tree below the loss, plus the edge into it
    expect(dot).toContain('[label="MeanBackward0"]');
    expect(dot).toContain('[label="w1\\n[3, 32] float32", fillcolor=lightblue]');
    expect(dot).toContain('loss [label="loss\\n[] float32"');
    expect(r.stderr).not.toMatch(STACK);
  });

  it("a network of 2,000 hidden layers: walking and printing its graph keep their own stacks", async () => {
    const hidden = Array(2000).fill("2").join(",");
    // Mean, Pow, Sub; per layer Mm, Add, w and b; per hidden layer a Relu.
    const nodes = 3 + 4 * 2001 + 2000;
    const dot = await cli(["graph", "--hidden", hidden, "--dot"]);
    expect(dot.code).toBe(0);
    expect(dot.stdout.match(/^ {2}n\d+ \[label=/gm)).toHaveLength(nodes);
    // The text tree grows with the square of its depth (some 160 MB here): count it as it streams by.
    const text = await streamStats(["graph", "--hidden", hidden]);
    expect(text.code).toBe(0);
    expect(text.first).toMatch(/^loss \[\] float32 = MeanBackward0 <- PowBackward0 <- .* <- w1$/);
    expect(text.lines).toBe(2 + nodes + 2);
    expect(text.last).toBe("x [100, 3] and y [100, 1] need no gradient, so they are not in the graph.");
  });
});

/** Runs the CLI and keeps only the first and last line of stdout and how many lines it had. */
function streamStats(
  args: string[],
): Promise<{ code: number | null; lines: number; first: string; last: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let lines = 0;
    let head = "";
    let tail = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", i + 1)) lines++;
      if (!head.includes("\n")) head += chunk;
      tail = (tail + chunk).slice(-1000);
    });
    child.on("close", (code) =>
      resolve({
        code,
        lines,
        first: head.split("\n")[0] ?? "",
        last: tail.trimEnd().split("\n").at(-1) ?? "",
      }),
    );
  });
}

import { describe, expect, it } from "vitest";
import { cli, STACK } from "./cli.js";
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
});

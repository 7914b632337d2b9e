import { beforeAll, describe, expect, it } from "vitest";
import type { Snapshot } from "../src/protocol.js";
import { Trainer } from "../src/trainer.js";
import { layoutGraph } from "../src/views/graph-layout.js";

describe("describeGraph", () => {
  let trainer: Trainer;
  let before: Snapshot["graph"];
  beforeAll(async () => {
    const config = { dataset: "chapter", style: "raw", hidden: 8, lr: 1e-4, epochs: 5, seed: 3 } as const;
    trainer = await Trainer.create({ ...config, device: "cpu" });
    before = (await trainer.snapshot()).graph;
  });

  it("walks the chapter's forward pass: grad_fn nodes, parameters and no-grad inputs, with shapes", () => {
    if (!before) throw new Error("no graph after set-up");
    const names = before.nodes.map((n) => n.name);
    for (const op of [
      "MmBackward0",
      "AddBackward0",
      "ReluBackward0",
      "SubBackward0",
      "PowBackward0",
      "MeanBackward0",
    ]) {
      expect(names).toContain(op);
    }
    const params = before.nodes.filter((n) => n.kind === "param");
    expect(params.map((n) => [n.name, n.detail, n.shape])).toEqual(
      expect.arrayContaining([
        ["AccumulateGrad", "w1", [3, 8]],
        ["AccumulateGrad", "b1", [1, 8]],
        ["AccumulateGrad", "w2", [8, 1]],
        ["AccumulateGrad", "b2", [1, 1]],
      ]),
    );
    expect(params.every((n) => n.gradNorm === null)).toBe(true);
    const constants = before.nodes.filter((n) => n.kind === "constant").map((n) => n.name);
    expect(constants).toEqual(expect.arrayContaining(["x", "y"]));
    const relu = before.nodes.find((n) => n.name === "ReluBackward0");
    expect(relu?.shape).toEqual([100, 8]);
    const output = before.nodes.find((n) => n.kind === "output");
    expect(output?.name).toBe("loss");
    expect(output?.shape).toEqual([]);
  });

  it("names the no-grad inputs by the code's names even when their shapes agree (1-D data: x, y both [100, 1])", async () => {
    const sine = await Trainer.create({
      dataset: "sine",
      style: "raw",
      hidden: 4,
      lr: 1e-2,
      epochs: 1,
      seed: 1,
      device: "cpu",
    });
    const { graph } = await sine.snapshot();
    const constants = graph?.nodes.filter((n) => n.kind === "constant").map((n) => [n.name, n.shape]);
    expect(constants).toEqual(
      expect.arrayContaining([
        ["x", [100, 1]],
        ["y", [100, 1]],
      ]),
    );
  });

  it("reports each parameter's gradient magnitude after backward", async () => {
    await trainer.runPhase(); // backward
    const after = (await trainer.snapshot()).graph;
    const params = after?.nodes.filter((n) => n.kind === "param") ?? [];
    expect(params).toHaveLength(4);
    for (const p of params) expect(p.gradNorm).toBeGreaterThan(0);
  });

  it("lays the chain out from the parameters down to the loss, each parameter beside its op", () => {
    if (!before) throw new Error("no graph after set-up");
    const { placed, rows } = layoutGraph(before);
    const rowOf = (pred: (p: (typeof placed)[number]) => boolean) => placed.find(pred)?.row;
    expect(rowOf((p) => p.node.kind === "output")).toBe(rows - 1);
    const w1Row = rowOf((p) => p.node.detail === "w1");
    expect(w1Row).toBe(0);
    const firstMm = placed.find((p) => p.node.name === "MmBackward0" && p.row === w1Row);
    expect(firstMm).toBeDefined();
    expect(placed.filter((p) => p.node.kind === "param").every((p) => p.col === -1)).toBe(true);
  });
});

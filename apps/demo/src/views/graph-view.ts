// Draws the autograd graph as an SVG diagram: tensors (parameters, inputs, the loss) and the grad_fn
// nodes between them, with shapes, and each parameter's gradient magnitude once backward has run.
import type { GraphDescription, GraphNode } from "../graph.js";
import { layoutGraph } from "./graph-layout.js";
import { fmt, svg } from "./svg.js";

const BOX_W = 136;
const BOX_H = 50;
const GAP_X = 22;
const GAP_Y = 22;

function shapeText(shape: readonly number[] | null): string {
  return shape ? `[${shape.join(", ")}]` : "";
}

function lines(n: GraphNode): string[] {
  switch (n.kind) {
    case "output":
      return [`${n.name} ${shapeText(n.shape)}`, n.value === null ? "" : `= ${fmt(n.value)}`];
    case "op":
      return [n.name, shapeText(n.shape)];
    case "param":
      return [
        n.name,
        `${n.detail} ${shapeText(n.shape)}`,
        n.gradNorm === null ? "grad: none yet" : `‖grad‖ ${fmt(n.gradNorm)}`,
      ];
    case "constant":
      return [`${n.name} ${shapeText(n.shape)}`, n.detail ?? ""];
  }
}

export class GraphView {
  private readonly root: SVGSVGElement;
  private readonly summary: HTMLParagraphElement;

  constructor(host: HTMLElement) {
    this.root = svg("svg", { class: "graph-svg", role: "img" });
    this.summary = document.createElement("p");
    this.summary.className = "graph-summary";
    host.append(this.root, this.summary);
  }

  draw(graph: GraphDescription | null): void {
    this.root.replaceChildren();
    if (!graph) return;
    const { placed, rows, opCols } = layoutGraph(graph);
    const cols = opCols + 2;
    const width = cols * BOX_W + (cols - 1) * GAP_X;
    const height = rows * BOX_H + (rows - 1) * GAP_Y;
    this.root.setAttribute("viewBox", `-4 -4 ${width + 8} ${height + 8}`);
    this.root.setAttribute(
      "aria-label",
      `Autograd graph: ${graph.nodes.map((n) => (n.kind === "param" ? `${n.detail} (${n.name})` : n.name)).join(", ")}`,
    );
    const pos = new Map<number, { x: number; y: number }>();
    for (const p of placed)
      pos.set(p.node.id, { x: (p.col + 1) * (BOX_W + GAP_X), y: p.row * (BOX_H + GAP_Y) });

    const defs = svg("defs");
    const marker = svg("marker", {
      id: "arrow",
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: "auto-start-reverse",
    });
    marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", class: "arrow-head" }));
    defs.append(marker);
    this.root.append(defs);

    for (const e of graph.edges) {
      const a = pos.get(e.from);
      const b = pos.get(e.to);
      if (!a || !b) continue;
      // Same row: a side input entering from the left or right; otherwise flowing down to the next op.
      const d =
        a.y === b.y
          ? a.x < b.x
            ? `M${a.x + BOX_W},${a.y + BOX_H / 2} L${b.x},${b.y + BOX_H / 2}`
            : `M${a.x},${a.y + BOX_H / 2} L${b.x + BOX_W},${b.y + BOX_H / 2}`
          : `M${a.x + BOX_W / 2},${a.y + BOX_H} C${a.x + BOX_W / 2},${b.y - GAP_Y / 2} ${b.x + BOX_W / 2},${a.y + BOX_H + GAP_Y / 2} ${b.x + BOX_W / 2},${b.y}`;
      this.root.append(svg("path", { d, class: "edge", "marker-end": "url(#arrow)" }));
    }

    for (const p of placed) {
      const at = pos.get(p.node.id);
      if (!at) continue;
      const g = svg("g", { class: `node ${p.node.kind}`, transform: `translate(${at.x},${at.y})` });
      g.append(svg("rect", { width: BOX_W, height: BOX_H, rx: 6 }));
      const text = lines(p.node).filter((t) => t !== "");
      const top = BOX_H / 2 - ((text.length - 1) * 14) / 2 + 4;
      text.forEach((t, i) => {
        g.append(
          svg("text", { x: BOX_W / 2, y: top + i * 14, "text-anchor": "middle", class: i ? "sub" : "" }, t),
        );
      });
      this.root.append(g);
    }

    const params = graph.nodes.filter((n) => n.kind === "param");
    this.summary.textContent = params.every((n) => n.gradNorm === null)
      ? "Gradients appear on the parameters once backward has run."
      : `After backward: ${params.map((n) => `‖${n.detail}.grad‖ = ${fmt(n.gradNorm ?? 0)}`).join(", ")}.`;
  }
}

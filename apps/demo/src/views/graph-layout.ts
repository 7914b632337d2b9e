// Places the autograd graph on a grid: grad_fn nodes in a middle column, ordered from the leaves (top)
// to the loss (bottom) as the forward pass runs; each parameter to the left of the op that uses it and
// each no-grad input to the right, so the chapter's chain reads like the line of code it came from.
import type { GraphDescription, GraphNode } from "../graph.js";

export interface Placed {
  node: GraphNode;
  row: number;
  /** -1: parameters, 0.. : grad_fn nodes (several in a row spread out), and last: constants. */
  col: number;
}

export interface Layout {
  placed: Placed[];
  rows: number;
  /** Number of grad_fn columns in the widest row. */
  opCols: number;
}

export function layoutGraph(graph: GraphDescription): Layout {
  const consumers = new Map<number, number[]>();
  for (const e of graph.edges) consumers.set(e.from, [...(consumers.get(e.from) ?? []), e.to]);
  // Depth of a node = longest path down to the output; leaves sit beside their consumer instead.
  const depth = new Map<number, number>();
  const depthOf = (id: number): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const outs = consumers.get(id) ?? [];
    const d = outs.length ? Math.max(...outs.map((o) => depthOf(o) + 1)) : 0;
    depth.set(id, d);
    return d;
  };
  const isSide = (n: GraphNode) => n.kind === "param" || n.kind === "constant";
  const rowDepth = (n: GraphNode): number => {
    if (!isSide(n)) return depthOf(n.id);
    const outs = consumers.get(n.id) ?? [];
    return Math.min(...outs.map((o) => depthOf(o)));
  };
  const maxDepth = Math.max(0, ...graph.nodes.map(rowDepth));
  const perRow = new Map<number, number>();
  const placed = graph.nodes.map((node): Placed => {
    const row = maxDepth - rowDepth(node);
    if (node.kind === "param") return { node, row, col: -1 };
    if (node.kind === "constant") return { node, row, col: Number.POSITIVE_INFINITY };
    const col = perRow.get(row) ?? 0;
    perRow.set(row, col + 1);
    return { node, row, col };
  });
  const opCols = Math.max(1, ...perRow.values());
  for (const p of placed) if (p.col === Number.POSITIVE_INFINITY) p.col = opCols;
  return { placed, rows: maxDepth + 1, opCols };
}

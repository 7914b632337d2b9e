import * as torch from "torchlet";

/** A node of the backward graph as the CLI shows it: a grad_fn, or a leaf that accumulates a gradient. */
export interface GraphNode {
  id: number;
  /** The grad_fn's class name (`MmBackward0`), or `AccumulateGrad` for a leaf. */
  name: string;
  /** For leaves: the tensor's name in the program (`w1`) with its shape and dtype. */
  leaf?: { label: string; shape: readonly number[]; dtype: string };
  /** Inputs in order; edges to tensors that need no gradient (x, y) are left out, as PyTorch's `None`. */
  inputs: GraphNode[];
  /** True where this node was already shown under an earlier parent (a graph is not always a tree). */
  repeated: boolean;
}

/**
 * Walks `loss.gradFn` depth first, inputs in order, as PyTorch's `next_functions` lists them; `names`
 * labels the leaves (`w1`, `b1`, ...). A node reached twice is listed again but not expanded again.
 */
export function autogradGraph(loss: torch.Tensor, names: Map<torch.Tensor, string>): GraphNode {
  const root = loss.gradFn;
  if (root === null) throw new torch.TorchletError("graph: the loss has no grad_fn (nothing requires grad)");
  const ids = new Map<torch.GradFn, number>();
  const visit = (fn: torch.GradFn): GraphNode => {
    const seen = ids.get(fn);
    const id = seen ?? ids.size;
    if (seen === undefined) ids.set(fn, id);
    const node: GraphNode = { id, name: fn.name, inputs: [], repeated: seen !== undefined };
    if (fn instanceof torch.AccumulateGrad) {
      const t = fn.variable;
      node.leaf = { label: names.get(t) ?? "(leaf)", shape: t.shape, dtype: t.dtype };
    }
    if (seen === undefined)
      for (const [next] of fn.nextFunctions) if (next !== null) node.inputs.push(visit(next));
    return node;
  };
  return visit(root);
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;
const nodeText = (node: GraphNode) =>
  node.leaf
    ? `${node.leaf.label} ${shapeText(node.leaf.shape)} ${node.leaf.dtype} (AccumulateGrad)`
    : node.name;

/**
 * The graph as text: first the chain from the loss along each node's first input
 * (`MeanBackward0 <- PowBackward0 <- ... <- w1`), then the whole graph as an indented tree.
 */
export function graphText(root: GraphNode, loss: torch.Tensor): string {
  const chain: string[] = [];
  for (let node: GraphNode | undefined = root; node; node = node.inputs[0])
    chain.push(node.leaf ? node.leaf.label : node.name);
  const lines = [`loss ${shapeText(loss.shape)} ${loss.dtype} = ${chain.join(" <- ")}`, "", nodeText(root)];
  const walk = (node: GraphNode, indent: string) => {
    node.inputs.forEach((child, i) => {
      const last = i === node.inputs.length - 1;
      lines.push(
        `${indent}${last ? "└── " : "├── "}${nodeText(child)}${child.repeated ? " (shown above)" : ""}`,
      );
      walk(child, indent + (last ? "    " : "│   "));
    });
  };
  walk(root, "");
  return `${lines.join("\n")}\n`;
}

/**
 * The graph in Graphviz DOT, drawn as torchviz draws PyTorch's: edges point from an input to the node
 * that uses it, leaves are light blue boxes with their shapes, and the loss is the green node at the end.
 * `torchlet graph --dot | dot -Tsvg > graph.svg` renders it.
 */
export function graphDot(root: GraphNode, loss: torch.Tensor): string {
  const out = [
    "digraph autograd {",
    '  node [shape=box, style=filled, fillcolor=lightgray, fontname="monospace", fontsize=11];',
    `  loss [label="loss\\n${shapeText(loss.shape)} ${loss.dtype}", fillcolor=darkolivegreen1];`,
    `  n${root.id} -> loss;`,
  ];
  const walk = (node: GraphNode) => {
    if (node.repeated) return;
    out.push(
      node.leaf
        ? `  n${node.id} [label="${node.leaf.label}\\n${shapeText(node.leaf.shape)} ${node.leaf.dtype}", fillcolor=lightblue];`
        : `  n${node.id} [label="${node.name}"];`,
    );
    for (const child of node.inputs) {
      out.push(`  n${child.id} -> n${node.id};`);
      walk(child);
    }
  };
  walk(root);
  out.push("}");
  return `${out.join("\n")}\n`;
}

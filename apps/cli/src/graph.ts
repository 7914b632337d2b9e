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
 * The walk keeps its own stack instead of recursing, so a network of thousands of layers cannot
 * overflow the call stack.
 */
export function autogradGraph(loss: torch.Tensor, names: Map<torch.Tensor, string>): GraphNode {
  const root = loss.gradFn;
  if (root === null) throw new torch.TorchletError("graph: the loss has no grad_fn (nothing requires grad)");
  const ids = new Map<torch.GradFn, number>();
  const top: GraphNode[] = [];
  // Each entry: a grad_fn still to visit, and the inputs list of the node it belongs in.
  const stack: [torch.GradFn, GraphNode[]][] = [[root, top]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [fn, parentInputs] = entry;
    const seen = ids.get(fn);
    const id = seen ?? ids.size;
    if (seen === undefined) ids.set(fn, id);
    const node: GraphNode = { id, name: fn.name, inputs: [], repeated: seen !== undefined };
    if (fn instanceof torch.AccumulateGrad) {
      const t = fn.variable;
      node.leaf = { label: names.get(t) ?? "(leaf)", shape: t.shape, dtype: t.dtype };
    }
    parentInputs.push(node);
    if (seen !== undefined) continue;
    // Pushed last to first, so the first input is visited (and listed) first.
    const nexts = fn.nextFunctions;
    for (let i = nexts.length - 1; i >= 0; i--) {
      const next = nexts[i]?.[0];
      if (next) stack.push([next, node.inputs]);
    }
  }
  return top[0] as GraphNode;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;
const nodeText = (node: GraphNode) =>
  node.leaf
    ? `${node.leaf.label} ${shapeText(node.leaf.shape)} ${node.leaf.dtype} (AccumulateGrad)`
    : node.name;

/**
 * The graph as lines of text: first the chain from the loss along each node's first input
 * (`MeanBackward0 <- PowBackward0 <- ... <- w1`), then the whole graph as an indented tree. Line by
 * line, because the tree's text grows with the square of its depth: for thousands of layers it would
 * be more than one JavaScript string can hold.
 */
export function* graphText(root: GraphNode, loss: torch.Tensor): Generator<string> {
  const chain: string[] = [];
  for (let node: GraphNode | undefined = root; node; node = node.inputs[0])
    chain.push(node.leaf ? node.leaf.label : node.name);
  yield `loss ${shapeText(loss.shape)} ${loss.dtype} = ${chain.join(" <- ")}`;
  yield "";
  yield nodeText(root);
  // Depth first with a stack of its own (see autogradGraph): a node, its indent, whether it is the
  // last input of its parent (below it the tree's line ends).
  const stack: [GraphNode, string, boolean][] = [];
  const pushInputs = (node: GraphNode, indent: string) => {
    for (let i = node.inputs.length - 1; i >= 0; i--)
      stack.push([node.inputs[i] as GraphNode, indent, i === node.inputs.length - 1]);
  };
  pushInputs(root, "");
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, indent, last] = entry;
    yield `${indent}${last ? "└── " : "├── "}${nodeText(node)}${node.repeated ? " (shown above)" : ""}`;
    pushInputs(node, indent + (last ? "    " : "│   "));
  }
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
  // Each node once, then for each input its edge and, depth first, the input's own part of the graph
  // (a stack of its own, see autogradGraph).
  const stack: [GraphNode, GraphNode][] = [];
  const visit = (node: GraphNode) => {
    out.push(
      node.leaf
        ? `  n${node.id} [label="${node.leaf.label}\\n${shapeText(node.leaf.shape)} ${node.leaf.dtype}", fillcolor=lightblue];`
        : `  n${node.id} [label="${node.name}"];`,
    );
    for (let i = node.inputs.length - 1; i >= 0; i--) stack.push([node.inputs[i] as GraphNode, node]);
  };
  visit(root);
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [child, parent] = entry;
    out.push(`  n${child.id} -> n${parent.id};`);
    if (!child.repeated) visit(child);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

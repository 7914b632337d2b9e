// Turns the autograd graph behind a loss into plain data the page can draw: the grad_fn nodes reached
// through `gradFn.nextFunctions`, the leaves they end in (AccumulateGrad and its `.variable`), and the
// inputs that need no gradient (a null edge in `nextFunctions`).
import type * as torch from "torchlet";

export type GraphNodeKind = "output" | "op" | "param" | "constant";

export interface GraphNode {
  id: number;
  kind: GraphNodeKind;
  /** grad_fn name (MmBackward0, AccumulateGrad, ...) or, for tensors, what the code calls them. */
  name: string;
  /** A second line: the parameter's name for an AccumulateGrad node, "no grad" for constants. */
  detail: string | null;
  /** Shape of the tensor this node produces or holds; null where it is not known. */
  shape: readonly number[] | null;
  /** ‖grad‖ of a parameter after backward; null before one (or for other kinds). */
  gradNorm: number | null;
  /** The value of a one-element output (the loss). */
  value: number | null;
}

/** An edge in the direction the forward pass ran: `from` is an input of `to`. */
export interface GraphEdge {
  from: number;
  to: number;
}

export interface GraphDescription {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The numbers the diagram shows, read beforehand (a webgpu tensor can only be read asynchronously). */
export interface GraphValues {
  /** The value of a one-element output (the loss). */
  output: number | null;
  /** ‖grad‖ of each parameter that holds a gradient. */
  gradNorms: ReadonlyMap<torch.Tensor, number>;
}

/**
 * @param root the tensor backward starts from (the loss)
 * @param names what the code calls the tensors: parameters (found through AccumulateGrad.variable) and
 *   intermediate results (whose shapes label the grad_fn that made them)
 * @param inputNames for an op's result, what the code calls each of its inputs: a null edge in
 *   `nextFunctions` carries only a shape, so this is how the diagram can call it `x` or `y`
 * @param values the loss's value and the parameters' ‖grad‖
 */
export function describeGraph(
  root: torch.Tensor,
  names: ReadonlyMap<torch.Tensor, string>,
  inputNames: ReadonlyMap<torch.Tensor, readonly string[]>,
  values: GraphValues,
): GraphDescription {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const shapeOf = new Map<torch.GradFn, readonly number[]>();
  const inputsOf = new Map<torch.GradFn, readonly string[]>();
  for (const t of names.keys()) if (t.gradFn) shapeOf.set(t.gradFn, t.shape);
  for (const [t, inputs] of inputNames) if (t.gradFn) inputsOf.set(t.gradFn, inputs);
  const add = (node: Omit<GraphNode, "id">): number => {
    nodes.push({ id: nodes.length, ...node });
    return nodes.length - 1;
  };
  const output = add({
    kind: "output",
    name: names.get(root) ?? "output",
    detail: null,
    shape: root.shape,
    gradNorm: null,
    value: values.output,
  });
  if (!root.gradFn) return { nodes, edges };

  const ids = new Map<torch.GradFn, number>();
  const visit = (fn: torch.GradFn): number => {
    const known = ids.get(fn);
    if (known !== undefined) return known;
    const variable = (fn as { variable?: torch.Tensor }).variable;
    const id = add(
      variable
        ? {
            kind: "param",
            name: fn.name,
            detail: names.get(variable) ?? "leaf",
            shape: variable.shape,
            gradNorm: values.gradNorms.get(variable) ?? null,
            value: null,
          }
        : {
            kind: "op",
            name: fn.name,
            detail: null,
            shape: shapeOf.get(fn) ?? null,
            gradNorm: null,
            value: null,
          },
    );
    ids.set(fn, id);
    fn.nextFunctions.forEach(([next], i) => {
      const shape = fn.inputMeta[i]?.shape ?? null;
      const from = next
        ? visit(next)
        : add({
            kind: "constant",
            name: inputsOf.get(fn)?.[i] ?? "tensor",
            detail: "no grad",
            shape,
            gradNorm: null,
            value: null,
          });
      edges.push({ from, to: id });
    });
    return id;
  };
  edges.push({ from: visit(root.gradFn), to: output });
  return { nodes, edges };
}

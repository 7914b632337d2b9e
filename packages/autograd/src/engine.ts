import { deviceBackend } from "@torchlet/ops";
import {
  type DeviceStorage,
  fmtShape,
  RECYCLED_MIN_BYTES,
  shapesEqual,
  sharesMemory,
  TorchletError,
  type TypedArray,
} from "@torchlet/storage";
import { collectAllocations, recycle } from "@torchlet/storage/internal";
import { AccumulateGrad, type GradFn } from "./grad-fn.js";
import { enableGrad, isGradEnabled, noGrad } from "./grad-mode.js";
import { sumTo } from "./sum-to.js";
import type { BackwardOptions, Tensor } from "./tensor.js";

/**
 * The backward engine. From the roots' grad_fns it counts, for every reachable node, how many edges
 * lead into it; a node runs once all of them have delivered their gradient (Kahn's topological order),
 * so each node runs exactly once with its gradients summed. Each input gradient is summed back to the
 * input's shape (undoing broadcasting) and cast to its dtype before it is passed on.
 *
 * With `capture`, gradients arriving at those tensors' nodes are returned instead of accumulated into
 * any `.grad` (autograd.grad); otherwise leaves accumulate into `.grad`.
 */
export function runBackward(
  roots: readonly Tensor[],
  rootGrads: readonly (Tensor | null)[],
  options: BackwardOptions,
  capture: readonly Tensor[] | null,
): Map<GradFn, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const seeds = roots.map((root, i) => seedGradient(root, rootGrads[i] ?? null));
  const run = () => execute(roots, seeds, retainGraph, createGraph, capture);
  return createGraph ? enableGrad(run) : isGradEnabled() ? noGrad(run) : run();
}

function rootNode(t: Tensor): GradFn {
  return t.gradFn ?? t._gradAccumulator();
}

function seedGradient(root: Tensor, gradient: Tensor | null): Tensor {
  if (!root.requiresGrad) {
    throw new TorchletError(
      `backward: the tensor (shape ${fmtShape(root.shape)}) does not require grad and does not have a grad_fn`,
    );
  }
  if (gradient === null) {
    if (root.numel() !== 1) {
      throw new TorchletError(
        `backward: grad can be implicitly created only for scalar outputs, got shape ${fmtShape(root.shape)}; pass a gradient`,
      );
    }
    return root._onesLike();
  }
  if (!shapesEqual(gradient.shape, root.shape)) {
    throw new TorchletError(
      `backward: mismatch in shape: gradient has shape ${fmtShape(gradient.shape)} and output has shape ${fmtShape(root.shape)}`,
    );
  }
  return gradient;
}

/** Numbers the backward passes, so that a node's bookkeeping fields left by an earlier pass read as unset. */
let passes = 0;

function execute(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  retainGraph: boolean,
  createGraph: boolean,
  capture: readonly Tensor[] | null,
): Map<GradFn, Tensor> {
  const starts = roots.map(rootNode);
  const pass = ++passes;
  countDependencies(starts, pass);
  // The nodes holding a gradient whose memory could be recycled (see `tracked`), for isExclusive.
  const pending = new Set<GradFn>();
  const captured = new Map<GradFn, Tensor>();
  const wanted = capture ? new Set(capture.map(rootNode)) : null;
  starts.forEach((node, i) => {
    addInto(pending, node, seeds[i] as Tensor, null);
  });
  const ready = [...new Set(starts)].filter((n) => n._dependencies === 0);
  const run = (fresh: ReadonlySet<TypedArray | DeviceStorage> | null) => {
    // gradients this node consumed, released once all its outputs are in place
    const consumed: Tensor[] = [];
    while (ready.length > 0) {
      const node = ready.pop() as GradFn;
      const grad = node._gradient;
      node._gradient = null;
      if (grad && pending.size > 0) pending.delete(node);
      if (grad && wanted?.has(node)) captured.set(node, grad);
      if (grad && !wanted && node._retained) for (const t of node._retained) t.grad = keep(grad, createGraph);
      if (node instanceof AccumulateGrad) {
        if (grad && !wanted) accumulate(node.variable, grad, createGraph);
        if (grad && fresh) release(grad, pending, fresh);
        continue;
      }
      const inputGrads = grad ? node.apply(grad, fresh !== null && isExclusive(grad, pending, fresh)) : [];
      if (grad && !retainGraph) node.release();
      const nexts = node._next;
      for (let i = 0; i < nexts.length; i++) {
        const next = nexts[i];
        if (!next) continue;
        const g = inputGrads[i];
        if (g) addInto(pending, next, conform(g, node, i), fresh ? consumed : null);
        if (--next._dependencies === 0) ready.push(next);
      }
      if (fresh) {
        if (grad) consumed.push(grad);
        for (const t of consumed) release(t, pending, fresh);
        consumed.length = 0;
      }
    }
  };
  // Gradients are recycled only when nothing outside the engine can hold them: not while the backward
  // pass is itself recorded (createGraph) and not when autograd.grad hands them out (capture).
  if (createGraph || capture) run(null);
  else collectAllocations(run);
  return captured;
}

/**
 * Hands a consumed gradient's memory back for reuse when the engine alone holds it (a pass-through
 * formula such as add's forwards the very same tensor to the next node, which keeps it): to storage's
 * recycling on the CPU, to the device's pool (its backend's `release`) on a device. Retained grads and
 * leaf grads are copies, so they never share it.
 */
function release(
  grad: Tensor,
  pending: ReadonlySet<GradFn>,
  fresh: ReadonlySet<TypedArray | DeviceStorage>,
): void {
  if (!isExclusive(grad, pending, fresh)) return;
  if (grad.device === "cpu") recycle(grad._array.data, grad.dtype);
  else deviceBackend("backward", grad.device).release?.(grad._array);
}

/**
 * Whether the engine alone holds this gradient's memory: it allocated it during this pass (so no user
 * tensor, saved tensor or seed owns it) and no pending gradient shares it. On the CPU only arrays
 * large enough to be worth recycling are considered; a device's storage is shared by views only.
 */
function isExclusive(
  grad: Tensor,
  pending: ReadonlySet<GradFn>,
  fresh: ReadonlySet<TypedArray | DeviceStorage>,
): boolean {
  const storage = grad._array.deviceStorage;
  if (storage !== null) {
    if (!fresh.has(storage)) return false;
    for (const node of pending) if (node._gradient?._array.deviceStorage === storage) return false;
    return true;
  }
  const data = grad._array.data;
  if (data.byteLength < RECYCLED_MIN_BYTES || !fresh.has(data)) return false;
  for (const node of pending) {
    const other = node._gradient as Tensor;
    if (other.device === "cpu" && sharesMemory(other._array.data, data)) return false;
  }
  return true;
}

/**
 * Whether a pending gradient goes into `pending`, the set isExclusive searches: one on a device, or
 * with storage large enough to recycle. A smaller CPU storage is a separate array (a slab view or a
 * heap-internal typed array) that never shares memory with a fresh array that large.
 */
function tracked(grad: Tensor): boolean {
  const a = grad._array;
  return a.deviceStorage !== null || a.data.byteLength >= RECYCLED_MIN_BYTES;
}

/**
 * Stamps every node reachable from `starts` with `pass`, its pending gradient cleared and its
 * dependencies set to the number of edges that point at it.
 */
function countDependencies(starts: readonly GradFn[], pass: number): void {
  const stack: GradFn[] = [];
  const visit = (node: GradFn, dependencies: number) => {
    node._pass = pass;
    node._dependencies = dependencies;
    node._gradient = null;
    stack.push(node);
  };
  for (const node of starts) if (node._pass !== pass) visit(node, 0);
  while (stack.length > 0) {
    const node = stack.pop() as GradFn;
    for (const next of node._next) {
      if (!next) continue;
      if (next._pass === pass) next._dependencies++;
      else visit(next, 1);
    }
  }
}

/** Sums a gradient back to its input's shape (undoing broadcasting) and casts it to the input's dtype. */
function conform(grad: Tensor, node: GradFn, input: number): Tensor {
  const shape = node._inputShape(input);
  const dtype = node._inputDType(input);
  const shaped = shapesEqual(grad.shape, shape) ? grad : sumTo(grad, shape);
  return shaped.dtype === dtype ? shaped : shaped.to(dtype);
}

/** Adds `grad` to the node's pending gradient; a sum replaces both addends, noted in `consumed`. */
function addInto(pending: Set<GradFn>, node: GradFn, grad: Tensor, consumed: Tensor[] | null): void {
  const existing = node._gradient;
  const sum = existing ? existing.add(grad) : grad;
  node._gradient = sum;
  if (tracked(sum)) pending.add(node);
  else if (existing && pending.size > 0) pending.delete(node);
  if (existing) consumed?.push(existing, grad);
}

/**
 * Gradients stored in `.grad` of retained non-leaves are detached copies (PyTorch clones them too), so
 * that `grad.zero_()` never writes into a buffer shared with another gradient or an expanded view;
 * when the backward pass itself is being recorded they stay in the graph.
 */
function keep(grad: Tensor, createGraph: boolean): Tensor {
  return createGraph ? grad : grad.detach().clone();
}

function accumulate(leaf: Tensor, grad: Tensor, createGraph: boolean): void {
  if (leaf.grad === null) {
    // A fresh tensor of its own, so that `grad.zero_()` can never write into another tensor's storage.
    leaf.grad = createGraph ? grad : grad.detach().clone();
  } else if (createGraph || leaf.grad.requiresGrad) {
    leaf.grad = leaf.grad.add(grad);
  } else {
    leaf.grad.add_(grad);
  }
}

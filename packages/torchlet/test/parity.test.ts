import { readFileSync } from "node:fs";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { decode, type Encoded, expectClose, flatValues } from "./helpers.js";

// Replays fixtures/parity.json, written by fixtures/gen_parity.py with PyTorch 1.13: every op's
// output, dtype, storage sharing, grad_fn name and gradients for a random upstream gradient.

interface TensorSpec {
  shape: number[];
  dtype: torch.DType;
  data: Encoded[];
  views: [string, ...unknown[]][];
  requiresGrad: boolean;
}
/**
 * A tensor, a list of them (cat, stack), a plain value, or (last) an options object: `{ dtype }` for
 * factories, keyword arguments such as `{ keepdim }` for methods.
 */
type Arg =
  | { tensor: TensorSpec }
  | { tensor: TensorSpec }[]
  | { items: EncodedItem[] }
  | number
  | number[]
  | boolean
  | string
  | { dtype?: string; requiresGrad?: boolean };
interface Out {
  shape: number[];
  dtype: torch.DType;
  data: Encoded[];
  contiguous: boolean;
  requiresGrad: boolean;
}
interface Case {
  name: string;
  op: string;
  js?: string;
  args: Arg[];
  note?: string;
  error?: string;
  out?: Out;
  /** The outputs of ops that return several tensors (split, max(dim)), in PyTorch's order. */
  outs?: Out[];
  sharesStorage?: boolean;
  gradFn?: string | null;
  nextFunctions?: (string | null)[];
  /** One upstream gradient, or (with `outs`) one per output that requires grad. */
  upstream?: Encoded[] | Encoded[][];
  grads?: (Encoded[] | null)[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/parity.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

// grad_fn names that differ from PyTorch's on purpose, with the reason.
const KNOWN_NAME_DIFFERENCES: Record<string, string> = {
  "matmul/4x4-2": "PyTorch squeezes its result in place (SqueezeBackward3); torchlet has no in-place squeeze",
};

const isFloatingDType = (dtype: torch.DType): boolean => dtype === "float32" || dtype === "float64";

type Method = (...args: unknown[]) => Result;

function call(target: torch.Tensor, method: string, args: readonly unknown[]): Result {
  const fn = (target as unknown as Record<string, Method>)[method];
  if (typeof fn !== "function") throw new Error(`fixture names an unknown method ${method}`);
  return fn.apply(target, [...args]);
}

/** The leaf (which receives gradients) and the tensor after the spec's view ops. */
function build(spec: TensorSpec): { leaf: torch.Tensor; value: torch.Tensor } {
  const leaf = torch.tensor(spec.data.map(decode), { dtype: spec.dtype }).reshape(spec.shape);
  leaf.requiresGrad_(spec.requiresGrad);
  let value = leaf;
  for (const [method, ...rest] of spec.views) value = call(value, method, rest) as torch.Tensor;
  return { leaf, value };
}

/** An entry of an index list as the generator writes it: `{ slice: [start, end, step] }` for a Slice. */
type EncodedItem = number | null | "..." | { slice: (number | null)[] } | { tensor: TensorSpec };

function indexItem(item: EncodedItem): torch.IndexItem {
  if (typeof item !== "object" || item === null) return item;
  if ("slice" in item) {
    const [start = null, end = null, step = null] = item.slice;
    return torch.Slice(start, end, step ?? 1);
  }
  return build(item.tensor).value;
}

type Result = torch.Tensor | torch.Tensor[] | torch.ValuesIndices;

/** Every output, in PyTorch's order (a `{ values, indices }` pair as its tuple). */
function outputsOf(result: Result): torch.Tensor[] {
  if (result instanceof torch.Tensor) return [result];
  return Array.isArray(result) ? result : [result.values, result.indices];
}

function run(c: Case, values: unknown[]): Result {
  if (c.op.startsWith("torch.")) {
    // Factories and functional forms: torch.NAME(...args, options?).
    const fn = (torch as unknown as Record<string, (...args: unknown[]) => Result>)[(c.js ?? c.op).slice(6)];
    if (typeof fn !== "function") throw new Error(`fixture names an unknown function ${c.op}`);
    return fn(...values);
  }
  const [first, ...rest] = values as [torch.Tensor, ...unknown[]];
  // In-place ops run on a clone (as the generator does), which then carries the graph.
  return call(c.op.endsWith("_") ? first.clone() : first, c.js ?? c.op, rest);
}

describe.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
  // One entry per tensor (a tensor list gives one each, as the generator's gradients are listed).
  const isSpec = (a: unknown): a is { tensor: TensorSpec } =>
    typeof a === "object" && a !== null && "tensor" in a;
  const built = c.args
    .flatMap((a) => (Array.isArray(a) && a.every(isSpec) && a.length > 0 ? a : [a]))
    .map((a) => (isSpec(a) ? build(a.tensor) : null));
  let next = 0;
  const values = c.args.map((a) => {
    if (typeof a === "object" && a !== null && "items" in a) {
      next++;
      return a.items.map(indexItem);
    }
    if (Array.isArray(a) && a.length > 0 && a.every(isSpec)) return a.map(() => built[next++]?.value);
    const value = built[next++]?.value ?? a;
    // non-finite numbers travel as strings (norm's p)
    return value === "inf" || value === "-inf" ? decode(value) : value;
  });

  if (c.error !== undefined) {
    it(`throws a TorchletError naming the op, as PyTorch raises: ${c.error}`, () => {
      const before = built.map((b) => b?.value.tolist());
      let thrown: unknown = null;
      try {
        run(c, values);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(torch.TorchletError);
      const op = (c.js ?? c.op).replace("torch.", "");
      expect((thrown as Error).message).toMatch(new RegExp(`^${op.replace(/_$/, "_?")}\\b|^${op}:`));
      expect(built.map((b) => b?.value.tolist())).toEqual(before);
    });
    return;
  }

  it("matches PyTorch's output, dtype and layout", () => {
    const result = run(c, values);
    const outs = outputsOf(result);
    const wants = c.outs ?? [c.out as Out];
    expect(outs.length, "number of outputs").toBe(wants.length);
    outs.forEach((out, k) => {
      const want = wants[k] as Out;
      expect(out.shape).toEqual(want.shape);
      expect(out.dtype).toBe(want.dtype);
      // Integer and bool results are exact (int64 up to 2^53 - 1); floating ones within rtol 1e-4.
      if (isFloatingDType(want.dtype))
        expectClose(flatValues(out), want.data.map(decode), 1e-4, `output ${k}`);
      else expect(flatValues(out), `output ${k}`).toEqual(want.data.map(decode));
      expect(out._array.isContiguous(), "contiguity").toBe(want.contiguous);
      expect(out.requiresGrad, "requiresGrad").toBe(want.requiresGrad);
    });
    const out = outs[0] as torch.Tensor;
    if (c.sharesStorage !== undefined) {
      const first = values[0] as torch.Tensor;
      expect(out._array.data === first._array.data, "shares storage").toBe(c.sharesStorage);
    }
    if (!(c.name in KNOWN_NAME_DIFFERENCES)) {
      expect(out.gradFn?.name ?? null).toBe(c.gradFn);
      if (c.nextFunctions) {
        expect(
          out.gradFn?.nextFunctions.map(([f]) => f?.name ?? null),
          "nextFunctions",
        ).toEqual(c.nextFunctions);
      }
    }
    if (!c.upstream || !c.grads) return;
    // sum over outputs of <output, upstream>: its gradient is PyTorch's backward(outputs, upstreams)
    const differentiable = outs.filter((t) => t.requiresGrad);
    const upstreams = (c.outs ? c.upstream : [c.upstream]) as Encoded[][];
    const loss = differentiable.reduce<torch.Tensor | null>((acc, t, k) => {
      const up = torch.tensor((upstreams[k] as Encoded[]).map(decode), { dtype: t.dtype }).reshape(t.shape);
      const term = t.mul(up).sum();
      return acc === null ? term : acc.add(term);
    }, null) as torch.Tensor;
    loss.backward();
    c.grads.forEach((g, i) => {
      if (g === null) return;
      const leaf = built[i]?.leaf as torch.Tensor;
      expect(leaf.grad, `grad of input ${i}`).not.toBeNull();
      expect(leaf.grad?.shape).toEqual(leaf.shape);
      expectClose(flatValues(leaf.grad as torch.Tensor), g.map(decode), 1e-3, `grad of input ${i}`);
    });
  });
});

/** The op registry as the fixture generator reads it (gen_parity.py cannot import TypeScript). */
const registry = Object.entries(torch.ELEMENTWISE).map(([name, r]) => ({
  name,
  arity: r.arity,
  result: r.dtype.result,
  rejectsBool: r.dtype.rejectsBool !== undefined,
  differentiable: r.differentiable,
  domain: r.domain,
}));

describe("the op registry's fixtures", () => {
  it("fixtures/ops.json is the registry (`vitest -u` rewrites it; then rerun gen_parity.py)", async () => {
    await expect(`${JSON.stringify(registry, null, 1)}\n`).toMatchFileSnapshot("../fixtures/ops.json");
  });

  it("every registered op has PyTorch cases, with gradients where it is differentiable", () => {
    const missing = registry.flatMap(({ name, differentiable }) => {
      const cases = fixture.cases.filter((c) => c.op === name && c.error === undefined);
      if (cases.length === 0) return [`${name}: no case in parity.json`];
      if (differentiable && !cases.some((c) => c.grads?.some((g) => g !== null)))
        return [`${name}: no gradient in parity.json`];
      return [];
    });
    expect(missing).toEqual([]);
  });
});

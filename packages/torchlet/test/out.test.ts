import { readFileSync } from "node:fs";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { decode, type Encoded, expectClose, flatValues } from "./helpers.js";

// Replays fixtures/out.json, written by fixtures/gen_out.py with PyTorch 1.13: one op with `out=` per
// case, and what PyTorch wrote into out, or its error. Where PyTorch resizes a non-empty out of
// another shape (with a deprecation warning), torchlet refuses: its README says so.

interface Spec {
  shape: number[];
  dtype: torch.DType;
  data: Encoded[];
}
type OutKind = "fresh" | "grad" | "empty" | "wrongShape" | "expanded" | "transposed" | "input0" | "partial";
interface Case {
  name: string;
  op: string;
  inputs: Spec[];
  other?: number;
  args: unknown[];
  out: { kind: OutKind; shape: number[]; dtype: torch.DType };
  base?: Spec;
  grad: boolean;
  noGrad: boolean;
  expect: Spec | { error: string } | { resizeWarning: string };
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/out.json", import.meta.url), "utf8")) as {
  cases: Case[];
};
const registry = JSON.parse(readFileSync(new URL("../fixtures/ops.json", import.meta.url), "utf8")) as {
  name: string;
}[];
const REDUCTIONS = new Set(["sum", "mean", "amax", "amin", "prod"]);

const build = (s: Spec) => torch.tensor(s.data.map(decode), { dtype: s.dtype }).reshape(s.shape);

/** The case's operands and out, built as gen_out.py builds them. */
function setUp(c: Case): { inputs: torch.Tensor[]; out: torch.Tensor } {
  const inputs = c.inputs.map((s, i) => build(s).requiresGrad_(c.grad && i === 0));
  const { kind, shape, dtype } = c.out;
  const n = shape.reduce((a, b) => a * b, 1);
  if (kind === "partial") {
    const base = build(c.base as Spec);
    inputs[0] = base.narrow(0, 0, n);
    return { inputs, out: base.narrow(0, 1, n) };
  }
  const outOf: Record<Exclude<OutKind, "partial">, () => torch.Tensor> = {
    fresh: () => torch.zeros(shape, { dtype }),
    grad: () => torch.zeros(shape, { dtype, requiresGrad: true }),
    empty: () => torch.zeros([0], { dtype }),
    wrongShape: () => torch.zeros([n + 1], { dtype }),
    expanded: () => torch.zeros([1], { dtype }).expand(shape),
    transposed: () => torch.zeros([...shape].reverse(), { dtype }).t(),
    input0: () => inputs[0] as torch.Tensor,
  };
  return { inputs, out: outOf[kind]() };
}

function run(c: Case, inputs: torch.Tensor[], out: torch.Tensor): torch.Tensor {
  const [first, ...rest] = inputs as [torch.Tensor, ...torch.Tensor[]];
  const operands: unknown[] = [...rest, ...(c.other === undefined ? [] : [c.other])];
  // Reductions take (dim, keepdim, options): keepdim defaults to false, as in PyTorch.
  const args = REDUCTIONS.has(c.op) ? [c.args[0], c.args[1] ?? false] : c.args;
  const method = (first as unknown as Record<string, (...a: unknown[]) => torch.Tensor>)[c.op];
  if (typeof method !== "function") throw new Error(`fixture names an unknown method ${c.op}`);
  const call = () => method.apply(first, [...operands, ...args, { out }]);
  return c.noGrad ? torch.noGrad(call) : call();
}

/** PyTorch's message, without what torchlet adds in parentheses and after ';' (shapes, hints). */
const core = (message: string) =>
  message
    .replace(/ \([^)]*\)/g, "")
    .replace(/;.*$/, "")
    .toLowerCase();

describe("out= as PyTorch 1.13", () => {
  it("covers every elementwise op of the registry", () => {
    const covered = new Set(
      fixture.cases.filter((c) => c.name.endsWith("into a fresh out")).map((c) => c.op),
    );
    for (const { name } of registry) expect(covered, name).toContain(name);
  });

  describe.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    it("writes what PyTorch writes, or raises its error", () => {
      const { inputs, out } = setUp(c);
      const before = out.numel() > 0 ? flatValues(out) : [];
      const version = out._version.value;
      const expected = c.expect;
      if ("error" in expected || "resizeWarning" in expected) {
        let caught: unknown;
        try {
          run(c, inputs, out);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(torch.TorchletError);
        const message = (caught as Error).message;
        if ("error" in expected) expect(core(message)).toContain(expected.error.toLowerCase());
        else expect(message).toContain("out has shape");
        // nothing written
        if (out.numel() > 0) expect(flatValues(out)).toEqual(before);
        expect(out._version.value).toBe(version);
        return;
      }
      const result = run(c, inputs, out);
      expect(result).toBe(out);
      expect(out._version.value).toBe(version + 1);
      expect(out.shape).toEqual(expected.shape);
      expect(out.dtype).toBe(expected.dtype);
      // computed in float32 (PyTorch's vectorised exp, sin, ... may differ by an ulp), else exactly
      const float32 = out.dtype === "float32" || c.inputs.some((s) => s.dtype === "float32");
      expectClose(flatValues(out), expected.data.map(decode), float32 ? 1e-5 : 1e-12, c.name);
    });
  });
});

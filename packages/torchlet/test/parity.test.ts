import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { decode, expectClose, flatValues } from "./helpers.js";
import {
  errorNaming,
  fixture,
  isFloatingDType,
  KNOWN_NAME_DIFFERENCES,
  type Out,
  outputsOf,
  run,
  setUp,
  upstreamLoss,
} from "./parity-replay.js";

// Replays fixtures/parity.json, written by fixtures/gen_parity.py with PyTorch 1.13: every op's
// output, dtype, storage sharing, grad_fn name and gradients for a random upstream gradient.

describe.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
  const { built, values } = setUp(c);

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
      expect((thrown as Error).message).toMatch(errorNaming(c));
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
      expect(out._array.source === first._array.source, "shares storage").toBe(c.sharesStorage);
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
    const loss = upstreamLoss(c, outs);
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

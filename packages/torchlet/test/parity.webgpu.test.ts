import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { readValues, skipReason, tolerance } from "./float32-tolerances.js";
import { decode, type Encoded, expectClose } from "./helpers.js";
import {
  type Case,
  errorNaming,
  fixture,
  isFloatingDType,
  KNOWN_NAME_DIFFERENCES,
  type Out,
  outputsOf,
  run,
  setUp,
  tensorSpecs,
  upstreamLoss,
} from "./parity-replay.js";
import { available, skipNote } from "./webgpu/adapter.js";

// fixtures/parity.json (PyTorch 1.13) replayed on webgpu: every case's operands are created on the
// device, the op runs there (through a WGSL kernel, or through the CPU where the op has none), and its
// outputs and gradients are read back with the asynchronous readers and compared with PyTorch's within
// float32 tolerances (float32-tolerances.ts, and the README's "Tolerances"). Cases the device cannot hold (float64,
// int64 beyond 32 bits) are skipped with the reason in their names; the ops whose result size depends
// on the values are refused on webgpu, and their cases check that refusal.

/**
 * Ops refused on webgpu (README: the size of their result, or of masked_scatter's gradient, depends on
 * the values): their cases check that the refusal is a TorchletError pointing at cpuAsync.
 */
const REFUSED = new Set(["index", "index_put_", "masked_select", "masked_scatter"]);
const isRefusal = (c: Case, e: unknown) =>
  REFUSED.has(c.op) && e instanceof torch.TorchletError && /cpuAsync/.test(e.message);

function expectedOuts(c: Case): Out[] {
  return c.outs ?? (c.out ? [c.out] : []);
}

describe.skipIf(!available)(`parity.json on webgpu${skipNote}`, () => {
  describe.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const skip = skipReason(tensorSpecs(c), expectedOuts(c), c.args);
    if (skip) {
      it.skip(`[skipped on webgpu: ${skip}]`, () => {});
      return;
    }

    if (c.error !== undefined) {
      it(`throws a TorchletError as the CPU does (PyTorch: ${c.error}), and leaves the operands as they were`, async () => {
        const { built, values } = setUp(c, "webgpu");
        const before = await Promise.all(built.map((b) => (b ? readValues(b.value) : null)));
        let thrown: unknown = null;
        try {
          // An error that depends on the values (an index out of range) surfaces at the next read.
          await Promise.all(outputsOf(run(c, values)).map((t) => t.cpuAsync()));
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(torch.TorchletError);
        expect((thrown as Error).message).toMatch(errorNaming(c));
        const after = await Promise.all(built.map((b) => (b ? readValues(b.value) : null)));
        expect(after).toEqual(before);
      });
      return;
    }

    it(`gives PyTorch's outputs (float32 tolerance), dtype, layout and gradients on the device${REFUSED.has(c.op) ? ", or refuses the op as the README says" : ""}`, async () => {
      try {
        await replay(c);
      } catch (e) {
        if (!isRefusal(c, e)) throw e;
      }
    });
  });
});

async function replay(c: Case): Promise<void> {
  const { built, values } = setUp(c, "webgpu");
  const result = run(c, values);
  const outs = outputsOf(result);
  const wants = expectedOuts(c);
  expect(outs.length, "number of outputs").toBe(wants.length);
  for (const [k, out] of outs.entries()) {
    const want = wants[k] as Out;
    expect(out.device, `output ${k} device`).toBe("webgpu");
    expect(out.shape).toEqual(want.shape);
    expect(out.dtype).toBe(want.dtype);
    const got = await readValues(out);
    if (isFloatingDType(want.dtype)) {
      const { rtol, atol } = tolerance(c.op, "output");
      expectClose(got, want.data.map(decode), rtol, `output ${k}`, atol);
    } else expect(got, `output ${k}`).toEqual(want.data.map(decode));
    expect(out._array.isContiguous(), "contiguity").toBe(want.contiguous);
    expect(out.requiresGrad, "requiresGrad").toBe(want.requiresGrad);
  }
  const out = outs[0] as torch.Tensor;
  if (c.sharesStorage !== undefined) {
    const first = values[0] as torch.Tensor;
    expect(out._array.source === first._array.source, "shares storage").toBe(c.sharesStorage);
  }
  if (!(c.name in KNOWN_NAME_DIFFERENCES)) expect(out.gradFn?.name ?? null).toBe(c.gradFn);
  if (!c.upstream || !c.grads) return;
  upstreamLoss(c, outs).backward();
  for (const [i, g] of c.grads.entries()) {
    if (g === null) continue;
    const leaf = built[i]?.leaf as torch.Tensor;
    expect(leaf.grad, `grad of input ${i}`).not.toBeNull();
    const grad = leaf.grad as torch.Tensor;
    expect(grad.device).toBe("webgpu");
    expect(grad.shape).toEqual(leaf.shape);
    const { rtol, atol } = tolerance(c.op, "gradient");
    expectClose(await readValues(grad), (g as Encoded[]).map(decode), rtol, `grad of input ${i}`, atol);
  }
}

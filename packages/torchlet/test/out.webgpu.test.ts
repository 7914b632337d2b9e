import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { readValues, skipReason, tolerance } from "./float32-tolerances.js";
import { decode, expectClose } from "./helpers.js";
import { type Case, core, fixture, run, setUp } from "./out-replay.js";
import { available, skipNote } from "./webgpu/adapter.js";

// fixtures/out.json (PyTorch 1.13) replayed on webgpu: operands and out are created on the device,
// the op writes into out there, and out is read back with the asynchronous readers and compared with
// what PyTorch wrote within float32 tolerances (float32-tolerances.ts); an error leaves out as it was. Cases the
// device cannot hold (float64, int64 beyond 32 bits) are skipped with the reason in their names.

function skip(c: Case): string | null {
  const written = "data" in c.expect ? [c.expect] : [];
  const outDtype = { dtype: c.out.dtype, data: [] };
  return skipReason([...c.inputs, ...(c.base ? [c.base] : []), outDtype], written, c.args);
}

describe.skipIf(!available)(`out.json on webgpu${skipNote}`, () => {
  describe.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const reason = skip(c);
    if (reason) {
      it.skip(`[skipped on webgpu: ${reason}]`, () => {});
      return;
    }
    it("writes what PyTorch writes (float32 tolerance), or raises its error, on the device", async () => {
      const { inputs, out } = setUp(c, "webgpu");
      const before = await readValues(out);
      const version = out._version.value;
      const expected = c.expect;
      if ("error" in expected || "resizeWarning" in expected) {
        let caught: unknown;
        try {
          await run(c, inputs, out).cpuAsync();
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(torch.TorchletError);
        const message = (caught as Error).message;
        if ("error" in expected) expect(core(message)).toContain(expected.error.toLowerCase());
        else expect(message).toContain("out has shape");
        expect(await readValues(out)).toEqual(before);
        expect(out._version.value).toBe(version);
        return;
      }
      const result = run(c, inputs, out);
      expect(result).toBe(out);
      expect(out.device).toBe("webgpu");
      expect(out._version.value).toBe(version + 1);
      expect(out.shape).toEqual(expected.shape);
      expect(out.dtype).toBe(expected.dtype);
      const { rtol, atol } = tolerance(c.op, "output");
      expectClose(await readValues(out), expected.data.map(decode), rtol, c.name, atol);
    });
  });
});

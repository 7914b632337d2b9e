import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { decode, expectClose, flatValues } from "./helpers.js";
import { core, fixture, registry, run, setUp } from "./out-replay.js";

// Replays fixtures/out.json, written by fixtures/gen_out.py with PyTorch 1.13: one op with `out=` per
// case, and what PyTorch wrote into out, or its error. Where PyTorch resizes a non-empty out of
// another shape (with a deprecation warning), torchlet refuses: its README says so.

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

import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { name, OPS, type Op, type Operand, operand, rows } from "./promotion-replay.js";
import { available, skipNote } from "./webgpu/adapter.js";

// fixtures/promotion/promotion.json (PyTorch 1.13's result dtypes) on webgpu: every row's operands
// are created on the device (numbers stay numbers, 0-d tensors are device tensors), and each op gives
// PyTorch's dtype there, and the CPU's values (ones combined: exact), or a TorchletError where PyTorch
// raises. Rows with a float64 operand are skipped, naming the reason.

const onDevice = (o: Operand) => o.kind !== "number" && o.dtype === "float64";

describe.skipIf(!available)(`promotion.json on webgpu${skipNote}`, () => {
  describe.each(Object.keys(OPS) as Op[])("%s promotes as PyTorch", (op) => {
    for (const r of rows) {
      const key = `${op}(${name(r.a)}, ${name(r.b)})`;
      const want = r[op];
      if (onDevice(r.a) || onDevice(r.b) || want === "float64") {
        it.skip(`${key} [skipped on webgpu: float64 has no WGSL type; webgpu refuses it, as PyTorch's MPS does]`, () => {});
        continue;
      }
      it(`${key} -> ${typeof want === "string" ? want : "error"}`, async () => {
        const shape = [2, 3];
        const bShape = r.b.kind === "tensor" && r.a.kind === "tensor" ? shape : [2];
        const a = operand(r.a, shape, "webgpu") as torch.Tensor;
        const b = operand(r.b, bShape, "webgpu");
        if (typeof want !== "string") {
          expect(() => OPS[op](a, b)).toThrow(torch.TorchletError);
          return;
        }
        const result = OPS[op](a, b);
        expect(result.device).toBe("webgpu");
        expect(result.dtype).toBe(want);
        const cpu = OPS[op](operand(r.a, shape) as torch.Tensor, operand(r.b, bShape));
        expect(await result.tolistAsync()).toEqual(cpu.tolist());
      });
    }
  });
});

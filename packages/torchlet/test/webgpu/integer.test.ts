import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";
import { expectLike, expectNoFallback, gpu } from "./compare.js";

const OPS = ["add", "sub", "mul", "remainder", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
const UNARY = ["neg", "abs", "sign", "relu", "square", "floor", "ceil", "trunc", "round"];
/** The int64 ops whose results could leave the i32 range webgpu holds int64 in: they run through the CPU. */
const WIDENING = ["add", "sub", "mul", "square"];

type Binary = (x: torch.Tensor, y: torch.Tensor | number) => torch.Tensor;
const binary =
  (op: string): Binary =>
  (x, y) =>
    (x as unknown as Record<string, (o: torch.Tensor | number) => torch.Tensor>)[op]?.(y) as torch.Tensor;
const unary = (op: string) => (x: torch.Tensor) =>
  (x as unknown as Record<string, () => torch.Tensor>)[op]?.() as torch.Tensor;

// The fallback log is kept per op name, not per dtype: the tests of int32 (and of the int64 ops that
// run on the GPU) come first and check that none was taken; the last test takes the CPU path on purpose.

describe.skipIf(!available)(
  `int32 and int64 elementwise ops and sums on webgpu${skipNote}`,
  { timeout: 120_000 },
  () => {
    // SwiftShader compiles a pipeline per kernel on the first call: seconds on a busy machine
    const a = torch.tensor(
      [
        [7, -7, 0, 2147483647, -2147483648],
        [100000, -3, 9, 65536, 12],
      ],
      { dtype: "int32" },
    );
    const b = torch.tensor([3, 2, -4, 1, -5], { dtype: "int32" });

    it("binary ops of int32 (broadcast, strided, a number) wrap around as the CPU's int32", async () => {
      for (const op of OPS) {
        const f = binary(op);
        await expectLike(f(gpu(a), gpu(b)), f(a, b));
        await expectLike(f(gpu(a).t(), gpu(b).unsqueeze(1)), f(a.t(), b.unsqueeze(1)));
        if (op === "maximum" || op === "minimum") continue; // they take no number, as PyTorch's
        await expectLike(f(gpu(a), 3), f(a, 3));
        await expectLike(f(gpu(a), -6), f(a, -6));
      }
      // remainder takes the divisor's sign, as Python's %
      expect(
        await gpu(torch.tensor([7, -7, 7, -7], { dtype: "int32" }))
          .remainder(gpu(torch.tensor([3, 3, -3, -3], { dtype: "int32" })))
          .tolistAsync(),
      ).toEqual([1, 2, -2, -1]);
      expectNoFallback(OPS);
    });

    it("int64 operands (held as i32): remainder, maximum, minimum, comparisons; mixed int32/int64", async () => {
      const x = a.narrow(1, 0, 3).to("int64").mul(1000);
      const y = b.narrow(0, 0, 3).to("int64");
      const onGpu = OPS.filter((op) => !WIDENING.includes(op));
      for (const op of onGpu) {
        const f = binary(op);
        await expectLike(f(gpu(x), gpu(y)), f(x, y));
        await expectLike(f(gpu(x), gpu(y.to("int32"))), f(x, y.to("int32")));
        if (op !== "maximum" && op !== "minimum") await expectLike(f(gpu(x), 5), f(x, 5));
      }
      expectNoFallback(onGpu);
    });

    it("unary ops of int32 and int64", async () => {
      // products beyond 2^53 are where the CPU's int32 products (computed in doubles) lose bits
      const moderate = a.clamp(-40000, 40000);
      for (const op of UNARY) {
        await expectLike(
          unary(op)(gpu(op === "square" ? moderate : a).t()),
          unary(op)((op === "square" ? moderate : a).t()),
        );
        if (!WIDENING.includes(op))
          await expectLike(unary(op)(gpu(moderate.to("int64"))), unary(op)(moderate.to("int64")));
      }
      expectNoFallback(UNARY);
    });

    it("int32 products wrap around as PyTorch's (its values, from torch 1.13)", async () => {
      const big = gpu(torch.tensor([2147483647, -2147483648, 100000], { dtype: "int32" }));
      expect(await big.square().tolistAsync()).toEqual([1, 0, 1410065408]);
      expect(await big.mul(3).tolistAsync()).toEqual([2147483645, -2147483648, 300000]);
      expect(await big.neg().tolistAsync()).toEqual([-2147483647, -2147483648, -100000]);
      expect(await big.abs().tolistAsync()).toEqual([2147483647, -2147483648, 100000]);
    });

    it("where with int operands, and counts of bool elements (int64 sums, through the CPU)", async () => {
      const cond = torch.tensor([true, false, true, false, true]);
      const y = a.sub(1).t().contiguous().t().narrow(0, 0, 1); // strided, broadcast
      await expectLike(torch.where(gpu(cond), gpu(a), gpu(y)), torch.where(cond, a, y));
      const wide = a.clamp(-100000, 100000).to("int64");
      await expectLike(torch.where(gpu(cond), gpu(wide), 4), torch.where(cond, wide, 4));
      const t = a.gt(0);
      await expectLike(gpu(t).sum(), t.sum());
      await expectLike(gpu(t).t().sum(0), t.t().sum(0));
      await expectLike(gpu(t).sum(-1, true), t.sum(-1, true));
      expectNoFallback(["where"]);
    });

    it("an integer division by zero raises: at once for a number, at the next read for a tensor", async () => {
      expect(() => gpu(a).remainder(0)).toThrow(/remainder: ZeroDivisionError: integer division by zero/);
      const r = gpu(a).remainder(gpu(b.sub(1)));
      expect(r.shape).toEqual([2, 5]);
      await expect(r.data()).rejects.toThrow(
        /remainder: ZeroDivisionError: integer division by zero \(int32 \[2,5\] by int32 \[5\] holding 0\) \(raised at this read/,
      );
      await expectLike(gpu(a).remainder(gpu(b)), a.remainder(b));
      expectNoFallback(["remainder"]);
    });

    it("int64 sums and products, and int32 sums, run through the CPU: exact, and beyond ±(2^31 - 1) an error", async () => {
      const x = a.narrow(1, 0, 3).to("int64").mul(1000);
      const y = b.narrow(0, 0, 3).to("int64");
      for (const op of WIDENING.filter((o) => o !== "square"))
        await expectLike(binary(op)(gpu(x), gpu(y)), binary(op)(x, y));
      const small = a.remainder(1000);
      for (const t of [small, small.to("int64")]) await expectLike(gpu(t).sum(0), t.sum(0));
      const big = gpu(torch.tensor([2000000000, 2000000000], { dtype: "int64" }));
      const sum = big.add(big);
      await expect(sum.data()).rejects.toThrow(/add: webgpu holds int64 values within ±2147483647/);
    });
  },
);

import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";
import { expectLike, expectNoFallback, gpu } from "./compare.js";

const OPS = ["add", "sub", "mul", "remainder", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
const UNARY = ["neg", "abs", "sign", "relu", "square", "floor", "ceil", "trunc", "round"];

describe.skipIf(!available)(`int32 and int64 elementwise ops and sums on webgpu${skipNote}`, () => {
  afterAll(() => expectNoFallback([...OPS, ...UNARY, "where", "sum"]));

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
      const f = (x: torch.Tensor, y: torch.Tensor | number) =>
        (x as unknown as Record<string, (o: torch.Tensor | number) => torch.Tensor>)[op]?.(y) as torch.Tensor;
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
  });

  it("int64 operands (held as i32) within ±(2^31 - 1), and mixed int32/int64", async () => {
    const x = a.narrow(1, 0, 3).to("int64").mul(1000);
    const y = b.narrow(0, 0, 3).to("int64");
    for (const op of OPS) {
      const f = (u: torch.Tensor, v: torch.Tensor | number) =>
        (u as unknown as Record<string, (o: torch.Tensor | number) => torch.Tensor>)[op]?.(v) as torch.Tensor;
      await expectLike(f(gpu(x), gpu(y)), f(x, y));
      await expectLike(f(gpu(x), gpu(y.to("int32"))), f(x, y.to("int32")));
      if (op !== "maximum" && op !== "minimum") await expectLike(f(gpu(x), 5), f(x, 5));
    }
  });

  it("unary ops of int32 and int64", async () => {
    // products beyond 2^53 are where the CPU's int32 products (computed in doubles) lose bits; int64
    // results stay within the ±(2^31 - 1) webgpu holds
    const moderate = a.clamp(-40000, 40000);
    for (const op of UNARY) {
      for (const t of [op === "square" ? moderate : a, moderate.to("int64")]) {
        const f = (u: torch.Tensor) =>
          (u as unknown as Record<string, () => torch.Tensor>)[op]?.() as torch.Tensor;
        await expectLike(f(gpu(t).t()), f(t.t()));
      }
    }
  });

  it("int32 products wrap around as PyTorch's (its values, from torch 1.13)", async () => {
    const big = gpu(torch.tensor([2147483647, -2147483648, 100000], { dtype: "int32" }));
    expect(await big.square().tolistAsync()).toEqual([1, 0, 1410065408]);
    expect(await big.mul(3).tolistAsync()).toEqual([2147483645, -2147483648, 300000]);
    expect(await big.neg().tolistAsync()).toEqual([-2147483647, -2147483648, -100000]);
    expect(await big.abs().tolistAsync()).toEqual([2147483647, -2147483648, 100000]);
  });

  it("where with int operands, and sums of int32, int64 and bool into int64", async () => {
    const cond = torch.tensor([true, false, true, false, true]);
    const y = a.sub(1).t().contiguous().t().narrow(0, 0, 1); // strided, broadcast
    await expectLike(torch.where(gpu(cond), gpu(a), gpu(y)), torch.where(cond, a, y));
    const wide = a.clamp(-100000, 100000).to("int64");
    await expectLike(torch.where(gpu(cond), gpu(wide), 4), torch.where(cond, wide, 4));
    const small = a.remainder(1000);
    for (const t of [small, small.to("int64"), a.gt(0)]) {
      await expectLike(gpu(t).sum(), t.sum());
      await expectLike(gpu(t).t().sum(0), t.t().sum(0));
      await expectLike(gpu(t).sum(-1, true), t.sum(-1, true));
    }
  });

  it("an integer division by zero raises: at once for a number, at the next read for a tensor", async () => {
    expect(() => gpu(a).remainder(0)).toThrow(/remainder: ZeroDivisionError: integer division by zero/);
    const r = gpu(a).remainder(gpu(b.sub(1)));
    expect(r.shape).toEqual([2, 5]);
    await expect(r.data()).rejects.toThrow(
      /remainder: ZeroDivisionError: integer division by zero \(int32 \[2,5\] by int32 \[5\] holding 0\) \(raised at this read/,
    );
    await expectLike(gpu(a).remainder(gpu(b)), a.remainder(b));
  });
});

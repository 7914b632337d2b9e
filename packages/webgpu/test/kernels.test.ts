import {
  type Backend,
  type DeviceBackend,
  deviceBackend,
  ELEMENTWISE,
  referenceBackend,
} from "@torchlet/ops";
import { type DType, StridedArray, TorchletError } from "@torchlet/storage";
import { describe, expect, it, vi } from "vitest";
import { currentQueue } from "../src/device.js";
import { available, skipNote } from "./adapter.js";

// Every WebGPU kernel against the reference CPU kernel on the same inputs. The GPU computes in float32
// where the CPU computes in double and rounds once, so values agree within RTOL relative plus ATOL
// absolute (exp, pow and erf use WGSL's or our float32 approximations); copies, comparisons and index
// values agree exactly. WGSL allows sin and cos an absolute error of 2^-11 on [-pi, pi] (SwiftShader
// stays within 3e-5), so those two get the specification's bound.
const RTOL = 1e-5;
const ATOL = 1e-6;
const SPEC_ATOL: Partial<Record<string, number>> = { sin: 2 ** -11, cos: 2 ** -11 };

/** Deterministic values in [lo, hi): a 32-bit LCG, so failures reproduce. */
function sample(n: number, [lo, hi]: readonly [number, number], seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

const cpuArray = (values: Float32Array, shape: number[]) => StridedArray.fromFlat(values, shape);

describe.skipIf(!available)(`WebGPU kernels${skipNote}`, () => {
  const gpu = (): DeviceBackend => deviceBackend("test", "webgpu");
  const up = (a: StridedArray) => gpu().upload(a, "test");
  const down = async (a: StridedArray) => (await gpu().download(a)).toNested();

  async function expectClose(actual: StridedArray, expected: StridedArray, atol = ATOL): Promise<void> {
    expect(actual.device).toBe("webgpu");
    expect(actual.shape).toEqual(expected.shape);
    expect(actual.dtype).toBe(expected.dtype);
    const got = (await gpu().download(actual)).flat();
    const want = expected.copy().flat();
    for (let i = 0; i < want.length; i++) {
      const w = want[i] as number;
      const g = got[i] as number;
      if (Number.isNaN(w)) expect(g).toBeNaN();
      else expect(Math.abs(g - w)).toBeLessThanOrEqual(atol + RTOL * Math.abs(w));
    }
  }

  describe("elementwise ops generated from the op records", () => {
    for (const [op, record] of Object.entries(ELEMENTWISE)) {
      it(`${op}: same shape, broadcast and transposed operands`, async () => {
        const x = cpuArray(sample(15, record.domain, 1), [3, 5]);
        const y = cpuArray(sample(5, record.domain, 2), [5]);
        const xt = cpuArray(sample(15, record.domain, 3), [5, 3]).transpose(0, 1);
        const out: DType = record.dtype.result === "bool" ? "bool" : "float32";
        const atol = SPEC_ATOL[op] ?? ATOL;
        if (record.arity === 1) {
          const unary = op as Parameters<Backend["unary"]>[0];
          await expectClose(gpu().unary(unary, up(x), out), referenceBackend.unary(unary, x, out), atol);
          await expectClose(gpu().unary(unary, up(xt), out), referenceBackend.unary(unary, xt, out), atol);
        } else {
          const binary = op as Parameters<Backend["binary"]>[0];
          await expectClose(
            gpu().binary(binary, up(x), up(y), out),
            referenceBackend.binary(binary, x, y, out),
          );
          await expectClose(
            gpu().binary(binary, up(xt), up(x), out),
            referenceBackend.binary(binary, xt, x, out),
          );
        }
      });
    }

    it("a 0-d CPU operand (a wrapped number) goes with a GPU array", async () => {
      const x = cpuArray(sample(6, [-2, 2], 4), [2, 3]);
      const two = cpuArray(new Float32Array([2]), []);
      await expectClose(
        gpu().binary("mul", up(x), two, "float32"),
        referenceBackend.binary("mul", x, two, "float32"),
      );
      await expectClose(
        gpu().binary("sub", two, up(x), "float32"),
        referenceBackend.binary("sub", two, x, "float32"),
      );
    });

    it("pow of negative bases: integer exponents as PyTorch, NaN otherwise, x ** 2 exactly x * x", async () => {
      const x = cpuArray(new Float32Array([-2, -2, -2, 0, 0, -1.5]), [6]);
      const y = cpuArray(new Float32Array([2, 3, 0.5, 2, -1, 2]), [6]);
      expect(await down(gpu().binary("pow", up(x), up(y), "float32"))).toEqual([
        4,
        -8,
        Number.NaN,
        0,
        Number.POSITIVE_INFINITY,
        2.25,
      ]);
    });

    it("where and relu's backward", async () => {
      const x = cpuArray(sample(12, [-1, 1], 5), [3, 4]);
      const g = cpuArray(sample(12, [-1, 1], 6), [3, 4]);
      const zero = cpuArray(new Float32Array([0]), []);
      const mask = referenceBackend.binary("gt", x, zero, "bool");
      await expectClose(
        gpu().where(up(mask), up(x), up(g), "float32"),
        referenceBackend.where(mask, x, g, "float32"),
      );
      await expectClose(
        gpu().thresholdBackward(up(g), up(x), 0),
        referenceBackend.thresholdBackward(g, x, 0),
      );
    });
  });

  describe("matmul: direct below a tile, tiled from 16 in every direction", () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [17, 33, 5],
      [100, 3, 32],
      [64, 16, 48],
      [40, 35, 18],
      [3, 0, 4],
    ];
    for (const [m, k, n] of shapes) {
      it(`mm [${m}, ${k}] x [${k}, ${n}], and with a transposed operand`, async () => {
        const a = cpuArray(sample(m * k, [-1, 1], m), [m, k]);
        const b = cpuArray(sample(k * n, [-1, 1], n), [k, n]);
        await expectClose(gpu().mm(up(a), up(b), "float32"), referenceBackend.mm(a, b, "float32"));
        const bt = cpuArray(sample(k * n, [-1, 1], 9), [n, k]).transpose(0, 1);
        await expectClose(gpu().mm(up(a), up(bt), "float32"), referenceBackend.mm(a, bt, "float32"));
      });
    }

    it("bmm over a batch, and over a stride-0 (broadcast) batch, direct and tiled", async () => {
      const a = cpuArray(sample(3 * 20 * 7, [-1, 1], 11), [3, 20, 7]);
      const b = cpuArray(sample(3 * 7 * 18, [-1, 1], 12), [3, 7, 18]);
      await expectClose(gpu().bmm(up(a), up(b), "float32"), referenceBackend.bmm(a, b, "float32"));
      const shared = cpuArray(sample(7 * 18, [-1, 1], 13), [1, 7, 18]);
      await expectClose(
        gpu().bmm(up(a), up(shared).expand([3, 7, 18]), "float32"),
        referenceBackend.bmm(a, shared.expand([3, 7, 18]), "float32"),
      );
      const big = cpuArray(sample(2 * 20 * 17, [-1, 1], 14), [2, 20, 17]);
      const wide = cpuArray(sample(17 * 18, [-1, 1], 15), [1, 17, 18]).expand([2, 17, 18]);
      await expectClose(gpu().bmm(up(big), up(wide), "float32"), referenceBackend.bmm(big, wide, "float32"));
    });

    it("refuses shapes that do not multiply, naming the op and shapes", () => {
      const a = up(cpuArray(new Float32Array(6), [2, 3]));
      expect(() => gpu().mm(a, a, "float32")).toThrow("mm: cannot multiply shapes [2,3] and [2,3]");
    });
  });

  describe("sum and mean", () => {
    const x = cpuArray(sample(2 * 3 * 70, [-1, 1], 21), [2, 3, 70]);
    const cases: [string, number[], boolean][] = [
      ["all", [0, 1, 2], false],
      ["dim 0", [0], false],
      ["dim 2 keepdim", [2], true],
      ["dims 0 and 2", [0, 2], false],
    ];
    for (const op of ["sum", "mean"] as const) {
      for (const [what, dims, keepdim] of cases) {
        it(`${op} over ${what}, of a contiguous and of a permuted input`, async () => {
          await expectClose(
            gpu().reduce(op, up(x), dims, keepdim),
            referenceBackend.reduce(op, x, dims, keepdim),
          );
          const p = x.permute([2, 0, 1]);
          await expectClose(
            gpu().reduce(op, up(x).permute([2, 0, 1]), dims, keepdim),
            referenceBackend.reduce(op, p, dims, keepdim),
          );
        });
      }
    }
  });

  describe("transfers, copies and fills", () => {
    it("round-trips every dtype it holds, exactly", async () => {
      const ints = StridedArray.fromFlat(new Int32Array([2 ** 30 + 1, -7, 0]), [3]);
      const int64 = StridedArray.fromFlat(new Float64Array([2 ** 31 - 1, -(2 ** 31 - 1), 5]), [3], "int64");
      const bools = StridedArray.fromFlat(new Uint8Array([1, 0, 1]), [3], "bool");
      for (const a of [ints, int64, bools]) {
        const back = await gpu().download(up(a));
        expect(back.dtype).toBe(a.dtype);
        expect(back.toNested()).toEqual(a.toNested());
        expect((await gpu().download(gpu().copy(up(a).narrow(0, 1, 2), a.dtype))).toNested()).toEqual(
          a.narrow(0, 1, 2).toNested(),
        );
      }
    });

    it("refuses float64 and int64 beyond 32 bits with a TorchletError naming the op", () => {
      expect(() => up(StridedArray.fromFlat(new Float64Array([1]), [1]))).toThrow(
        /test: webgpu holds float32, int32, int64 and bool tensors.*float64/,
      );
      const big = StridedArray.fromFlat(new Float64Array([2 ** 40]), [1], "int64");
      expect(() => up(big)).toThrow(TorchletError);
    });

    it("copyInto a strided view, also from a view of the same buffer, and fill", async () => {
      const a = up(cpuArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]));
      gpu().copyInto(a.select(0, 0), a.select(0, 1));
      expect(await down(a)).toEqual([
        [4, 5, 6],
        [4, 5, 6],
      ]);
      gpu().fill(a.select(1, 2), 9, "fill_");
      expect(await down(a)).toEqual([
        [4, 5, 9],
        [4, 5, 9],
      ]);
      const i = up(StridedArray.fromFlat(new Int32Array(3), [3]));
      gpu().fill(i, 2 ** 30 + 3, "fill_");
      expect(await down(i)).toEqual([2 ** 30 + 3, 2 ** 30 + 3, 2 ** 30 + 3]);
    });
  });

  describe("ops without a kernel and scheduling", () => {
    it("run through the CPU, warning once with the op's name", async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      const x = cpuArray(sample(12, [-2, 2], 31), [3, 4]);
      await expectClose(
        gpu().reduceDims("var", up(x), [1], false),
        referenceBackend.reduceDims("var", x, [1], false),
      );
      await expectClose(
        gpu().reduceDims("var", up(x), [0], true),
        referenceBackend.reduceDims("var", x, [0], true),
      );
      const named = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes("var"));
      warn.mockRestore();
      expect(named).toHaveLength(1);
      expect(named[0]).toContain("runs on the CPU");
    });

    it("encodes ops into batches and submits when read, not once per op", async () => {
      const q = currentQueue();
      if (!q) throw new Error("no queue");
      let a = up(cpuArray(new Float32Array([1, 2, 3]), [3]));
      const one = cpuArray(new Float32Array([1]), []);
      await down(a);
      const before = { ...q.counters };
      for (let i = 0; i < 50; i++) a = gpu().binary("add", a, one, "float32");
      expect(q.counters.submits).toBe(before.submits);
      expect(await down(a)).toEqual([51, 52, 53]);
      expect(q.counters.dispatches - before.dispatches).toBe(50);
      expect(q.counters.submits - before.submits).toBe(1);
    });
  });
});

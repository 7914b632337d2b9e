import { type Backend, backend, deviceBackend, referenceBackend, setBackend } from "@torchlet/ops";
import { StridedArray } from "@torchlet/storage";
import { describe, expect, it, vi } from "vitest";
import { webgpuBackend } from "../src/backend.js";
import { currentQueue } from "../src/device.js";
import { available, skipNote } from "./adapter.js";

// The webgpu backend is complete by construction: every kernel of the CPU backend without a WGSL
// kernel runs through the CPU (fallback.ts), including kernels the seam gains after this package was
// written, here two added to the CPU backend at run time.

/** A CPU backend with two kernels the seam does not have: one returning a result, one writing in place. */
interface Extended extends Backend {
  twice(a: StridedArray): StridedArray;
  negateInto(dst: StridedArray): void;
}

describe.skipIf(!available)(`CPU fallback of kernels without WGSL${skipNote}`, () => {
  it("the webgpu backend has every kernel of the CPU backend", () => {
    const gpu = deviceBackend("test", "webgpu") as unknown as Record<string, unknown>;
    const missing = Object.keys(referenceBackend).filter((k) => typeof gpu[k] !== "function");
    expect(missing).toEqual(["name"]);
  });

  it("a kernel added to the seam later runs on webgpu through the CPU, warned once, with the CPU's result", async () => {
    const q = currentQueue();
    if (!q) throw new Error("no queue");
    const cpu = backend();
    const two = StridedArray.fromFlat(new Float32Array([2]), []);
    const extended: Extended = {
      ...cpu,
      name: "extended",
      twice: (a) => cpu.binary("mul", a, two, "float32"),
      negateInto: (dst) => {
        dst.forEachIndex((p) => {
          dst.data[p] = -(dst.data[p] as number);
        });
      },
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const previous = setBackend(extended);
    try {
      const gpu = webgpuBackend(q) as unknown as Extended & ReturnType<typeof webgpuBackend>;
      const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
      const onGpu = gpu.upload(a, "test");
      const doubled = gpu.twice(onGpu.transpose(0, 1));
      expect(doubled.device).toBe("webgpu");
      expect(doubled.shape).toEqual([3, 2]);
      expect((await gpu.download(gpu.twice(doubled))).toNested()).toEqual([
        [4, 16],
        [8, 20],
        [12, 24],
      ]);
      gpu.negateInto(onGpu.select(0, 1));
      expect((await gpu.download(onGpu)).toNested()).toEqual([
        [1, 2, 3],
        [-4, -5, -6],
      ]);
      const named = warn.mock.calls.map((c) => String(c[0])).filter((m) => /twice|negateInto/.test(m));
      expect(named).toHaveLength(2);
      expect(named[0]).toContain("twice (twice) has no WebGPU kernel");
      expect(named[1]).toContain("negateInto (negateInto) has no WebGPU kernel");
    } finally {
      setBackend(previous);
      warn.mockRestore();
    }
  });

  it("copyInto and fill without a kernel for the dtypes write into their destination through the CPU", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const gpu = deviceBackend("test", "webgpu");
    const flags = gpu.upload(StridedArray.fromFlat(new Uint8Array([0, 0, 0, 0]), [2, 2], "bool"), "test");
    gpu.fill(flags.select(1, 0), 1, "fill_");
    expect((await gpu.download(flags)).toNested()).toEqual([
      [true, false],
      [true, false],
    ]);
    const ints = gpu.upload(StridedArray.fromFlat(new Int32Array([1, 2, 3, 4]), [2, 2]), "test");
    const floats = gpu.upload(StridedArray.fromFlat(new Float32Array([7.9, -2.5]), [2]), "test");
    gpu.copyInto(ints.select(0, 0), floats);
    expect((await gpu.download(ints)).toNested()).toEqual([
      [7, -2],
      [3, 4],
    ]);
    const named = warn.mock.calls.map((c) => String(c[0]));
    expect(named.some((m) => m.includes("fill_ (fill)"))).toBe(true);
    expect(named.some((m) => m.includes("copy_ (copyInto)"))).toBe(true);
    warn.mockRestore();
  });

  it("operands without elements take the CPU kernel's result or error at once, without a warning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const gpu = deviceBackend("test", "webgpu");
    const empty = gpu.upload(StridedArray.zeros([0, 3], "float32"), "test");
    const variance = gpu.reduceDims("var", empty, [0], false);
    expect((await gpu.download(variance)).toNested()).toEqual(
      referenceBackend.reduceDims("var", StridedArray.zeros([0, 3], "float32"), [0], false).toNested(),
    );
    expect(() => gpu.reduceDims("amax", empty, [0], false)).toThrow(
      "amax: Expected reduction dim 0 to have non-zero size",
    );
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});

import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

describe("asynchronous readers on the CPU", () => {
  it("data, itemAsync, tolistAsync and cpuAsync give what the synchronous readers give", async () => {
    const t = torch.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(await t.data()).toEqual(new Float32Array([1, 2, 3, 4]));
    expect(await t.tolistAsync()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await t.sum().itemAsync()).toBe(10);
    expect(await t.cpuAsync()).toBe(t);
    expect(t.device).toBe("cpu");
  });
});

describe.skipIf(!available)(`tensors on webgpu${skipNote}`, () => {
  it("factories take { device }; t.to moves; *Like factories keep the device", async () => {
    const a = torch.tensor([[1, 2, 3]], { device: "webgpu" });
    expect(a.device).toBe("webgpu");
    expect(torch.zeros([2, 2], { device: "webgpu" }).device).toBe("webgpu");
    expect(torch.zerosLike(a).device).toBe("webgpu");
    expect(torch.randn([3], { device: "webgpu" }).device).toBe("webgpu");
    const b = torch.tensor([4, 5, 6]).to("webgpu");
    expect(b.device).toBe("webgpu");
    expect(b.to("webgpu")).toBe(b);
    expect(await a.add(b).tolistAsync()).toEqual([[5, 7, 9]]);
    const back = await a.cpuAsync();
    expect(back.device).toBe("cpu");
    expect(back.tolist()).toEqual([[1, 2, 3]]);
    expect(await torch.tensor([true, false], { device: "webgpu" }).data()).toEqual(new Uint8Array([1, 0]));
  });

  it("synchronous readers throw a TorchletError naming the asynchronous one", () => {
    const a = torch.tensor([1, 2], { device: "webgpu" });
    expect(() => a.item()).toThrow(/item: .* on webgpu.*await t\.itemAsync\(\)/);
    expect(() => a.tolist()).toThrow(/await t\.tolistAsync\(\)/);
    expect(() => a.toTypedArray()).toThrow(/await t\.data\(\)/);
    expect(() => a.toString()).toThrow(/await t\.cpuAsync\(\)/);
    expect(() => a.to("cpu")).toThrow(/to: .*await t\.cpuAsync\(\)/);
  });

  it("mixing devices is a TorchletError naming the op and the operands; a number goes anywhere", async () => {
    const g = torch.tensor([1, 2], { device: "webgpu" });
    const c = torch.tensor([1, 2]);
    expect(() => g.add(c)).toThrow(torch.TorchletError);
    expect(() => g.add(c)).toThrow(
      /add: expected all tensors on the same device, got float32 \[2\] on webgpu and float32 \[2\] on cpu/,
    );
    expect(() => c.mm(torch.ones([2, 2], { device: "webgpu" }).t())).toThrow(
      /mm: expected all tensors on the same device/,
    );
    expect(await g.mul(3).sub(1).tolistAsync()).toEqual([2, 5]);
    expect(await g.add(torch.tensor(10)).tolistAsync()).toEqual([11, 12]);
  });

  it("refuses dtypes WGSL cannot hold, and moving a tensor that requires grad while recording", () => {
    expect(() => torch.tensor([1], { dtype: "float64", device: "webgpu" })).toThrow(
      /webgpu holds float32, int32, int64 and bool/,
    );
    const w = torch.ones([2], { requiresGrad: true });
    expect(() => w.to("webgpu")).toThrow(/to: moving .* requires grad/);
    expect(torch.noGrad(() => w.to("webgpu")).device).toBe("webgpu");
  });

  it("autograd on the device gives the CPU's gradients (float32 tolerance)", async () => {
    torch.manualSeed(3);
    const x = torch.randn([5, 4]);
    const w = torch.randn([4, 3], { requiresGrad: true });
    const b = torch.randn([3], { requiresGrad: true });
    const loss = (xx: torch.Tensor, ww: torch.Tensor, bb: torch.Tensor) =>
      xx.mm(ww).add(bb).relu().sigmoid().mul(xx.sum(1, true)).pow(2).mean();
    loss(x, w, b).backward();
    const wg = torch.noGrad(() => w.detach().to("webgpu")).requiresGrad_(true);
    const bg = torch.noGrad(() => b.detach().to("webgpu")).requiresGrad_(true);
    const l = loss(x.to("webgpu"), wg, bg);
    l.backward();
    expect(Number(await l.itemAsync())).toBeCloseTo(Number(loss(x, w, b).item()), 5);
    const close = (got: number[][] | number[], want: number[][] | number[]) =>
      expect(Math.max(...got.flat().map((v, i) => Math.abs(v - (want.flat()[i] as number))))).toBeLessThan(
        1e-5,
      );
    close((await wg.grad?.tolistAsync()) as number[][], w.grad?.tolist() as number[][]);
    close((await bg.grad?.tolistAsync()) as number[], b.grad?.tolist() as number[]);
  });

  it("nn modules move with module.to('webgpu') and train with tensor-op updates", async () => {
    torch.manualSeed(0);
    const cpu = new torch.nn.Linear(3, 2);
    torch.manualSeed(0);
    const gpu = new torch.nn.Linear(3, 2).to("webgpu");
    expect(gpu.weight.device).toBe("webgpu");
    expect(gpu.weight.isLeaf && gpu.weight.requiresGrad).toBe(true);
    const x = torch.tensor([
      [1, 2, 3],
      [0, -1, 2],
    ]);
    const lc = cpu.forward(x).pow(2).sum();
    const lg = gpu.forward(x.to("webgpu")).pow(2).sum();
    lc.backward();
    lg.backward();
    expect(Number(await lg.itemAsync())).toBeCloseTo(Number(lc.item()), 4);
    const gw = ((await (gpu.weight.grad as torch.Tensor).tolistAsync()) as number[][]).flat();
    const cw = (cpu.weight.grad as torch.Tensor).tolist() as number[][];
    cw.flat().forEach((v, k) => {
      expect(gw[k]).toBeCloseTo(v, 4);
    });
  });
});

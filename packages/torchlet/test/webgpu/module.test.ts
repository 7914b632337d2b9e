import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

function net(seed = 0) {
  torch.manualSeed(seed);
  return new torch.nn.Sequential(
    new torch.nn.Linear(3, 4),
    new torch.nn.BatchNorm1d(4),
    new torch.nn.Linear(4, 1),
  );
}

async function valuesOf(dict: Record<string, torch.Tensor>) {
  return Object.fromEntries(
    await Promise.all(Object.entries(dict).map(async ([k, v]) => [k, await v.tolistAsync()] as const)),
  );
}

describe.skipIf(!available)(`modules between the CPU and webgpu${skipNote}`, () => {
  it("to('webgpu') moves parameters and buffers; stateDict of a webgpu module holds webgpu tensors", async () => {
    const cpu = net();
    const gpu = net().to("webgpu");
    const dict = gpu.stateDict();
    expect(Object.keys(dict)).toEqual(Object.keys(cpu.stateDict()));
    for (const t of Object.values(dict)) expect(t.device).toBe("webgpu");
    expect(await valuesOf(dict)).toEqual(await valuesOf(cpu.stateDict()));
    // Training mode updates the running statistics where they are.
    const x = torch.randn([8, 3]);
    const want = cpu.forward(x).tolist();
    const got = (await gpu.forward(x.to("webgpu")).tolistAsync()) as number[][];
    got.flat().forEach((v, i) => {
      expect(v).toBeCloseTo((want as number[][]).flat()[i] as number, 4);
    });
    expect(gpu.children()[1]?.buffer("running_mean").device).toBe("webgpu");
  });

  it("to('cpu') of a webgpu module is refused naming toAsync; await toAsync('cpu') brings it back with grads", async () => {
    const gpu = net().to("webgpu");
    gpu
      .forward(torch.randn([8, 3], { device: "webgpu" }))
      .sum()
      .backward();
    const before = await valuesOf(gpu.stateDict());
    const grads = await Promise.all(gpu.parameters().map((p) => (p.grad as torch.Tensor).tolistAsync()));
    expect(() => gpu.to("cpu")).toThrow(
      /Sequential.to: moving its webgpu parameters.*await module.toAsync\("cpu"\)/,
    );
    expect(gpu.parameters()[0]?.device).toBe("webgpu");
    expect(await gpu.toAsync("cpu")).toBe(gpu);
    for (const t of Object.values(gpu.stateDict())) expect(t.device).toBe("cpu");
    expect(await valuesOf(gpu.stateDict())).toEqual(before);
    expect(gpu.parameters().map((p) => p.grad?.tolist())).toEqual(grads);
    expect(gpu.parameters().every((p) => p.isLeaf && p.requiresGrad)).toBe(true);
    // Back on the CPU it is an ordinary module: synchronous readers, CPU optimizers.
    const opt = new torch.optim.SGD(gpu.parameters(), { lr: 0.1 });
    opt.step();
    expect(gpu.forward(torch.randn([2, 3])).shape).toEqual([2, 1]);
  });

  it("loadStateDict uploads CPU values into webgpu parameters, in place", async () => {
    const source = net(7);
    const gpu = net(0).to("webgpu");
    const weight = gpu.parameters()[0] as torch.Tensor;
    const version = weight._version.value;
    gpu.loadStateDict(source.stateDict());
    expect(gpu.parameters()[0]).toBe(weight);
    expect(weight._version.value).toBe(version + 1);
    expect(await valuesOf(gpu.stateDict())).toEqual(await valuesOf(source.stateDict()));
    // float64 values are cast to the parameters' float32 before the upload.
    const wide = Object.fromEntries(
      Object.entries(source.stateDict()).map(([k, v]) => [
        k,
        v.to(v.dtype === "float32" ? "float64" : v.dtype),
      ]),
    );
    gpu.loadStateDict(wide);
    expect(await valuesOf(gpu.stateDict())).toEqual(await valuesOf(source.stateDict()));
  });

  it("a webgpu value for a CPU parameter is a listed problem, and nothing is copied", () => {
    const cpu = net(0);
    const before = cpu.stateDict()["0.weight"]?.tolist();
    expect(() => cpu.loadStateDict(net(7).to("webgpu").stateDict())).toThrow(
      /0.weight: the value is on webgpu, the parameter on the cpu; pass await t.cpuAsync\(\)/,
    );
    expect(cpu.stateDict()["0.weight"]?.tolist()).toEqual(before);
  });
});

import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

// The chapter's 3-32-1 network (the CLI's raw style: mm, add, relu, sub, pow, mean, backward and the
// SGD step as tensor ops) trained on the CPU and on webgpu from the same draws.
function chapter(device: torch.Device) {
  torch.manualSeed(42);
  const { x, y } = torch.makeRegression({ n: 100, features: 3 });
  const params = [torch.randn([3, 32]), torch.randn([32, 1]), torch.zeros([1, 32]), torch.zeros([1, 1])].map(
    (p) => torch.noGrad(() => p.to(device)).requiresGrad_(true),
  );
  const [w1, w2, b1, b2] = params as [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor];
  const [xd, yd] = [x.to(device), y.to(device)];
  return (lr = 1e-4): torch.Tensor => {
    const loss = xd.mm(w1).add(b1).relu().mm(w2).add(b2).sub(yd).pow(2).mean();
    loss.backward();
    torch.noGrad(() => {
      for (const p of params) p.sub_((p.grad as torch.Tensor).mul(lr));
      for (const p of params) p.grad?.zero_();
    });
    return loss;
  };
}

describe.skipIf(!available)(`the chapter on webgpu${skipNote}`, () => {
  it("gives the CPU's losses within 1e-4 relative, every epoch of 50", async () => {
    const onCpu = chapter("cpu");
    const onGpu = chapter("webgpu");
    for (let epoch = 1; epoch <= 50; epoch++) {
      const want = Number(onCpu().item());
      const got = Number(await onGpu().itemAsync());
      expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-4);
    }
  }, 120_000);

  it("keeps live + pooled GPU memory flat without dispose (150 epochs, a read every 10)", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error("run with --expose-gc (vitest.webgpu.config.ts passes it)");
    const step = chapter("webgpu");
    const footprint = async () => {
      for (let round = 0; round < 3; round++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10)); // finalizers run after the collection
      }
      const m = torch.webgpu.memory();
      return m.liveBytes + m.pooledBytes;
    };
    let settled = 0;
    for (let epoch = 1; epoch <= 150; epoch++) {
      const loss = step();
      if (epoch % 10 === 0) await loss.itemAsync();
      if (epoch === 50) settled = await footprint();
    }
    const end = await footprint();
    expect(settled).toBeGreaterThan(0);
    // Finalizers run when the collector gets to them, so a few buffers may still await return: flat
    // means bounded by what the run held early on, not growing with the epochs.
    expect(end).toBeLessThanOrEqual(1.5 * settled);
  }, 120_000);
});

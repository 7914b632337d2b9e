// The page of the Chromium WebGPU test (webgpu-chromium.test.ts): the chapter's program, step for
// step as apps/cli/fixtures/gen_chapter.py runs it in PyTorch, on the webgpu device, its losses read
// with the asynchronous reader.
import * as torch from "torchlet";
import { startWebgpu, type WebgpuStatus } from "../../src/webgpu-status.js";

export type ChapterRun = WebgpuStatus & { losses?: { epoch: number; loss: number }[] };

async function trainChapter(epochs: number, logEvery: number): Promise<ChapterRun> {
  const status = await startWebgpu();
  if (!status.available) return status;
  const device = "webgpu";
  torch.manualSeed(42);
  // Drawn on the CPU, as every factory draws, so the seed gives PyTorch's numbers; then moved.
  const x = torch.randn(100, 3);
  const y = x
    .matmul(torch.tensor([0.2, -1.3, -0.5]))
    .unsqueeze(1)
    .add(torch.randn(100, 1));
  const [xd, yd] = [x.to(device), y.to(device)];
  const w1 = torch.randn([3, 32], { device, requiresGrad: true });
  const w2 = torch.randn([32, 1], { device, requiresGrad: true });
  const b1 = torch.zeros([1, 32], { device, requiresGrad: true });
  const b2 = torch.zeros([1, 1], { device, requiresGrad: true });
  const params = [w1, w2, b1, b2];
  const losses: { epoch: number; loss: number }[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const loss = xd.mm(w1).add(b1).relu().mm(w2).add(b2).sub(yd).pow(2).mean();
    loss.backward();
    torch.noGrad(() => {
      for (const p of params) p.sub_((p.grad as torch.Tensor).mul(1e-4));
      for (const p of params) p.grad?.zero_();
    });
    if (epoch % logEvery === 0) losses.push({ epoch, loss: Number(await loss.itemAsync()) });
  }
  return { ...status, losses };
}

(window as unknown as { trainChapter: typeof trainChapter }).trainChapter = trainChapter;

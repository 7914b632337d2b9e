import { type DeviceBackend, registerDevice } from "@torchlet/ops";
import { describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";

/**
 * The GPU bytes that a backward pass of a 6-layer network leaves live (the gradients it consumed on
 * the way, unless the engine returned them to the pool, plus the leaves' grads). Measured without
 * awaiting anything in between, so no finalizer can return a buffer meanwhile.
 */
async function liveBytesAfterBackward(): Promise<{ grown: number; grads: number[] }> {
  torch.manualSeed(0);
  const x = torch.randn([64, 128], { device: "webgpu" });
  const weights = Array.from({ length: 6 }, () =>
    torch.randn([128, 128], { device: "webgpu", requiresGrad: true }),
  );
  let h = x;
  for (const w of weights) h = h.mm(w).relu().mul(0.1);
  const loss = h.sum();
  await loss.itemAsync();
  const before = torch.webgpu.memory().liveBytes;
  loss.backward();
  const grown = torch.webgpu.memory().liveBytes - before;
  const grads = (await ((weights[0] as torch.Tensor).grad as torch.Tensor).data()) as Float32Array;
  return { grown, grads: [...grads.subarray(0, 8)] };
}

describe.skipIf(!available)(`the backward engine on webgpu${skipNote}`, () => {
  it("returns consumed gradients to the pool at once: fewer live bytes than without, same gradients", async () => {
    const withRelease = await liveBytesAfterBackward();
    const gpu = registerDevice(null) as DeviceBackend;
    let without: { grown: number; grads: number[] };
    try {
      registerDevice({ ...gpu, release: undefined });
      without = await liveBytesAfterBackward();
    } finally {
      registerDevice(gpu);
    }
    // Without: every intermediate gradient ([64, 128], 32 KiB each) stays live until collected.
    expect(without.grown - withRelease.grown).toBeGreaterThanOrEqual(6 * 32 * 1024);
    expect(withRelease.grads).toEqual(without.grads);
  }, 60_000);
});

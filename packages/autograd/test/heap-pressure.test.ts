import { allocate, heapInfo, limitHeapForTests } from "@torchlet/storage/internal";
import { afterEach, describe, expect, it } from "vitest";
import * as torch from "../src/index.js";

// A full Wasm heap collects inside the allocation that found it full (storage's wasm-heap.ts), so
// every kernel that allocates may see the blocks of unreachable arrays reused under it. Kernels must
// keep their operands reachable while they use them; this runs a training step whose temporaries are
// each referenced only by the op consuming them, once with room and once with a collection at almost
// every large allocation, and wants the same bits.

afterEach(() => limitHeapForTests(null));

/** Deterministic float32 data of `shape`, 64 KiB and more (the heap's arrays). */
const data = (shape: number[], phase: number) =>
  torch
    .linspace(
      -3,
      3,
      shape.reduce((a, b) => a * b),
    )
    .add(phase)
    .sin()
    .reshape(shape);

function step(): Float32Array[] {
  const x = data([512, 64], 0.1);
  const y = data([512, 1], 0.2);
  const w1 = data([64, 128], 0.3).mul(0.1).requiresGrad_();
  const b1 = data([1, 128], 0.4).requiresGrad_();
  const w2 = data([128, 1], 0.5).mul(0.1).requiresGrad_();
  const loss = x.mm(w1).add(b1).relu().mm(w2).sub(y).pow(2).mean();
  loss.backward();
  const free = torch.noGrad(() => x.t().mm(x.mm(w1).relu()).mul(2).add(1).sum(0).softmax(0));
  return [loss, w1.grad, b1.grad, w2.grad, free].map(
    (t) => (t as torch.Tensor).toTypedArray() as Float32Array,
  );
}

describe("kernels under a full Wasm heap", () => {
  it("compute the same bits when allocations collect", () => {
    const roomy = [step(), step(), step()];
    // Collect now (a full heap collects before falling back), then leave room for eight blocks more
    // than what is live: from here most large allocations find the heap full and collect first.
    limitHeapForTests(0);
    allocate("float32", 1 << 16);
    limitHeapForTests((heapInfo()?.usedBytes ?? 0) + 8 * (512 * 128 * 4 + 128));
    const pressed = [step(), step(), step()];
    expect(pressed).toEqual(roomy);
  });
});

import { tensor } from "@torchlet/autograd";
import { HEAP_MIN_BYTES, heapInfo } from "@torchlet/storage/internal";
import { describe, expect, it } from "vitest";
import { load, safetensors, save } from "../src/index.js";

// Large float32 tensors live in the Wasm heap (storage's wasm-heap.ts), as views of one shared memory:
// every public reader must hand out a copy, never a view whose `.buffer` is the whole heap.

const N = HEAP_MIN_BYTES / 4 + 3;
const values = Float32Array.from({ length: N }, (_, i) => i / 7);

function ownCopy(array: ArrayBufferView): void {
  expect(array.buffer).toBeInstanceOf(ArrayBuffer);
  expect(array.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  expect(array.byteLength).toBe(array.buffer.byteLength);
}

describe("public readers of a tensor in the Wasm heap", () => {
  it("toTypedArray and data() return arrays of their own with the values", async () => {
    const blocks = heapInfo()?.blocks ?? 0;
    const t = tensor(values);
    expect(heapInfo()?.blocks).toBe(blocks + 1); // the tensor is in the heap
    for (const read of [t.toTypedArray(), await t.data()]) {
      ownCopy(read);
      expect(read).toEqual(values);
      (read as Float32Array)[0] = 42;
      expect(t.toTypedArray()[0]).toBe(0);
    }
    expect((t.tolist() as number[]).length).toBe(N);
  });

  it("save and safetensors write the values, and what they return is a buffer of its own", () => {
    const t = tensor(values);
    for (const bytes of [save({ t }), safetensors.save({ t })]) ownCopy(bytes);
    expect((load(save({ t })) as { t: typeof t }).t.toTypedArray()).toEqual(values);
    expect(safetensors.load(safetensors.save({ t })).t?.toTypedArray()).toEqual(values);
  });
});

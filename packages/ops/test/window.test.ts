import { StridedArray } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { referenceBackend, type Window2d } from "../src/index.js";

// im2col against its definition (a tap reads input (y*s - p + i*d, x*s - p + j*d), zero outside), and
// col2im as its adjoint: <im2col(x), c> = <x, col2im(c)> for any x and c.

const WINDOWS: Window2d[] = [
  { input: [2, 3, 5, 4], kernel: [3, 2], stride: [1, 1], padding: [0, 0], dilation: [1, 1], output: [3, 3] },
  { input: [1, 2, 6, 7], kernel: [3, 3], stride: [2, 3], padding: [1, 2], dilation: [2, 1], output: [3, 3] },
  // ceil mode's last window, reaching past the padding
  { input: [2, 1, 5, 5], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], output: [3, 3] },
];

function random(shape: number[], seed: number): StridedArray {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
  return StridedArray.fromFlat(data, shape);
}

describe("im2col and col2im", () => {
  it.each(WINDOWS.map((w, i) => [i, w]))(
    "window %i: im2col reads each tap's input, col2im is its adjoint",
    (_, g) => {
      const [batch, channels, height, width] = g.input;
      const [kh, kw] = g.kernel;
      const [oh, ow] = g.output;
      const x = random([...g.input], 1);
      const cols = referenceBackend.im2col(x, g);
      expect(cols.shape).toEqual([channels * kh * kw, batch * oh * ow]);
      for (let c = 0; c < channels; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            for (let n = 0; n < batch; n++)
              for (let y = 0; y < oh; y++)
                for (let z = 0; z < ow; z++) {
                  const h = y * g.stride[0] - g.padding[0] + i * g.dilation[0];
                  const w = z * g.stride[1] - g.padding[1] + j * g.dilation[1];
                  const inside = h >= 0 && h < height && w >= 0 && w < width;
                  const want = inside ? x.at([n, c, h, w]) : 0;
                  expect(cols.at([(c * kh + i) * kw + j, (n * oh + y) * ow + z])).toBe(want);
                }
      const c = random([...cols.shape], 2);
      const image = referenceBackend.col2im(c, g);
      expect(image.shape).toEqual([...g.input]);
      const dot = (a: StridedArray, b: StridedArray) => {
        let sum = 0;
        for (let k = 0; k < a.numel; k++) sum += (a.data[k] as number) * (b.data[k] as number);
        return sum;
      };
      expect(dot(cols, c)).toBeCloseTo(dot(x, image), 12);
    },
  );

  it("read strided inputs as their elements", () => {
    const g = WINDOWS[0] as Window2d;
    const x = random([2, 3, 4, 5], 3).transpose(2, 3);
    expect(referenceBackend.im2col(x, g).toNested()).toEqual(referenceBackend.im2col(x.copy(), g).toNested());
  });
});

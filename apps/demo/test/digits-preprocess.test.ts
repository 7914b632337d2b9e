import { describe, expect, it } from "vitest";
import { SIDE, toDigit } from "../src/digits/preprocess.js";

const W = 280;
const H = 280;

/** A drawing with the rectangle [x0, x1) x [y0, y1) inked. */
function rect(x0: number, y0: number, x1: number, y1: number): Float32Array {
  const ink = new Float32Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) ink[y * W + x] = 1;
  return ink;
}

function stats(img: Float32Array) {
  let [mass, mx, my, x0, y0, x1, y1] = [0, 0, 0, SIDE, SIDE, -1, -1];
  img.forEach((v, i) => {
    const [x, y] = [i % SIDE, Math.floor(i / SIDE)];
    mass += v;
    mx += v * (x + 0.5);
    my += v * (y + 0.5);
    if (v > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  });
  return { cx: mx / mass, cy: my / mass, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

describe("a drawing preprocessed like MNIST", () => {
  it("is null when nothing is drawn", () => {
    expect(toDigit(new Float32Array(W * H), W, H)).toBeNull();
  });

  it("fits the ink into 20 x 20 keeping its aspect ratio, centred by mass in 28 x 28, values in [0, 1]", () => {
    // A tall stroke in the top-left corner, 30 x 200 pixels: a "1".
    const digit = toDigit(rect(10, 5, 40, 205), W, H);
    expect(digit).not.toBeNull();
    const img = digit as Float32Array;
    expect(img.length).toBe(SIDE * SIDE);
    expect(Math.min(...img)).toBe(0);
    expect(Math.max(...img)).toBe(1);
    const s = stats(img);
    expect(s.height).toBe(20);
    expect(s.width).toBe(3);
    expect(Math.abs(s.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s.cy - 14)).toBeLessThanOrEqual(0.5);
  });

  it("gives the same digit wherever and however large it is drawn", () => {
    const small = toDigit(rect(200, 200, 240, 260), W, H);
    const large = toDigit(rect(20, 20, 160, 230), W, H);
    expect(Array.from(small ?? [])).toEqual(Array.from(large ?? []));
  });

  it("averages partly inked pixels into grey", () => {
    // An "L" of 5-pixel strokes, 100 x 200, scaled by 20/200: each target pixel of the strokes covers
    // 10 x 10 source pixels of which 5 x 10 are inked: 19 + 9 half-grey pixels, the corner 3/4 inked.
    const ink = rect(50, 40, 55, 240);
    for (let y = 235; y < 240; y++) for (let x = 50; x < 150; x++) ink[y * W + x] = 1;
    const img = toDigit(ink, W, H) as Float32Array;
    expect(img.filter((v) => v === 0.5).length).toBe(28);
    expect(img.filter((v) => v === 0.75).length).toBe(1);
  });
});

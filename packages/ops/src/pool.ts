import { type DType, StridedArray } from "@torchlet/storage";
import type { Window2d } from "./window.js";

// 2-D pooling over the [height, width] planes of a [batch, channels, height, width] input, with
// PyTorch's CPU kernels' window bounds, tie and NaN rules (aten/src/ATen/native/cpu/MaxPoolKernel.cpp
// and AvgPoolKernel.cpp).

/**
 * The largest element of every window and where it is (int64, `h * width + w` within its plane, as
 * PyTorch's indices). The first maximum wins a tie; a NaN is taken as the maximum, as PyTorch does.
 */
export function maxPool2d(x: StridedArray, g: Window2d): { values: StridedArray; indices: StridedArray } {
  const [batch, channels, height, width] = g.input;
  const [kh, kw] = g.kernel;
  const [oh, ow] = g.output;
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  const src = x.contiguous();
  const X = src.data;
  const values = StridedArray.zeros([batch, channels, oh, ow], x.dtype);
  const indices = StridedArray.zeros([batch, channels, oh, ow], "int64");
  const V = values.data;
  const I = indices.data;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = src.offset + plane * height * width;
    for (let y = 0; y < oh; y++) {
      let h0 = y * sh - ph;
      const h1 = Math.min(h0 + (kh - 1) * dh + 1, height);
      while (h0 < 0) h0 += dh;
      for (let xo = 0; xo < ow; xo++, o++) {
        let w0 = xo * sw - pw;
        const w1 = Math.min(w0 + (kw - 1) * dw + 1, width);
        while (w0 < 0) w0 += dw;
        let best = h0 * width + w0;
        let max = Number.NEGATIVE_INFINITY;
        for (let h = h0; h < h1; h += dh) {
          for (let w = w0; w < w1; w += dw) {
            const at = h * width + w;
            const v = X[base + at] as number;
            if (v > max || Number.isNaN(v)) {
              max = v;
              best = at;
            }
          }
        }
        V[o] = max;
        I[o] = best;
      }
    }
  }
  return { values, indices };
}

/**
 * The divisor of every output position of an average pool, `[oh, ow]`: the window's size clipped to
 * the padded input (`countIncludePad`), or to the input itself, as PyTorch's kernel computes it.
 */
function poolDivisors(g: Window2d, countIncludePad: boolean, dtype: DType): StridedArray {
  const [, , height, width] = g.input;
  const [oh, ow] = g.output;
  const out = StridedArray.zeros([oh, ow], dtype);
  for (let y = 0; y < oh; y++) {
    const [h0, h1, fullH] = span(y, g.stride[0], g.padding[0], g.kernel[0], height);
    for (let x = 0; x < ow; x++) {
      const [w0, w1, fullW] = span(x, g.stride[1], g.padding[1], g.kernel[1], width);
      // an empty window (possible only in ceil mode's last position) averages nothing: 0, as PyTorch
      out.data[y * ow + x] = countIncludePad
        ? fullH * fullW
        : Math.max(h1 - h0, 0) * Math.max(w1 - w0, 0) || 1;
    }
  }
  return out;
}

/**
 * The average of every window (`AvgPool2d`), zero padding counted in the divisor when
 * `countIncludePad`, summed in the window's order; with the divisor of each output position `[oh, ow]`
 * (in x's dtype), which the backward pass divides by.
 */
export function avgPool2d(
  x: StridedArray,
  g: Window2d,
  countIncludePad: boolean,
): { values: StridedArray; divisors: StridedArray } {
  const [batch, channels, height, width] = g.input;
  const [oh, ow] = g.output;
  const divisors = poolDivisors(g, countIncludePad, "float64").data;
  const src = x.contiguous();
  const X = src.data;
  const out = StridedArray.zeros([batch, channels, oh, ow], x.dtype);
  const O = out.data;
  const f32 = x.dtype === "float32";
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = src.offset + plane * height * width;
    for (let y = 0; y < oh; y++) {
      const [h0, h1] = span(y, g.stride[0], g.padding[0], g.kernel[0], height);
      for (let xo = 0; xo < ow; xo++, o++) {
        const [w0, w1] = span(xo, g.stride[1], g.padding[1], g.kernel[1], width);
        let sum = 0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            sum += X[base + h * width + w] as number;
            if (f32) sum = Math.fround(sum); // PyTorch accumulates float32 in float32
          }
        }
        O[o] = sum / (divisors[y * ow + xo] as number);
      }
    }
  }
  return { values: out, divisors: poolDivisors(g, countIncludePad, x.dtype) };
}

/** An average-pool window along one dim: its start and end inside the input, and its size within the padded input. */
function span(
  at: number,
  stride: number,
  pad: number,
  kernel: number,
  size: number,
): [number, number, number] {
  const start = at * stride - pad;
  const end = Math.min(start + kernel, size + pad);
  return [Math.max(start, 0), Math.min(end, size), end - start];
}

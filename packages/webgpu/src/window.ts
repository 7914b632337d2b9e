import type { Window2d } from "@torchlet/ops";
import type { DType, StridedArray } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import { INVOCATION, WORKGROUP } from "./invocation.js";
import type { Queue } from "./queue.js";

// im2col and col2im (conv2d's unfolding and its adjoint) as WGSL, so that conv2d on webgpu is these
// and the tiled matmul, forward and backward. float32 only (the GPU has no other float).

/**
 * The parameter words of a window (shared with the pools): count, then the input's batch, channels,
 * height and width (1-4), the kernel (5, 6), the output's size (7, 8), stride (9, 10), padding
 * (11, 12), dilation (13, 14), the operand's offset (15) and four strides (16-19).
 */
export function windowParams(
  g: Window2d,
  count: number,
  offset: number,
  strides: readonly number[],
): number[] {
  const params = [count, ...g.input, ...g.kernel, ...g.output, ...g.stride, ...g.padding, ...g.dilation];
  params.push(offset, ...strides);
  return params;
}

/** WGSL naming the window's parameter words. */
export const WINDOW_PRELUDE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
fn batch() -> u32 { return params[1]; }
fn channels() -> u32 { return params[2]; }
fn height() -> i32 { return i32(params[3]); }
fn width() -> i32 { return i32(params[4]); }
fn kernel() -> vec2u { return vec2u(params[5], params[6]); }
fn outSize() -> vec2u { return vec2u(params[7], params[8]); }
fn stride() -> vec2i { return vec2i(i32(params[9]), i32(params[10])); }
fn padding() -> vec2i { return vec2i(i32(params[11]), i32(params[12])); }
fn dilation() -> vec2i { return vec2i(i32(params[13]), i32(params[14])); }
`;

// One invocation per column entry: row (c, ki, kj), column (n, y, x); zero where the tap is in the padding.
const IM2COL = /* wgsl */ `${WINDOW_PRELUDE}
@group(0) @binding(1) var<storage, read_write> cols: array<f32>;
@group(0) @binding(2) var<storage, read> image: array<f32>;
${INVOCATION}
  let columns = batch() * outSize().x * outSize().y;
  let row = i / columns;
  let column = i % columns;
  let kj = i32(row % kernel().y);
  let ki = i32((row / kernel().y) % kernel().x);
  let c = row / (kernel().x * kernel().y);
  let positions = outSize().x * outSize().y;
  let n = column / positions;
  let y = i32((column % positions) / outSize().y);
  let x = i32(column % outSize().y);
  let h = y * stride().x - padding().x + ki * dilation().x;
  let w = x * stride().y - padding().y + kj * dilation().y;
  var v = 0.0;
  if (h >= 0 && h < height() && w >= 0 && w < width()) {
    v = image[params[15] + n * params[16] + c * params[17] + u32(h) * params[18] + u32(w) * params[19]];
  }
  cols[i] = v;
}
`;

// One invocation per image element, adding the column entries read from it in the CPU's order (kernel
// row, then column): no atomics, and the sums equal the CPU's.
const COL2IM = /* wgsl */ `${WINDOW_PRELUDE}
@group(0) @binding(1) var<storage, read_write> image: array<f32>;
@group(0) @binding(2) var<storage, read> cols: array<f32>;
${INVOCATION}
  let w = i32(i % u32(width()));
  let h = i32((i / u32(width())) % u32(height()));
  let c = (i / u32(width() * height())) % channels();
  let n = i / (u32(width() * height()) * channels());
  let columns = batch() * outSize().x * outSize().y;
  var acc = 0.0;
  for (var ki = 0u; ki < kernel().x; ki++) {
    let hy = h + padding().x - i32(ki) * dilation().x;
    if (hy < 0 || hy % stride().x != 0 || hy / stride().x >= i32(outSize().x)) { continue; }
    let y = u32(hy / stride().x);
    for (var kj = 0u; kj < kernel().y; kj++) {
      let wx = w + padding().y - i32(kj) * dilation().y;
      if (wx < 0 || wx % stride().y != 0 || wx / stride().y >= i32(outSize().y)) { continue; }
      let x = u32(wx / stride().y);
      let row = (c * kernel().x + ki) * kernel().y + kj;
      let column = (n * outSize().x + y) * outSize().y + x;
      acc += cols[params[15] + row * params[16] + column * params[17]];
    }
  }
  image[i] = acc;
}
`;

/** Whether the GPU unfolds this: float32 in and out (x a 4-dim array, the columns a 2-dim one). */
export function windowRuns(a: StridedArray, dtype: DType = a.dtype): boolean {
  return a.dtype === "float32" && dtype === "float32";
}

/** im2col: `x` `[batch, channels, height, width]` (any strides) as `[channels*kh*kw, batch*oh*ow]`. */
export function im2col(q: Queue, x: StridedArray, g: Window2d): StridedArray {
  const [batch, channels] = g.input;
  const shape = [channels * g.kernel[0] * g.kernel[1], batch * g.output[0] * g.output[1]];
  return unfold(q, IM2COL, gpuArray(q, shape, "float32"), x, g);
}

/** col2im: the columns (any strides) added back into a new `[batch, channels, height, width]` image. */
export function col2im(q: Queue, cols: StridedArray, g: Window2d): StridedArray {
  return unfold(q, COL2IM, gpuArray(q, g.input, "float32"), cols, g);
}

/** Runs im2col's or col2im's kernel: one invocation per element of `out`, reading `from` by its strides. */
function unfold(q: Queue, shader: string, out: StridedArray, from: StridedArray, g: Window2d): StridedArray {
  if (out.numel === 0) return out;
  const params = windowParams(g, out.numel, from.offset, from.strides);
  const buffers = [storageOf(out).buffer, storageOf(from).buffer];
  q.dispatch(shader, params, buffers, Math.ceil(out.numel / WORKGROUP));
  return out;
}

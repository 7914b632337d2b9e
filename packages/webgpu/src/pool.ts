import type { Window2d } from "@torchlet/ops";
import type { StridedArray } from "@torchlet/storage";
import { gpuArray, storageOf } from "./arrays.js";
import { INVOCATION, WORKGROUP } from "./invocation.js";
import type { Queue } from "./queue.js";
import { WINDOW_PRELUDE, windowParams } from "./window.js";

// maxPool2d and avgPool2d as WGSL: one invocation per output element, walking its window as the CPU
// kernels do (packages/ops/src/pool.ts: PyTorch's window bounds, tie and NaN rules, float32 sums in
// the window's order). Their backward passes are scatterAdd and col2im, which have kernels too.

// The input `[..., height, width]` (3 or 4 dims, any strides) as planes: plane p is (p / lead, p % lead)
// over its two leading dims (word 21: the second's size), at strides words 16 and 17.
const PLANE = /* wgsl */ `
fn at(plane: u32, h: i32, w: i32) -> u32 {
  let lead = params[21];
  return params[15] + (plane / lead) * params[16] + (plane % lead) * params[17] + u32(h) * params[18] + u32(w) * params[19];
}
`;

const ENTRY = `${INVOCATION}
  let xo = i32(i % outSize().y);
  let y = i32((i / outSize().y) % outSize().x);
  let plane = i / (outSize().x * outSize().y);`;

const MAX_POOL = /* wgsl */ `${WINDOW_PRELUDE}${PLANE}
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> indices: array<i32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
${ENTRY}
  var h0 = y * stride().x - padding().x;
  let h1 = min(h0 + (i32(kernel().x) - 1) * dilation().x + 1, height());
  while (h0 < 0) { h0 += dilation().x; }
  var w0 = xo * stride().y - padding().y;
  let w1 = min(w0 + (i32(kernel().y) - 1) * dilation().y + 1, width());
  while (w0 < 0) { w0 += dilation().y; }
  var best = h0 * width() + w0;
  var top = 0.0;
  var first = true; // the CPU starts from -inf, which WGSL cannot write: the first element stands in
  for (var h = h0; h < h1; h += dilation().x) {
    for (var w = w0; w < w1; w += dilation().y) {
      let v = x[at(plane, h, w)];
      // NaN by its bits: a NaN is taken as the maximum, as PyTorch does
      if (first || v > top || (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u) {
        first = false;
        top = v;
        best = h * width() + w;
      }
    }
  }
  values[i] = top;
  indices[i] = best;
}
`;

// PyTorch's average window along one dim: start and end inside the input, and the size within the
// padded input (for countIncludePad).
const AVG_POOL = /* wgsl */ `${WINDOW_PRELUDE}${PLANE}
@group(0) @binding(1) var<storage, read_write> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> divisors: array<f32>;
@group(0) @binding(3) var<storage, read> x: array<f32>;
fn span(o: i32, step: i32, pad: i32, taps: i32, size: i32) -> vec3i {
  let start = o * step - pad;
  let end = min(start + taps, size + pad);
  return vec3i(max(start, 0), min(end, size), end - start);
}
${ENTRY}
  let sh = span(y, stride().x, padding().x, i32(kernel().x), height());
  let sw = span(xo, stride().y, padding().y, i32(kernel().y), width());
  var sum = 0.0;
  for (var h = sh.x; h < sh.y; h++) {
    for (var w = sw.x; w < sw.y; w++) { sum += x[at(plane, h, w)]; }
  }
  var divisor = f32(sh.z * sw.z);
  if (params[20] == 0u) {
    // an empty window (only in ceil mode's last position) averages nothing: 0, as PyTorch
    divisor = f32(max(max(sh.y - sh.x, 0) * max(sw.y - sw.x, 0), 1));
  }
  values[i] = sum / divisor;
  if (plane == 0u) { divisors[i] = divisor; }
}
`;

/** The window's parameters for the planes of `x` (3 or 4 dims), and whether padding counts (word 20). */
function poolParams(x: StridedArray, g: Window2d, count: number, countIncludePad = false): number[] {
  const lead = x.ndim === 4 ? x.shape[1] : x.shape[0];
  const [s0, s1] = x.ndim === 4 ? x.strides : [0, x.strides[0]];
  const strides = [s0, s1, x.strides.at(-2), x.strides.at(-1)] as number[];
  return [...windowParams(g, count, x.offset, strides), countIncludePad ? 1 : 0, lead as number];
}

/** The maximum of every window and its position `h * width + w` in its plane (int64, held as i32). */
export function maxPool2d(
  q: Queue,
  x: StridedArray,
  g: Window2d,
): { values: StridedArray; indices: StridedArray } {
  const shape = [g.input[0], 1, ...g.output];
  const values = gpuArray(q, shape, "float32");
  const indices = gpuArray(q, shape, "int64");
  if (values.numel > 0) {
    const buffers = [storageOf(values).buffer, storageOf(indices).buffer, storageOf(x).buffer];
    const params = poolParams(x, g, values.numel);
    q.dispatch(MAX_POOL, params, buffers, Math.ceil(values.numel / WORKGROUP));
  }
  return { values, indices };
}

/** The average of every window, and each output position's divisor `[oh, ow]`, as the CPU kernel gives. */
export function avgPool2d(
  q: Queue,
  x: StridedArray,
  g: Window2d,
  countIncludePad: boolean,
): { values: StridedArray; divisors: StridedArray } {
  const values = gpuArray(q, [g.input[0], 1, ...g.output], "float32");
  const divisors = gpuArray(q, g.output, "float32");
  if (values.numel > 0) {
    const buffers = [storageOf(values).buffer, storageOf(divisors).buffer, storageOf(x).buffer];
    const params = poolParams(x, g, values.numel, countIncludePad);
    q.dispatch(AVG_POOL, params, buffers, Math.ceil(values.numel / WORKGROUP));
  }
  return { values, divisors };
}

/** Whether the GPU pools this: a float32 input of 3 or 4 dims. */
export function poolRuns(x: StridedArray): boolean {
  return x.dtype === "float32" && (x.ndim === 3 || x.ndim === 4);
}

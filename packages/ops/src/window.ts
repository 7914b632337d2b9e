import { type DType, StridedArray, type TypedArray } from "@torchlet/storage";

/**
 * Where a 2-D sliding window (of a convolution or a pooling) reads its input: the input's
 * `[batch, channels, height, width]`, the window's size, step, zero padding and dilation per spatial
 * dim, and the output's `[height, width]` (given, not derived, since pooling's ceil mode picks it).
 *
 * @example
 * const g: Window2d = {
 *   input: [1, 1, 4, 4], kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1], output: [2, 2],
 * };
 * const x = StridedArray.fromFlat(new Float32Array(16).map((_, i) => i), [1, 1, 4, 4]);
 * referenceBackend.im2col(x, g).shape; // [9, 4]
 */
export interface Window2d {
  readonly input: readonly [number, number, number, number];
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly output: readonly [number, number];
}

/**
 * The unfolded input of a convolution: `[channels * kh * kw, batch * oh * ow]`, row `c*kh*kw + i*kw + j`
 * holding what kernel tap (i, j) of channel c sees at every output position of every batch item, zero
 * where it falls in the padding. One matrix product with the weight `[out, channels*kh*kw]` is then
 * the whole convolution, batch included, so the product is large enough for the threaded kernels.
 */
export function im2col(x: StridedArray, g: Window2d): StridedArray {
  const out = StridedArray.zeros(
    [g.input[1] * g.kernel[0] * g.kernel[1], g.input[0] * g.output[0] * g.output[1]],
    x.dtype,
  );
  const src = x.contiguous();
  unfoldLoops(g, src.data, src.offset, out.data, 0, false);
  return out;
}

/**
 * The adjoint of `im2col`: every column entry added back into the input position it was read from
 * (entries in the padding dropped), giving `[batch, channels, height, width]`: the input gradient of a
 * convolution from the gradient of its unfolded input.
 */
export function col2im(cols: StridedArray, g: Window2d, dtype: DType = cols.dtype): StridedArray {
  const out = StridedArray.zeros([...g.input], dtype);
  const src = cols.contiguous();
  unfoldLoops(g, out.data, 0, src.data, src.offset, true);
  return out;
}

/**
 * The one walk of im2col and col2im: for every channel, kernel tap and output position whose tap
 * lands inside the image, copy image to column (`fold` false) or add column into image (`fold` true).
 * The range of output columns x whose tap is inside is computed once per row, so the inner loop has
 * no bounds checks.
 */
function unfoldLoops(
  g: Window2d,
  image: TypedArray,
  imageBase: number,
  cols: TypedArray,
  colsBase: number,
  fold: boolean,
): void {
  const [batch, channels, height, width] = g.input;
  const [kh, kw] = g.kernel;
  const [oh, ow] = g.output;
  const [sh, sw] = g.stride;
  const [ph, pw] = g.padding;
  const [dh, dw] = g.dilation;
  const positions = oh * ow;
  const columns = batch * positions;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const row = colsBase + ((c * kh + i) * kw + j) * columns;
        const offW = j * dw - pw;
        // output columns x with 0 <= x*sw + offW < width
        const x0 = Math.max(0, Math.ceil(-offW / sw));
        const x1 = Math.min(ow, Math.floor((width - 1 - offW) / sw) + 1);
        if (x1 <= x0) continue;
        for (let n = 0; n < batch; n++) {
          const plane = imageBase + (n * channels + c) * height * width;
          for (let y = 0; y < oh; y++) {
            const h = y * sh - ph + i * dh;
            if (h < 0 || h >= height) continue;
            const from = plane + h * width + offW;
            const to = row + n * positions + y * ow;
            if (fold) {
              for (let x = x0; x < x1; x++) {
                const at = from + x * sw;
                image[at] = (image[at] as number) + (cols[to + x] as number);
              }
            } else {
              for (let x = x0; x < x1; x++) cols[to + x] = image[from + x * sw] as number;
            }
          }
        }
      }
    }
  }
}

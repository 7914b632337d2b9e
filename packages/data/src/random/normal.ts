import { log256, sincos256, sincosOut } from "./avx-mathfun.js";
import { DEFAULT_CAPABILITY, type KernelOptions } from "./capability.js";
import { fma64, fmaf32 } from "./fma.js";
import type { Generator } from "./generator.js";
import { uniformDouble01, uniformFloat01 } from "./uniform.js";

const f = Math.fround;
const TWO_PI = 2 * Math.PI;
const TWO_PI_F32 = f(TWO_PI);

/**
 * One sample of `at::normal_distribution<double>(mean, std)`: Box-Muller on two double uniforms
 * (u1 for the angle, u2 for the radius), returning `r cos(theta)` and caching `r sin(theta)` on the
 * generator; a cached sample is used (and cleared) first. With `fused`, `value * std + mean` is one
 * FMA, as in PyTorch's AVX2 build.
 */
export function normalSample(gen: Generator, mean: number, std: number, fused: boolean): number {
  let value: number;
  const cached = gen.nextDoubleNormalSample;
  if (cached !== null) {
    gen.nextDoubleNormalSample = null;
    value = cached;
  } else {
    const u1 = uniformDouble01(gen);
    const u2 = uniformDouble01(gen);
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = TWO_PI * u1;
    gen.nextDoubleNormalSample = r * Math.sin(theta);
    value = r * Math.cos(theta);
  }
  return fused ? fma64(value, std, mean) : value * std + mean;
}

/**
 * Fills `out` like `tensor.normal_(mean, std)` / `torch.randn` on PyTorch 1.13's CPU, for a contiguous
 * tensor of `out.length` elements:
 * - 16 or more elements: `normal_fill`: every element gets a uniform first, then Box-Muller runs over
 *   blocks of 16 (element j pairs with j + 8); when the length is not a multiple of 16 the last 16
 *   elements get fresh uniforms and are transformed again. Float32 on `"avx2"` takes the vectorised
 *   `normal_fill_AVX2` (float32 cephes log/sincos, fused `n * std + mean`). This path neither reads nor
 *   writes the cached normal sample.
 * - fewer than 16: one `at::normal_distribution<double>` sample per element (see `normalSample`),
 *   rounded to float32 for a Float32Array; this uses and leaves the cached second sample.
 *
 * Preconditions: finite mean, finite std >= 0. A non-contiguous PyTorch tensor always takes the
 * per-element path; call `normalFillSerial` to reproduce that.
 */
export function normalFill(
  gen: Generator,
  out: Float32Array | Float64Array,
  mean = 0,
  std = 1,
  options?: KernelOptions,
): void {
  const avx2 = (options?.capability ?? DEFAULT_CAPABILITY) === "avx2";
  if (out.length < 16) {
    normalFillSerial(gen, out, mean, std, options);
  } else if (out instanceof Float32Array) {
    fillBlocks(gen, out, avx2 ? Block.Float32Avx2 : Block.Float32Scalar, f(mean), f(std));
  } else {
    fillBlocks(gen, out, avx2 ? Block.Float64Fused : Block.Float64, mean, std);
  }
}

/** The per-element path of `normal_kernel` (tensors under 16 elements, or not contiguous). */
export function normalFillSerial(
  gen: Generator,
  out: Float32Array | Float64Array,
  mean = 0,
  std = 1,
  options?: KernelOptions,
): void {
  const fused = (options?.capability ?? DEFAULT_CAPABILITY) === "avx2";
  const n = out.length;
  // Assigning to a Float32Array rounds the double sample, as static_cast<float> does.
  for (let i = 0; i < n; i++) out[i] = normalSample(gen, mean, std, fused);
}

// Float32 or float64 uniforms in [0, 1) for out[start..end), one draw each, in order.
function fillUniform01(gen: Generator, out: Float32Array | Float64Array, start: number, end: number): void {
  if (out instanceof Float32Array) {
    for (let i = start; i < end; i++) out[i] = uniformFloat01(gen);
  } else {
    for (let i = start; i < end; i++) out[i] = uniformDouble01(gen);
  }
}

// Which `normal_fill_16` variant a fill runs.
const Block = { Float64: 0, Float64Fused: 1, Float32Scalar: 2, Float32Avx2: 3 } as const;
type Block = (typeof Block)[keyof typeof Block];

function transformBlock(
  kind: Block,
  data: Float32Array | Float64Array,
  start: number,
  mean: number,
  std: number,
): void {
  switch (kind) {
    case Block.Float64:
    case Block.Float64Fused:
      normalFill16Float64(data, start, mean, std, kind === Block.Float64Fused);
      break;
    case Block.Float32Scalar:
      normalFill16Float32(data, start, mean, std);
      break;
    case Block.Float32Avx2:
      normalFill16Avx2(data, start, mean, std);
      break;
  }
}

// `normal_fill`: uniforms for every element, Box-Muller over the full blocks of 16, then the last 16
// elements drawn afresh and transformed again when the length is not a multiple of 16.
function fillBlocks(
  gen: Generator,
  out: Float32Array | Float64Array,
  kind: Block,
  mean: number,
  std: number,
): void {
  const n = out.length;
  fillUniform01(gen, out, 0, n);
  for (let i = 0; i + 16 <= n; i += 16) transformBlock(kind, out, i, mean, std);
  if (n % 16 !== 0) {
    fillUniform01(gen, out, n - 16, n);
    transformBlock(kind, out, n - 16, mean, std);
  }
}

/** `normal_fill_16<double>`: Box-Muller over data[start..start+16) in place. */
export function normalFill16Float64(
  data: Float32Array | Float64Array,
  start: number,
  mean: number,
  std: number,
  fused: boolean,
): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = 1 - (data[j] ?? 0);
    const u2 = data[j + 8] ?? 0;
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = TWO_PI * u2;
    const c = radius * Math.cos(theta);
    const s = radius * Math.sin(theta);
    data[j] = fused ? fma64(c, std, mean) : c * std + mean;
    data[j + 8] = fused ? fma64(s, std, mean) : s * std + mean;
  }
}

/**
 * `normal_fill_16<float>` as the portable build runs it: float32 libm log/cos/sin (emulated as the
 * double result rounded to float32), the angle `2 pi u2` computed in double and rounded once.
 */
export function normalFill16Float32(
  data: Float32Array | Float64Array,
  start: number,
  mean: number,
  std: number,
): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = f(1 - (data[j] ?? 0));
    const u2 = data[j + 8] ?? 0;
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(TWO_PI * u2);
    data[j] = f(f(f(radius * f(Math.cos(theta))) * std) + mean);
    data[j + 8] = f(f(f(radius * f(Math.sin(theta))) * std) + mean);
  }
}

/**
 * `normal_fill_16_AVX2`: the eight lanes of Box-Muller over data[start..start+16) in place, with
 * avx_mathfun's float32 log and sincos, `theta = float(2 pi) * u2` in float32, and a fused
 * `n * std + mean`.
 */
export function normalFill16Avx2(
  data: Float32Array | Float64Array,
  start: number,
  mean: number,
  std: number,
): void {
  for (let j = start; j < start + 8; j++) {
    const u1 = f(1 - (data[j] ?? 0));
    const u2 = data[j + 8] ?? 0;
    const radius = f(Math.sqrt(f(-2 * log256(u1))));
    sincos256(f(TWO_PI_F32 * u2));
    data[j] = fmaf32(f(radius * (sincosOut[1] ?? 0)), std, mean);
    data[j + 8] = fmaf32(f(radius * (sincosOut[0] ?? 0)), std, mean);
  }
}

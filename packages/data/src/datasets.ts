import { type Tensor, tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { rand, randn } from "./sampling.js";
import { checkFinite, checkInteger, floatDtype, generatorOf, type RandomOptions } from "./validate.js";

/**
 * The chapter's true coefficients: y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise.
 *
 * @example
 * torch.CHAPTER_COEFFICIENTS; // [0.2, -1.3, -0.5]
 */
export const CHAPTER_COEFFICIENTS: readonly number[] = [0.2, -1.3, -0.5];

/**
 * Options of `makeRegression`; each defaults to the chapter's value.
 *
 * @example
 * const options: RegressionOptions = { n: 10, features: 2, noise: 0 };
 * const { x, y } = torch.makeRegression(options);
 * x.shape; // [10, 2]
 * y.shape; // [10, 1]
 */
export interface RegressionOptions {
  /** Observations (rows); the chapter uses 100. */
  n?: number;
  /** Features (columns of x); the chapter uses 3. */
  features?: number;
  /** One coefficient per feature; defaults to the chapter's, repeated cyclically for more features. */
  coefficients?: readonly number[];
  /** Standard deviation of the Gaussian noise added to y (the chapter: 1). */
  noise?: number;
  /** The dtype of x and y (default float32). */
  dtype?: "float32" | "float64";
  /** The generator to draw from (default: the global one). */
  generator?: RandomOptions["generator"];
}

/**
 * The chapter's linear regression data: x ~ N(0, 1) of shape [n, features], then
 * y = x · coefficients + noise · N(0, 1) of shape [n, 1], drawn in that order (x first), as the
 * PyTorch program `x = torch.randn(n, d); y = x.matmul(coefs).unsqueeze(1) + torch.randn(n, 1)` does.
 *
 * @example
 * torch.manualSeed(42);
 * const { x, y } = torch.makeRegression();
 * x.shape; // [100, 3]
 * y.shape; // [100, 1]
 */
export function makeRegression(options: RegressionOptions = {}): { x: Tensor; y: Tensor } {
  const op = "makeRegression";
  const n = checkInteger(op, "n", options.n ?? 100, 1);
  const features = checkInteger(op, "features", options.features ?? 3, 1);
  const noise = checkFinite(op, "noise", options.noise ?? 1, 0);
  const coefficients =
    options.coefficients ?? Array.from({ length: features }, (_, i) => CHAPTER_COEFFICIENTS[i % 3] as number);
  if (coefficients.length !== features) {
    throw new TorchletError(`${op}: ${coefficients.length} coefficients given for ${features} features`);
  }
  coefficients.forEach((c, i) => {
    checkFinite(op, `coefficients[${i}]`, c);
  });
  const dtype = floatDtype(op, options.dtype);
  const draw = { dtype, generator: generatorOf(op, options) };
  const x = randn([n, features], draw);
  const y = x
    .matmul(tensor([...coefficients], { dtype }))
    .unsqueeze(1)
    .add(randn([n, 1], draw).mul(noise));
  return { x, y };
}

/**
 * Options of the 1-D nonlinear data sets.
 *
 * @example
 * const options: CurveOptions = { n: 20, noise: 0, dtype: "float64" };
 * torch.makeSine(options).y.dtype; // "float64"
 */
export interface CurveOptions {
  /** Number of points (default 100). */
  n?: number;
  /** Standard deviation of the Gaussian noise on y. */
  noise?: number;
  /** The dtype of x and y (default float32). */
  dtype?: "float32" | "float64";
  /** The generator to draw from (default: the global one). */
  generator?: RandomOptions["generator"];
}

/**
 * 1-D points on a curve: x uniform on [low, high) of shape [n, 1], then y = f(x) + noise · N(0, 1),
 * drawn in that order, as the PyTorch program
 * `x = torch.rand(n, 1) * (high - low) + low; y = f(x) + torch.randn(n, 1) * noise` does.
 * A network's fit of these is easy to see in a plot.
 */
function makeCurve(
  op: string,
  f: (x: number) => number,
  low: number,
  high: number,
  options: CurveOptions,
  defaultNoise: number,
) {
  const n = checkInteger(op, "n", options.n ?? 100, 1);
  const noise = checkFinite(op, "noise", options.noise ?? defaultNoise, 0);
  const draw = { dtype: floatDtype(op, options.dtype), generator: generatorOf(op, options) };
  const x = rand([n, 1], draw)
    .mul(high - low)
    .add(low);
  // f in double precision, rounded once to the dtype (PyTorch's float32 sin may differ by an ulp).
  const clean = (x.toTypedArray() as Float32Array | Float64Array).map(f);
  const y = tensor(clean, { dtype: draw.dtype })
    .unsqueeze(1)
    .add(randn([n, 1], draw).mul(noise));
  return { x, y };
}

/**
 * y = sin(x) + noise on x in [-π, π) (noise 0.1 by default): a curve one hidden layer of ReLUs can bend to.
 *
 * @example
 * torch.manualSeed(0);
 * const { x, y } = torch.makeSine({ n: 50 });
 * x.shape; // [50, 1]
 * y.shape; // [50, 1]
 */
export function makeSine(options: CurveOptions = {}): { x: Tensor; y: Tensor } {
  return makeCurve("makeSine", Math.sin, -Math.PI, Math.PI, options, 0.1);
}

/**
 * y = x³ - 2x + noise on x in [-2, 2) (noise 0.2 by default): a cubic with two bends.
 *
 * @example
 * const { x, y } = torch.makeCubic({ noise: 0 });
 * const exact = x.pow(3).sub(x.mul(2));
 * y.sub(exact).abs().max().item() < 1e-5; // true
 */
export function makeCubic(options: CurveOptions = {}): { x: Tensor; y: Tensor } {
  return makeCurve("makeCubic", (x) => x ** 3 - 2 * x, -2, 2, options, 0.2);
}

import { type Tensor, tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { rand, randn } from "./sampling.js";
import { checkFinite, checkInteger, floatDtype, generatorOf, type RandomOptions } from "./validate.js";

/** The chapter's true coefficients: y = 0.2 x1 - 1.3 x2 - 0.5 x3 + noise. */
export const CHAPTER_COEFFICIENTS: readonly number[] = [0.2, -1.3, -0.5];

export interface RegressionOptions {
  /** Observations (rows); the chapter uses 100. */
  n?: number;
  /** Features (columns of x); the chapter uses 3. */
  features?: number;
  /** One coefficient per feature; defaults to the chapter's, repeated cyclically for more features. */
  coefficients?: readonly number[];
  /** Standard deviation of the Gaussian noise added to y (the chapter: 1). */
  noise?: number;
  dtype?: "float32" | "float64";
  generator?: RandomOptions["generator"];
}

/**
 * The chapter's linear regression data: x ~ N(0, 1) of shape [n, features], then
 * y = x · coefficients + noise · N(0, 1) of shape [n, 1], drawn in that order (x first), as the
 * PyTorch program `x = torch.randn(n, d); y = x.matmul(coefs).unsqueeze(1) + torch.randn(n, 1)` does.
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

/** Options of the 1-D nonlinear data sets. */
export interface CurveOptions {
  /** Number of points (default 100). */
  n?: number;
  /** Standard deviation of the Gaussian noise on y. */
  noise?: number;
  dtype?: "float32" | "float64";
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
  const clean = x.toTypedArray().map(f);
  const y = tensor(clean, { dtype: draw.dtype })
    .unsqueeze(1)
    .add(randn([n, 1], draw).mul(noise));
  return { x, y };
}

/** y = sin(x) + noise on x in [-π, π) (noise 0.1 by default): a curve one hidden layer of ReLUs can bend to. */
export function makeSine(options: CurveOptions = {}): { x: Tensor; y: Tensor } {
  return makeCurve("makeSine", Math.sin, -Math.PI, Math.PI, options, 0.1);
}

/** y = x³ - 2x + noise on x in [-2, 2) (noise 0.2 by default): a cubic with two bends. */
export function makeCubic(options: CurveOptions = {}): { x: Tensor; y: Tensor } {
  return makeCurve("makeCubic", (x) => x ** 3 - 2 * x, -2, 2, options, 0.2);
}

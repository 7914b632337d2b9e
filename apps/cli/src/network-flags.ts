import {
  choice,
  nonNegativeInt,
  optionalPositiveInt,
  positiveInt,
  positiveIntList,
  UsageError,
} from "./args.js";
import { CHAPTER_DEFAULTS, type ChapterConfig, DATASETS } from "./chapter.js";

/**
 * The largest tensor a run may make. Typed arrays this size still fit comfortably in memory; beyond
 * it a typo such as `--n 10000000000` would end in an allocation failure instead of a clear message.
 */
export const MAX_ELEMENTS = 2 ** 25;

const d = CHAPTER_DEFAULTS;

/** The options that define the data and the network: shared by `train` and `graph`. */
export const networkFlags = {
  seed: nonNegativeInt("seed of the random generator", d.seed),
  dataset: choice("the data: the chapter's, or a 1-D curve (sin x, x^3 - 2x)", DATASETS, d.dataset),
  n: positiveInt("number of observations", d.n),
  features: optionalPositiveInt(`number of input features (default: ${d.features}; 1 for sine and cubic)`),
  hidden: positiveIntList("hidden layer sizes: 32 is the chapter's, 32,16 adds a second layer", d.hidden),
  dtype: choice("floating point type", ["float32", "float64"] as const, d.dtype),
};

type NetworkOptions = {
  seed: number;
  dataset: ChapterConfig["dataset"];
  n: number;
  features: number | undefined;
  hidden: number[];
  dtype: ChapterConfig["dtype"];
};

/**
 * The run's configuration from the parsed options: the curves have exactly one feature, and no
 * tensor of the run (x, the activations, the weights) may exceed MAX_ELEMENTS.
 */
export function networkConfig(opts: NetworkOptions, training: { epochs: number; lr: number }): ChapterConfig {
  const curve = opts.dataset !== "linear";
  if (curve && opts.features !== undefined && opts.features !== 1)
    throw new UsageError(`--dataset ${opts.dataset} has 1 feature, got --features ${opts.features}`);
  const features = opts.features ?? (curve ? 1 : d.features);
  const widths = [features, ...opts.hidden];
  for (const [rows, cols, what] of [
    ...widths.map((w, i) => [opts.n, w, i === 0 ? "x" : `the activations of hidden layer ${i}`] as const),
    ...widths.map((w, i) => [w, opts.hidden[i] ?? 1, `weight matrix ${i + 1}`] as const),
  ]) {
    if (rows * cols > MAX_ELEMENTS)
      throw new UsageError(
        `${what} would be ${rows}x${cols} (${rows * cols} elements); the limit is ${MAX_ELEMENTS}: lower --n, --features or --hidden`,
      );
  }
  const { seed, dataset, n, hidden, dtype } = opts;
  return { seed, dataset, n, features, hidden, dtype, ...training };
}

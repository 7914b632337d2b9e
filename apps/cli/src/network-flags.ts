import { choice, optionalPositiveInt, positiveInt, positiveIntList, randomSeed, UsageError } from "./args.js";
import { CHAPTER_DEFAULTS, type ChapterConfig, DATASETS } from "./chapter.js";

/**
 * The largest tensor a run may make. Typed arrays this size still fit comfortably in memory; beyond
 * it a typo such as `--n 10000000000` would end in an allocation failure instead of a clear message.
 */
export const MAX_ELEMENTS = 2 ** 25;

/**
 * The most memory a run may need by `estimateBytes`. A run beyond it is refused before it starts:
 * each tensor may be within MAX_ELEMENTS and the run still too big for the machine.
 */
export const MAX_RUN_BYTES = 2 ** 30;

const d = CHAPTER_DEFAULTS;

/** The options that define the data and the network: shared by `train` and `graph`. */
export const networkFlags = {
  seed: randomSeed("seed of the random generator", d.seed),
  dataset: choice("the data: the chapter's, or a 1-D curve (sin x, x^3 - 2x)", DATASETS, d.dataset),
  n: positiveInt("number of observations", d.n),
  features: optionalPositiveInt(`number of input features (default: ${d.features}; 1 for sine and cubic)`),
  hidden: positiveIntList("hidden layer sizes: 32 is the chapter's, 32,16 adds a second layer", d.hidden),
  dtype: choice("floating point type", ["float32", "float64"] as const, d.dtype),
};

type NetworkOptions = {
  seed: bigint;
  dataset: ChapterConfig["dataset"];
  n: number;
  features: number | undefined;
  hidden: number[];
  dtype: ChapterConfig["dtype"];
};

/**
 * The run's configuration from the parsed options: the curves have exactly one feature, no tensor of
 * the run (x, the activations, the weights) may exceed MAX_ELEMENTS, and the whole run's estimated
 * memory may not exceed MAX_RUN_BYTES.
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
  const config = { seed, dataset, n, features, hidden, dtype, ...training };
  const bytes = estimateBytes(config);
  if (bytes > MAX_RUN_BYTES)
    throw new UsageError(
      `the run would need about ${formatBytes(bytes)} of memory (${n} rows of ${features} features, hidden layers ${hidden.join(",")}, ${dtype}); the limit is ${formatBytes(MAX_RUN_BYTES)}: lower --n, --features or --hidden`,
    );
  return config;
}

/**
 * The peak memory of a training run, in bytes, from the tensors alive at once: per row of x, four
 * rows' worth of its features (the data and its draws), three of each hidden layer's width (its
 * product, sum and ReLU, kept for backward, and their gradients in turn) and four more of the first
 * layer's (the gradients flowing back from it); and four copies of every parameter (the value, its
 * gradient, and the update's temporaries). The README compares it with measured peaks.
 */
export function estimateBytes(config: ChapterConfig): number {
  const { n, features, hidden } = config;
  const perRow = 4 * features + 3 * hidden.reduce((a, b) => a + b, 0) + 4 * (hidden[0] as number);
  const sizes = [features, ...hidden, 1];
  let parameters = 0;
  for (let i = 0; i + 1 < sizes.length; i++)
    parameters += ((sizes[i] as number) + 1) * (sizes[i + 1] as number);
  return (n * perRow + 4 * parameters) * (config.dtype === "float64" ? 8 : 4);
}

const formatBytes = (bytes: number) =>
  bytes >= 2 ** 30 ? `${Number((bytes / 2 ** 30).toFixed(1))} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`;

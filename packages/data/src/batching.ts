import { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { gatherRows, rowsOf } from "./gather.js";
import { type Generator, randperm } from "./random/index.js";
import { checkInteger, describe, generatorOf } from "./validate.js";

// The number of rows (dim 0) that x and y share, checked for both.
function sharedRows(op: string, x: unknown, y: unknown): number {
  for (const [name, t] of [
    ["x", x],
    ["y", y],
  ] as const) {
    if (!(t instanceof Tensor))
      throw new TorchletError(`${op}: ${name} must be a Tensor, got ${describe(t)}`);
    if (t.ndim === 0)
      throw new TorchletError(`${op}: ${name} must have at least one dimension (rows), got a scalar`);
  }
  const [nx, ny] = [(x as Tensor).shape[0] as number, (y as Tensor).shape[0] as number];
  if (nx !== ny) {
    throw new TorchletError(
      `${op}: x and y must have the same number of rows, got shapes [${(x as Tensor).shape}] and [${(y as Tensor).shape}]`,
    );
  }
  return nx;
}

const identity = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/**
 * Options of `trainTestSplit`: how many rows to hold out, and whether to shuffle first.
 *
 * @example
 * const { x, y } = torch.makeRegression({ n: 10 });
 * const options: SplitOptions = { testSize: 3, shuffle: false };
 * torch.trainTestSplit(x, y, options).xTest.shape; // [3, 3]
 */
export interface SplitOptions {
  /** Share of the rows held out for testing, in (0, 1); test rows = ceil(testFraction * n). Default 0.25. */
  testFraction?: number;
  /** Number of rows held out for testing (instead of `testFraction`), in [1, n - 1]. */
  testSize?: number;
  /** Shuffle before splitting (default true); draws `torch.randperm(n)` from the generator. */
  shuffle?: boolean;
  /** The generator to draw the order from (default: the global one). */
  generator?: Generator;
}

/**
 * The four parts `trainTestSplit` returns, each a new contiguous tensor.
 *
 * @example
 * const { x, y } = torch.makeRegression({ n: 10 });
 * const split: Split = torch.trainTestSplit(x, y);
 * split.xTrain.shape; // [7, 3]
 * split.yTest.shape; // [3, 1]
 */
export interface Split {
  /** The training rows of x. */
  xTrain: Tensor;
  /** The training rows of y. */
  yTrain: Tensor;
  /** The held-out rows of x. */
  xTest: Tensor;
  /** The held-out rows of y. */
  yTest: Tensor;
}

function testRows(op: string, n: number, options: SplitOptions): number {
  const { testFraction, testSize } = options;
  if (testFraction !== undefined && testSize !== undefined) {
    throw new TorchletError(
      `${op}: give testFraction or testSize, not both (got ${testFraction} and ${testSize})`,
    );
  }
  if (testSize !== undefined) {
    const size = checkInteger(op, "testSize", testSize, 1);
    if (size >= n) throw new TorchletError(`${op}: testSize ${size} leaves no training rows of ${n}`);
    return size;
  }
  const fraction = testFraction ?? 0.25;
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1)) {
    throw new TorchletError(`${op}: testFraction must lie in (0, 1), got ${describe(fraction)}`);
  }
  const size = Math.ceil(fraction * n);
  if (size >= n)
    throw new TorchletError(`${op}: testFraction ${fraction} of ${n} rows leaves no training rows`);
  return size;
}

/**
 * Splits the rows of x and y into a training and a test set, as scikit-learn's `train_test_split`:
 * shuffled, the test set is the first ceil(testFraction * n) rows of `torch.randperm(n)` drawn from the
 * generator and the training set the rest; unshuffled (nothing drawn), the test set is the last rows.
 * Each part is a new contiguous tensor outside any graph.
 *
 * @example
 * const { x, y } = torch.makeRegression();
 * const { xTrain, yTrain, xTest, yTest } = torch.trainTestSplit(x, y, { testFraction: 0.2 });
 * xTrain.shape; // [80, 3]
 * yTest.shape; // [20, 1]
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: SplitOptions = {}): Split {
  const op = "trainTestSplit";
  const n = sharedRows(op, x, y);
  const nTest = testRows(op, n, options);
  const shuffle = options.shuffle ?? true;
  const gen = generatorOf(op, options);
  // Unshuffled, the test rows come last: order them test first, as the shuffled split does.
  const order = shuffle ? randperm(gen, n) : Int32Array.from({ length: n }, (_, i) => (i + n - nTest) % n);
  const [xs, ys] = [rowsOf(x), rowsOf(y)];
  return {
    xTrain: gatherRows(xs, order, nTest, n),
    yTrain: gatherRows(ys, order, nTest, n),
    xTest: gatherRows(xs, order, 0, nTest),
    yTest: gatherRows(ys, order, 0, nTest),
  };
}

/**
 * Options of `batches`.
 *
 * @example
 * const { x, y } = torch.makeRegression({ n: 10 });
 * const options: BatchOptions = { batchSize: 4, dropLast: true };
 * torch.batches(x, y, options).length; // 2
 */
export interface BatchOptions {
  /** Rows per batch, a positive integer; the last batch may be smaller unless `dropLast`. */
  batchSize: number;
  /** Visit the rows in a fresh random order on each pass (default false). */
  shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator to draw the order from (default: the global one). */
  generator?: Generator;
}

/**
 * One mini-batch: matching rows of x and y.
 *
 * @example
 * const { x, y } = torch.makeRegression({ n: 10 });
 * const [first]: Batch[] = [...torch.batches(x, y, { batchSize: 4 })];
 * first!.x.shape; // [4, 3]
 */
export interface Batch {
  /** The batch's rows of x. */
  x: Tensor;
  /** The same rows of y. */
  y: Tensor;
}

/**
 * Mini-batches that can be iterated once per epoch; `length` is the number of batches per pass.
 *
 * @example
 * const { x, y } = torch.makeRegression({ n: 10 });
 * const loader: Batches = torch.batches(x, y, { batchSize: 4 });
 * loader.length; // 3
 * [...loader].map((b) => b.x.shape[0]); // [4, 4, 2]
 */
export interface Batches extends Iterable<Batch> {
  /** The number of batches in one pass. */
  readonly length: number;
}

/**
 * Mini-batches of the rows of x and y, as a `DataLoader` over a `TensorDataset` yields them. Each pass
 * (each `for ... of`) copies the rows into new contiguous tensors outside any graph; with `shuffle`,
 * each pass draws its order `torch.randperm(n)` from the generator when its first batch is taken, so
 * the order matches `torch.randperm(n, generator=g)` with the same seed. (PyTorch's DataLoader itself
 * draws a 64-bit base seed from the generator first, so its order differs.)
 *
 * @example
 * const { x, y } = torch.makeRegression();
 * const loader = torch.batches(x, y, { batchSize: 16, shuffle: true });
 * loader.length; // 7
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const batch of loader) {
 *     batch.x.shape; // [16, 3] (the last batch of each pass: [4, 3])
 *   }
 * }
 */
export function batches(x: Tensor, y: Tensor, options: BatchOptions): Batches {
  const op = "batches";
  const n = sharedRows(op, x, y);
  const batchSize = checkInteger(op, "batchSize", options?.batchSize, 1);
  const shuffle = options.shuffle ?? false;
  const dropLast = options.dropLast ?? false;
  const gen = generatorOf(op, options);
  const last = dropLast ? n - (n % batchSize) : n;
  return {
    length: Math.ceil(last / batchSize),
    *[Symbol.iterator]() {
      const order = shuffle ? randperm(gen, n) : identity(n);
      const [xs, ys] = [rowsOf(x), rowsOf(y)];
      for (let start = 0; start < last; start += batchSize) {
        const end = Math.min(start + batchSize, last);
        yield { x: gatherRows(xs, order, start, end), y: gatherRows(ys, order, start, end) };
      }
    },
  };
}

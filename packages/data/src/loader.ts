import { Tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { gatherRows, rowsOf } from "./gather.js";
import { Generator, randperm } from "./random/index.js";
import { checkInteger, defaultGenerator, describe, generatorOf } from "./validate.js";

/**
 * torch.utils.data's in-memory pair: a dataset of tensors that share their first dimension, and the
 * loader that batches it in PyTorch's order.
 */

/**
 * Tensors of equal length along dim 0; item i is the i-th row of each (`torch.utils.data.TensorDataset`).
 *
 * @example
 * const ds = new torch.utils.data.TensorDataset(torch.zeros(10, 3), torch.ones(10, 1));
 * ds.length; // 10
 * ds.get(2)[1]!.shape; // [1]
 */
export class TensorDataset {
  /** The tensors, in the order given. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new TorchletError("TensorDataset: expected at least one tensor");
    for (const [i, t] of tensors.entries()) {
      if (!(t instanceof Tensor))
        throw new TorchletError(`TensorDataset: argument ${i} must be a Tensor, got ${describe(t)}`);
      if (t.ndim === 0) throw new TorchletError(`TensorDataset: argument ${i} is a scalar (no rows)`);
    }
    const sizes = tensors.map((t) => t.shape[0] as number);
    if (sizes.some((n) => n !== sizes[0])) {
      const shapes = tensors.map((t) => `[${t.shape.join(", ")}]`).join(", ");
      throw new TorchletError(`TensorDataset: size mismatch between tensors: shapes ${shapes}`);
    }
    this.tensors = tensors;
  }

  /** The number of rows. */
  get length(): number {
    return this.tensors[0]?.shape[0] as number;
  }

  /** Row `index` of each tensor (PyTorch's `dataset[index]`), as new tensors. */
  get(index: number): Tensor[] {
    checkInteger("TensorDataset.get", "index", index);
    if (index >= this.length)
      throw new TorchletError(`TensorDataset.get: index ${index} is out of range for ${this.length} rows`);
    return this.tensors.map((t) => gatherRows(rowsOf(t), [index], 0, 1).squeeze(0));
  }
}

/**
 * Options of `DataLoader` (PyTorch's keyword arguments in camelCase).
 *
 * @example
 * const options: DataLoaderOptions = { batchSize: 4, shuffle: true, dropLast: true };
 * new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(torch.zeros(10)), options).length; // 2
 */
export interface DataLoaderOptions {
  /** Rows per batch (default 1). */
  batchSize?: number;
  /** A fresh random order every pass, `RandomSampler`'s (default false). */
  shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator of the order and of each pass's base seed (default: the global one). */
  generator?: Generator;
}

/**
 * Batches of a `TensorDataset` (`torch.utils.data.DataLoader`): each pass (`for ... of`) yields
 * `Tensor[]`, one batch per dataset tensor, copied into new contiguous tensors outside any graph.
 * Each pass draws from the generators exactly as PyTorch's single-process loader does, so the orders
 * (and every random number drawn afterwards) match PyTorch's for the same seed: a 64-bit base seed
 * from `generator` (or the global one); then, with `shuffle`, `RandomSampler`'s `randperm(n)` from
 * `generator`, or, without one, from a new generator seeded by a second 64-bit draw from the global
 * generator.
 *
 * @example
 * torch.manualSeed(0);
 * const ds = new torch.utils.data.TensorDataset(torch.arange(6), torch.arange(6).mul(10));
 * const loader = new torch.utils.data.DataLoader(ds, { batchSize: 4, shuffle: true });
 * loader.length; // 2
 * const [xs, ys] = [...loader][0]!;
 * xs!.tolist(); // [0, 4, 3, 5]
 * ys!.tolist(); // [0, 40, 30, 50]
 */
export class DataLoader implements Iterable<Tensor[]> {
  /** The dataset batched. */
  readonly dataset: TensorDataset;
  /** Rows per batch. */
  readonly batchSize: number;
  /** Whether each pass shuffles. */
  readonly shuffle: boolean;
  /** Whether a short last batch is left out. */
  readonly dropLast: boolean;
  private readonly generator: Generator | undefined;

  constructor(dataset: TensorDataset, options: DataLoaderOptions = {}) {
    const op = "DataLoader";
    if (!(dataset instanceof TensorDataset))
      throw new TorchletError(`${op}: dataset must be a TensorDataset, got ${describe(dataset)}`);
    this.batchSize = checkInteger(op, "batchSize", options.batchSize ?? 1, 1);
    if (options.generator !== undefined) generatorOf(op, options);
    this.dataset = dataset;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator;
  }

  /** The number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One pass: the batches, each `Tensor[]` with one batch per dataset tensor. */
  *[Symbol.iterator](): Iterator<Tensor[]> {
    const n = this.dataset.length;
    // _BaseDataLoaderIter draws its base seed (for worker processes) even with none.
    (this.generator ?? defaultGenerator).random64();
    const rows = this.dataset.tensors.map(rowsOf);
    const last = this.dropLast ? n - (n % this.batchSize) : n;
    // RandomSampler starts when the first batch is taken. Once its permutation is used up it draws
    // one more (`randperm(n)[:0]`) before it stops: before a short last batch, else when the batch
    // after the last is asked for.
    let generator: Generator | null = null;
    let order: ArrayLike<number> | null = null;
    const exhaust = () => {
      if (generator) randperm(generator, n);
    };
    for (let start = 0; start < last; start += this.batchSize) {
      if (order === null) {
        generator = this.shuffle ? this.samplerGenerator() : null;
        order = generator ? randperm(generator, n) : Int32Array.from({ length: n }, (_, i) => i);
      }
      const [from, end] = [start, Math.min(start + this.batchSize, last)];
      if (end - from < this.batchSize) exhaust();
      const indices = order;
      yield rows.map((r) => gatherRows(r, indices, from, end));
      if (end === last && end - from === this.batchSize) exhaust();
    }
    // Fewer rows than one batch, dropped: the sampler still ran to its end looking for a batch.
    if (order === null && this.shuffle && n > 0) {
      generator = this.samplerGenerator();
      randperm(generator, n);
      exhaust();
    }
  }

  // RandomSampler without a generator seeds a fresh one from a 64-bit draw of the global generator
  // (`manual_seed` keeps its low 32 bits).
  private samplerGenerator(): Generator {
    if (this.generator) return this.generator;
    const seed = defaultGenerator.random64() & 0xffffffffn;
    return new Generator(seed);
  }
}

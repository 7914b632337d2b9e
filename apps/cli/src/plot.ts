import { formatR } from "./format-number.js";

export interface PlotOptions {
  /** Columns of the drawing area (one column covers several epochs in long runs). */
  width?: number;
  /** Rows of the drawing area. */
  height?: number;
}

/** Fewer columns would print the x axis of a 1- or 2-epoch run as "11" or "12". */
const MIN_WIDTH = 3;

/**
 * The loss of every epoch of a run, downsampled as it arrives: the epochs are split into at most
 * `width` consecutive ranges (one per column of the chart) and each keeps only its lowest, highest
 * and last loss, which is all the chart draws. Its memory is the same for 10 epochs or 10^11.
 */
export class LossCurve {
  private readonly low: Float64Array;
  private readonly high: Float64Array;
  private readonly last: Float64Array;
  private added = 0;
  private column = 0;

  /** `epochs`: how many losses will be added; `width`: columns of the chart. */
  constructor(
    readonly epochs: number,
    width = 60,
  ) {
    const columns = Math.max(1, Math.min(width, epochs));
    this.low = new Float64Array(columns).fill(Number.POSITIVE_INFINITY);
    this.high = new Float64Array(columns).fill(Number.NEGATIVE_INFINITY);
    this.last = new Float64Array(columns);
  }

  /** The first epoch of column `c`: the columns split the epochs as evenly as whole epochs allow. */
  private start(c: number): number {
    return Math.floor((c * this.epochs) / this.low.length);
  }

  /** Adds the next epoch's loss. */
  add(loss: number): void {
    while (this.column + 1 < this.low.length && this.added >= this.start(this.column + 1)) this.column++;
    const c = this.column;
    this.low[c] = Math.min(this.low[c] as number, loss);
    this.high[c] = Math.max(this.high[c] as number, loss);
    this.last[c] = loss;
    this.added++;
  }

  /**
   * The curve as text, epoch 1 on the left (once every epoch was added):
   *
   * ```
   * Loss by epoch
   *   112.5 |*
   *         | ***
   *         |    ******
   *   20.04 |          ************
   *         +----------------------
   *          1                  200
   * ```
   *
   * Each column is filled from the lowest to the highest loss of its epochs and the last loss of the
   * column before, so the curve stays connected however steep it falls. When the loss spans more
   * than two orders of magnitude the y axis is logarithmic, or everything after the first few epochs
   * would sit on the bottom row.
   */
  draw(height = 12): string {
    if (this.added === 0) return "Loss by epoch: no epochs\n";
    const columns = this.low.length;
    const width = Math.max(MIN_WIDTH, columns);
    const rows = Math.max(2, height);
    const low = Math.min(...this.low);
    const high = Math.max(...this.high);
    const logScale = low > 0 && high / low > 100;
    const scale = (v: number) => (logScale ? Math.log10(v) : v);
    const [bottom, top] = [scale(low), scale(high)];
    const rowOf = (v: number) =>
      top === bottom ? 0 : Math.round(((top - scale(v)) / (top - bottom)) * (rows - 1));

    const grid = Array.from({ length: rows }, () => Array<string>(width).fill(" "));
    let previous: number | undefined;
    for (let col = 0; col < width; col++) {
      // A short run has fewer columns of epochs than the chart: each then spans several.
      const c = Math.floor((col * columns) / width);
      // Higher losses sit on higher rows, which have lower numbers.
      let first = rowOf(this.high[c] as number);
      let last = rowOf(this.low[c] as number);
      if (previous !== undefined) [first, last] = [Math.min(first, previous), Math.max(last, previous)];
      for (let row = first; row <= last; row++) (grid[row] as string[])[col] = "*";
      previous = rowOf(this.last[c] as number);
    }

    // Labels on the top, middle and bottom rows; the middle value is the one its row stands for.
    const valueAt = (row: number) => {
      const v = top - ((top - bottom) * row) / (rows - 1);
      return logScale ? 10 ** v : v;
    };
    const middle = Math.floor((rows - 1) / 2);
    const labels = new Map([0, middle, rows - 1].map((row) => [row, formatR(valueAt(row), 4)]));
    const labelWidth = Math.max(...[...labels.values()].map((l) => l.length));
    const lines = grid.map((cells, row) =>
      `${(labels.get(row) ?? "").padStart(labelWidth)} |${cells.join("")}`.trimEnd(),
    );
    const axis = `${" ".repeat(labelWidth)} +${"-".repeat(width)}`;
    const lastEpoch = String(this.epochs);
    const ends =
      this.epochs === 1 ? "1" : `1${lastEpoch.padStart(Math.max(width - 1, lastEpoch.length + 1))}`;
    const ticks = `${" ".repeat(labelWidth)}  ${ends}`;
    const title = `Loss by epoch${logScale ? " (log scale)" : ""}`;
    return `${[title, ...lines, axis, ticks].join("\n")}\n`;
  }
}

/** The chart of a whole array of losses (see LossCurve.draw). */
export function plotLoss(losses: ArrayLike<number>, options: PlotOptions = {}): string {
  const curve = new LossCurve(losses.length, options.width);
  for (let i = 0; i < losses.length; i++) curve.add(losses[i] as number);
  return curve.draw(options.height);
}

import { formatR } from "./format-number.js";

export interface PlotOptions {
  /** Columns of the drawing area (one column covers several epochs in long runs). */
  width?: number;
  /** Rows of the drawing area. */
  height?: number;
}

/**
 * The loss curve as text, epoch 1 on the left:
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
 * Each column covers a range of epochs and is filled from the lowest to the highest loss in it and
 * the last loss of the column before, so the curve stays connected however steep it falls. When the
 * loss spans more than two orders of magnitude the y axis is logarithmic, or everything after the
 * first few epochs would sit on the bottom row.
 */
export function plotLoss(losses: ArrayLike<number>, options: PlotOptions = {}): string {
  const count = losses.length;
  if (count === 0) return "Loss by epoch: no epochs\n";
  const width = Math.max(2, Math.min(options.width ?? 60, count));
  const height = Math.max(2, options.height ?? 12);
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    low = Math.min(low, losses[i] as number);
    high = Math.max(high, losses[i] as number);
  }
  const logScale = low > 0 && high / low > 100;
  const scale = (v: number) => (logScale ? Math.log10(v) : v);
  const [bottom, top] = [scale(low), scale(high)];
  const rowOf = (v: number) =>
    top === bottom ? 0 : Math.round(((top - scale(v)) / (top - bottom)) * (height - 1));

  const grid = Array.from({ length: height }, () => Array<string>(width).fill(" "));
  let previous: number | undefined;
  for (let col = 0; col < width; col++) {
    const from = Math.floor((col * count) / width);
    const to = Math.max(from + 1, Math.floor(((col + 1) * count) / width));
    let [first, last] = [rowOf(losses[from] as number), rowOf(losses[from] as number)];
    if (previous !== undefined) [first, last] = [Math.min(first, previous), Math.max(last, previous)];
    for (let i = from; i < to; i++) {
      const row = rowOf(losses[i] as number);
      [first, last] = [Math.min(first, row), Math.max(last, row)];
    }
    for (let row = first; row <= last; row++) (grid[row] as string[])[col] = "*";
    previous = rowOf(losses[to - 1] as number);
  }

  // Labels on the top, middle and bottom rows; the middle value is the one its row stands for.
  const valueAt = (row: number) => {
    const v = top - ((top - bottom) * row) / (height - 1);
    return logScale ? 10 ** v : v;
  };
  const middle = Math.floor((height - 1) / 2);
  const labels = new Map([0, middle, height - 1].map((row) => [row, formatR(valueAt(row), 4)]));
  const labelWidth = Math.max(...[...labels.values()].map((l) => l.length));
  const lines = grid.map((cells, row) =>
    `${(labels.get(row) ?? "").padStart(labelWidth)} |${cells.join("")}`.trimEnd(),
  );
  const axis = `${" ".repeat(labelWidth)} +${"-".repeat(width)}`;
  const lastEpoch = String(count);
  const ticks = `${" ".repeat(labelWidth)}  1${lastEpoch.padStart(width - 1)}`;
  const title = `Loss by epoch${logScale ? " (log scale)" : ""}`;
  return `${[title, ...lines, axis, ticks].join("\n")}\n`;
}

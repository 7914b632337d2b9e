import type { MeasureOptions, RunValue, Task } from "./peer.js";

/** The times of one case on one peer, in seconds per run. */
export interface Timing {
  median: number;
  mean: number;
  min: number;
  /** Timed runs (warm-up excluded). */
  runs: number;
  warmup: number;
  /** True when the one and only run was the first (cold) one, because it took over `maxRunSeconds`. */
  cold: boolean;
  /** What the first run returned (e.g. the first epoch's loss), to check that the peers agree. */
  firstValue: number | null;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function timeOnce(task: Task): Promise<[number, RunValue]> {
  const t0 = performance.now();
  let value = task.run();
  // Awaiting only real promises keeps microsecond runs (W1 epochs) free of an extra tick.
  if (value instanceof Promise) value = await value;
  return [(performance.now() - t0) / 1e3, value];
}

/**
 * Warm-up, then the median of repeated runs. Warm-up runs until a quarter of the budget is spent
 * (at least one run, at most 20); the number of timed runs is what fits in the budget at the
 * warm-up's pace, between `minRuns` and `maxRuns`, and a single run when one run alone overruns
 * the budget. A first run over `maxRunSeconds` is reported alone, as a cold run. `limit` caps warm-up plus timed runs (a training of 200 epochs times 200 epochs).
 */
export async function measure(
  task: Task,
  options: MeasureOptions,
  limit = Number.POSITIVE_INFINITY,
): Promise<Timing> {
  (globalThis as { gc?: () => void }).gc?.();
  const budget = options.budgetSeconds;
  const warm: number[] = [];
  let firstValue: number | null = null;
  let warmSpent = 0;
  do {
    const [t, value] = await timeOnce(task);
    if (warm.length === 0 && typeof value === "number") firstValue = value;
    if (warm.length === 0 && t > options.maxRunSeconds) {
      return { median: t, mean: t, min: t, runs: 1, warmup: 0, cold: true, firstValue };
    }
    warm.push(t);
    warmSpent += t;
  } while (warmSpent < budget / 4 && warm.length < 20 && warm.length < limit / 4);
  const pace = median(warm.slice(-3));
  const fit = Math.floor(budget / Math.max(pace, 1e-9));
  let runs = pace > budget ? 1 : Math.min(Math.max(fit, options.minRuns), options.maxRuns);
  runs = Math.max(1, Math.min(runs, limit - warm.length));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timeOnce(task))[0]);
  return {
    median: median(times),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    min: Math.min(...times),
    runs,
    warmup: warm.length,
    cold: false,
    firstValue,
  };
}

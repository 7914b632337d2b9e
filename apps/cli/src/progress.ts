import { formatR } from "./format-number.js";

/** Where the bar is drawn: a terminal stream (process.stderr), or a fake one in tests. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Epochs of the whole run. */
  total: number;
  /** Milliseconds before the bar first appears: short runs finish without ever drawing one. */
  delayMs?: number;
  /** Milliseconds between redraws: redrawing every epoch would cost more than the epoch itself. */
  intervalMs?: number;
  /** The clock, in milliseconds (replaceable in tests). */
  now?: () => number;
}

/**
 * Whether a run draws a progress bar: only when a person watches both streams (stdout and stderr are
 * terminals), never in pipes, files or JSON output, whose readers want the lines and nothing else.
 */
export function wantsProgress(
  opts: { json: boolean; quiet: boolean },
  stdoutTTY: boolean,
  stderrTTY: boolean,
) {
  return !opts.json && !opts.quiet && stdoutTTY && stderrTTY;
}

/**
 * A one-line bar (`[#######.......]  120/200  60%  Loss: 38.55568  0.3 s left`) redrawn in place with
 * a carriage return. `clear()` wipes it so that a log line can be printed on a clean line, and the
 * next `update` draws it again below that line.
 */
export class ProgressBar {
  private readonly total: number;
  private readonly delayMs: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions,
  ) {
    this.total = options.total;
    this.delayMs = options.delayMs ?? 500;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  /** Records that `epoch` is done with `loss`; draws when the delay and the redraw interval allow. */
  update(epoch: number, loss: number): void {
    const t = this.now();
    if (t - this.start < this.delayMs || t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.shown = true;
    this.stream.write(`\r${this.render(epoch, loss, t - this.start)}\x1b[K`);
  }

  /** Erases the bar, if drawn, leaving the cursor at the start of the empty line. */
  clear(): void {
    if (!this.shown) return;
    this.stream.write("\r\x1b[K");
    this.shown = false;
    this.lastDraw = Number.NEGATIVE_INFINITY;
  }

  render(epoch: number, loss: number, elapsedMs: number): string {
    const fraction = Math.min(1, epoch / this.total);
    const left = (elapsedMs / 1000) * (1 / Math.max(fraction, 1e-9) - 1);
    // Padded fields and a fixed bar keep the line from jittering as the numbers change.
    const count = `${String(epoch).padStart(String(this.total).length)}/${this.total}`;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const info = `  ${count} ${percent}  Loss: ${formatR(loss).padEnd(10)}  ${formatSeconds(left)} left`;
    const filled = Math.round(fraction * BAR_WIDTH);
    const line = `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]${info}`;
    // Keep the line one column short of the terminal width, or the terminal wraps it and \r stops working.
    const columns = this.stream.columns || 80; // 0 where the terminal reports no size
    return line.slice(0, Math.max(0, columns - 1));
  }
}

const BAR_WIDTH = 30;

/** Seconds for people: `0.42 s`, `12 s`, `3 min 20 s`. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/**
 * How long a run goes before its bar appears: half a second, so that quick runs never flash one.
 * TORCHLET_PROGRESS_DELAY_MS overrides it (0 shows the bar from the first epoch).
 */
export function progressDelay(): number {
  const ms = Number(process.env.TORCHLET_PROGRESS_DELAY_MS ?? Number.NaN);
  return Number.isFinite(ms) && ms >= 0 ? ms : 500;
}

import { exactNumber, formatR } from "./format-number.js";
import { formatSeconds } from "./progress.js";

/** How a finished run is summed up, in both output modes. */
export interface TrainSummary {
  epochs: number;
  /** The loss of the last epoch, computed before its update (as the logged lines are). */
  finalLoss: number;
  /** Wall time of the training loop, data and initialisation excluded. */
  seconds: number;
  epochsPerSecond: number;
}

/** Prints the logged epochs and the closing summary of a run. */
export interface TrainOutput {
  epoch(epoch: number, loss: number): void;
  done(summary: TrainSummary): void;
}

type Write = (chunk: string) => unknown;

/**
 * The chapter's lines on stdout (`Epoch: 10   Loss: 24.92771`, the loss as R prints it) and the
 * summary on stderr, so that stdout holds exactly what the chapter prints.
 */
export function textOutput(stdout: Write, stderr: Write, quiet: boolean): TrainOutput {
  return {
    epoch: (epoch, loss) => stdout(`Epoch: ${epoch}   Loss: ${formatR(loss)}\n`),
    done: (s) => {
      if (quiet) return;
      stderr(
        `Final loss: ${formatR(s.finalLoss)} after ${s.epochs} epochs in ${formatSeconds(s.seconds)} (${formatR(s.epochsPerSecond, 3)} epochs/s)\n`,
      );
    },
  };
}

/**
 * One JSON object per line on stdout: `{"epoch":10,"loss":24.927706}` per logged epoch, then the
 * summary. Losses carry the shortest decimal that reads back as the same float32/float64.
 */
export function jsonOutput(stdout: Write, dtype: "float32" | "float64"): TrainOutput {
  const line = (value: unknown) => stdout(`${JSON.stringify(value)}\n`);
  return {
    epoch: (epoch, loss) => line({ epoch, loss: exactNumber(loss, dtype) }),
    done: (s) =>
      line({
        epochs: s.epochs,
        finalLoss: exactNumber(s.finalLoss, dtype),
        seconds: Number(s.seconds.toFixed(4)),
        epochsPerSecond: Number(s.epochsPerSecond.toPrecision(4)),
      }),
  };
}

import { writeSync } from "node:fs";
import { reason } from "./system-error.js";

let outputMatters = true;

/**
 * For a run that is still worth finishing when nobody reads its output (`train --save FILE | head -2`):
 * from now on a closed stdout or stderr no longer ends the program, and what it would have printed
 * there is dropped.
 */
export function finishWithoutOutput(): void {
  outputMatters = false;
}

/**
 * What the program does when writing stdout or stderr fails. A reader that stops early
 * (`torchlet train | head -3`) closes the pipe: the program then ends quietly with exit code 0, as
 * `seq` or `cat` do, instead of dying on an unhandled EPIPE with a stack trace (unless it was told to
 * finish without its output). Any other failure, such as a full disk (`> /dev/full`), ends it with
 * exit code 1 and says why on stderr.
 */
export function handleOutputErrors(): void {
  for (const [name, stream] of [
    ["stdout", process.stdout],
    ["stderr", process.stderr],
  ] as const) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") {
        if (outputMatters) process.exit(0);
        return;
      }
      if (name === "stdout") say(`torchlet: cannot write to stdout: ${reason(error)}\n`);
      process.exit(1);
    });
  }
}

/** Writes to stderr at once, before the program exits; nothing is left to do if that fails too. */
function say(message: string): void {
  try {
    writeSync(2, message);
  } catch {
    // stderr is gone as well.
  }
}

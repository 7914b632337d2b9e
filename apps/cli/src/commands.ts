import pkg from "../package.json" with { type: "json" };
import { digitsCommand } from "./digits-command.js";
import { graphCommand } from "./graph-command.js";
import { predictCommand } from "./predict-command.js";
import { trainCommand } from "./train-command.js";

export const VERSION: string = pkg.version;

/** One subcommand: its one-line usage, its full help, and what it does with its arguments. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  help(): string;
  /** Returns the exit code; throws UsageError for bad input (exit 2). */
  run(argv: readonly string[]): Promise<number> | number;
}

export const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  predict: predictCommand,
  graph: graphCommand,
  digits: digitsCommand,
};

export const PROGRAM_USAGE = "usage: torchlet <command> [options]";

export function programHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`);
  return `torchlet ${VERSION}: the chapter "a neural network from scratch" on raw tensors and autograd

${PROGRAM_USAGE}

commands:
${rows.join("\n")}

options:
  --help      show help (also after a command: torchlet train --help)
  --version   print the version

examples:
  torchlet train                              the chapter: 200 epochs, the loss every 10
  torchlet train --hidden 32,16 --plot        a second hidden layer, and the loss curve
  torchlet train --json > run.jsonl           JSON lines for scripts
  torchlet train --save model.json && torchlet predict --model model.json --input "0.5,-1,2"
  torchlet graph --dot | dot -Tsvg > graph.svg
  torchlet digits --save digits.pt            a digit classifier on real MNIST digits
  torchlet predict --model digits.pt --image seven.png

Exit codes: 0 success, 1 a failed run (the loss became NaN or Inf), 2 bad usage or input.
`;
}

import pkg from "../package.json" with { type: "json" };
import { trainCommand } from "./train-command.js";

export const VERSION: string = pkg.version;

/** One subcommand: its one-line usage, its full help, and what it does with its arguments. */
export interface Command {
  readonly summary: string;
  readonly usage: string;
  help(): string;
  run(argv: readonly string[]): Promise<number> | number;
}

export const COMMANDS: Record<string, Command> = {
  train: trainCommand,
};

export function programHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`);
  return `torchlet ${VERSION}: the chapter "a neural network from scratch" on raw tensors and autograd

usage: torchlet <command> [options]

commands:
${rows.join("\n")}

options:
  --help      show help (also after a command: torchlet train --help)
  --version   print the version
`;
}

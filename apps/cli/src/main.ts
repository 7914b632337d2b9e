import { TorchletError } from "torchlet";
import { UsageError } from "./args.js";
import { COMMANDS, programHelp, VERSION } from "./commands.js";

/** Runs the CLI and returns its exit code: 0 ok, 1 a failed run (e.g. a diverging loss), 2 bad usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(programHelp());
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`torchlet ${VERSION}\n`);
    return 0;
  }
  const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!cmd) throw new UsageError(`unknown command "${command}"`);
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(cmd.help());
      return 0;
    }
    return await cmd.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `torchlet: ${error.message}\n${cmd ? cmd.usage : "usage: torchlet <command> [options]"}\nRun "torchlet ${cmd ? `${command} ` : ""}--help" for details.\n`,
      );
      return 2;
    }
    if (error instanceof TorchletError) {
      process.stderr.write(`torchlet: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `torchlet: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);

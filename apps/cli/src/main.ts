import { TorchletError } from "torchlet";
import { UsageError } from "./args.js";
import { COMMANDS, PROGRAM_USAGE, programHelp, VERSION } from "./commands.js";
import { handleOutputErrors } from "./output-errors.js";

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";

/** Runs the CLI and returns its exit code: 0 ok, 1 a failed run (e.g. a diverging loss), 2 bad usage. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    // No command is a usage mistake: the help goes to stderr so that stdout stays empty.
    process.stderr.write(programHelp());
    return 2;
  }
  if (isHelp(command)) {
    process.stdout.write(programHelp());
    return 0;
  }
  if (command === "--version" || command === "-v" || command === "version") {
    process.stdout.write(`torchlet ${VERSION}\n`);
    return 0;
  }
  // `torchlet help` and `torchlet help train`, as git and npm have them.
  if (command === "help") return rest.length === 0 ? main(["--help"]) : main([rest[0] as string, "--help"]);
  const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!cmd) {
      const known = Object.keys(COMMANDS).join(", ");
      throw new UsageError(`unknown command "${command}" (the commands are ${known})`);
    }
    if (rest.some(isHelp)) {
      process.stdout.write(cmd.help());
      return 0;
    }
    return await cmd.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `torchlet: ${error.message}\n${cmd ? cmd.usage : PROGRAM_USAGE}\nRun "torchlet ${cmd ? `${command} ` : ""}--help" for details.\n`,
      );
      return 2;
    }
    // The library refused something the options allowed: the run failed, the usage was fine.
    if (error instanceof TorchletError) {
      process.stderr.write(`torchlet: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

handleOutputErrors();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug of ours: one line for the user, the stack only on request.
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error && process.env.TORCHLET_DEBUG ? `\n${error.stack}` : "";
    process.stderr.write(
      `torchlet: internal error: ${message}${stack}\n(set TORCHLET_DEBUG=1 for the stack trace; please report it)\n`,
    );
    process.exitCode = 1;
  },
);

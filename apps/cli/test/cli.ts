import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The bundled binary the tests run, as users run it: `node dist/main.js`. */
export const BIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `torchlet ...args` (optionally with `input` on stdin) and collects its exit code and output. */
export function cli(args: readonly string[], input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? "");
  });
}

/** The JSON lines of a `--json` run, each parsed. */
export const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Signs of a stack trace, which no message of the CLI may carry. */
export const STACK = /\n\s+at |node:internal|\.ts:\d+|\.js:\d+/;

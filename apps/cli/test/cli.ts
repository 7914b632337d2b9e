import { type ChildProcess, execFile, spawn } from "node:child_process";
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

/** A CLI process that is still running, its stderr collected, for tests that act while it runs. */
export interface RunningCli {
  child: ChildProcess;
  /** The first chunk of stdout (with a piped stdout). */
  firstOutput(): Promise<string>;
  /** The exit code and all of stderr, once the process is gone. */
  done: Promise<{ code: number | null; stderr: string }>;
}

/** Starts `torchlet ...args` without waiting for it: stdin ignored, stdout piped (or to a file descriptor). */
export function start(args: readonly string[], stdout: "pipe" | number = "pipe"): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", stdout, "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return {
    child,
    firstOutput: () =>
      new Promise((resolve) => child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString()))),
    done: new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr }))),
  };
}

/** The JSON lines of a `--json` run, each parsed. */
export const jsonLines = (stdout: string): Record<string, unknown>[] =>
  stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Signs of a stack trace, which no message of the CLI may carry. */
export const STACK = /\n\s+at |node:internal|\.ts:\d+|\.js:\d+/;

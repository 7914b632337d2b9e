import { runCli } from "./cli.js";

const io = { out: (s: string) => process.stdout.write(s), err: (s: string) => process.stderr.write(s) };
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);

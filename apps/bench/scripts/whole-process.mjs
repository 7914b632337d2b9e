#!/usr/bin/env node
// Issue 19's whole-process comparison, as a new user would time it: the CLI's default run
// (`torchlet train`, the built apps/cli/dist/main.js) against the same program as a PyTorch script
// (python/chapter.py), each a fresh process: start-up, imports, training and printing all count.
// The two alternate, so a change in the machine's load hits both; the report gives every run, the
// medians, the spread, and the ratio torchlet / PyTorch.
//
//   node apps/bench/scripts/whole-process.mjs [runs]     (default 5; build the CLI first)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "..", "cli", "dist", "main.js");
const script = join(here, "..", "python", "chapter.py");
const runs = Number(process.argv[2] ?? 5);
if (!existsSync(cli)) {
  console.error(`whole-process: ${cli} is missing: build the CLI first (pnpm turbo run build)`);
  process.exit(1);
}

const programs = [
  { name: "torchlet train", command: process.execPath, args: [cli, "train"] },
  { name: "PyTorch script", command: "/usr/bin/python3", args: [script], env: { OMP_NUM_THREADS: "1" } },
];

function timeOnce({ command, args, env }) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, ...env } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${r.stderr}`);
  const final = /Epoch: 200\s+Loss: (\S+)/.exec(r.stdout)?.[1];
  return { seconds, final };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const times = programs.map(() => []);
const finals = new Set();
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (let i = 0; i < runs; i++) {
  programs.forEach((p, k) => {
    const { seconds, final } = timeOnce(p);
    times[k].push(seconds);
    finals.add(final);
  });
}
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
if (finals.size !== 1) throw new Error(`the two programs' last losses differ: ${[...finals].join(", ")}`);
programs.forEach((p, k) => {
  const t = times[k];
  console.log(
    `${p.name.padEnd(15)} median ${median(t).toFixed(3)} s, min ${Math.min(...t).toFixed(3)}, max ${Math.max(...t).toFixed(3)} (runs: ${t.map((s) => s.toFixed(3)).join(" ")})`,
  );
});
const ratios = times[0].map((t, i) => t / times[1][i]);
console.log(
  `torchlet / PyTorch: ${(median(times[0]) / median(times[1])).toFixed(3)} (medians); per pair ${Math.min(...ratios).toFixed(3)}-${Math.max(...ratios).toFixed(3)}; both end at loss ${[...finals][0]}`,
);

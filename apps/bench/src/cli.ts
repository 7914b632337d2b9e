import { cpus, loadavg } from "node:os";
import { BROWSER_PEER_IDS, type MeasureOptions, PEER_IDS, type Peer, type PeerId } from "./peer.js";
import { formatTables, toJson } from "./report.js";
import { type BenchOptions, runBench } from "./run.js";
import { BROWSER_WORKLOADS, WORKLOADS, type WorkloadId } from "./workloads.js";

export const HELP = `usage: pnpm bench [--only W1,W3] [--peers torchlet,tfjs-wasm] [--quick] [--budget SECONDS] [--json] [--browser]

Runs the same float32 workloads on torchlet and its peers and prints the medians and the
torchlet/peer time ratios.
  --only W1,W3     workloads to run (${WORKLOADS.join(", ")}; default all)
  --peers a,b      libraries to run (${PEER_IDS.join(", ")}; default all)
  --quick          a fast smoke run: tiny time budget, few repeats
  --budget S       seconds of timed runs per case and peer (default 1)
  --json           print one JSON document instead of the tables
  --browser        run in headless Chromium (/usr/bin/chromium), in a cross-origin isolated Web
                   Worker, on the peers that run there (${BROWSER_PEER_IDS.join(", ")}) and
                   the workloads ${BROWSER_WORKLOADS.join(", ")}
`;

export interface Io {
  out(text: string): unknown;
  err(text: string): unknown;
}

class UsageError extends Error {}

interface Options extends BenchOptions {
  json: boolean;
  browser: boolean;
}

function list<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T[] {
  if (!value) throw new UsageError(`${flag} needs a comma-separated list`);
  const items = value.split(",").map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new UsageError(`${flag}: unknown "${item}" (one of ${allowed.join(", ")})`);
  }
  return allowed.filter((a) => items.includes(a));
}

export function parseArgs(argv: readonly string[]): Options | "help" {
  let workloads: WorkloadId[] = [...WORKLOADS];
  let peers: PeerId[] = [...PEER_IDS];
  let json = false;
  let browser = false;
  let peersGiven = false;
  let workloadsGiven = false;
  let quick = false;
  let budget: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === "--")
      continue; // pnpm 12 passes a literal "--" through
    else if (flag === "--help" || flag === "-h") return "help";
    else if (flag === "--json") json = true;
    else if (flag === "--browser") browser = true;
    else if (flag === "--quick") quick = true;
    else if (flag === "--only") {
      workloads = list(value()?.toUpperCase(), WORKLOADS, "--only");
      workloadsGiven = true;
    } else if (flag === "--peers") {
      peers = list(value(), PEER_IDS, "--peers");
      peersGiven = true;
    } else if (flag === "--budget") {
      budget = Number(value());
      if (!(budget > 0)) throw new UsageError("--budget needs a positive number of seconds");
    } else throw new UsageError(`unknown option "${arg}"`);
  }
  const measureOptions: MeasureOptions = quick
    ? { budgetSeconds: budget ?? 0.05, minRuns: 1, maxRuns: 20, maxRunSeconds: 2 }
    : { budgetSeconds: budget ?? 1, minRuns: 5, maxRuns: 1000, maxRunSeconds: 10 };
  if (browser) {
    const elsewhere = peers.filter((p) => !(BROWSER_PEER_IDS as readonly PeerId[]).includes(p));
    if (peersGiven && elsewhere.length > 0) {
      throw new UsageError(
        `--browser runs only ${BROWSER_PEER_IDS.join(", ")} (not ${elsewhere.join(", ")})`,
      );
    }
    peers = peers.filter((p) => !elsewhere.includes(p));
    const nodeOnly = workloads.filter((w) => !(BROWSER_WORKLOADS as readonly WorkloadId[]).includes(w));
    if (workloadsGiven && nodeOnly.length > 0) {
      throw new UsageError(
        `--browser runs only ${BROWSER_WORKLOADS.join(", ")} (not ${nodeOnly.join(", ")})`,
      );
    }
    workloads = workloads.filter((w) => !nodeOnly.includes(w));
  }
  return { workloads, peers, json, browser, measure: measureOptions };
}

async function loadPeer(id: PeerId): Promise<Peer> {
  switch (id) {
    case "torchlet":
      return (await import("./peers/torchlet.js")).peer;
    case "tfjs-cpu":
      return (await import("./peers/tfjs-cpu.js")).peer;
    case "tfjs-wasm":
      return (await import("./peers/tfjs-wasm.js")).peer;
    case "jax-eager":
      return (await import("./peers/jax-eager.js")).peer;
    case "jax-jit":
      return (await import("./peers/jax-jit.js")).peer;
    case "js-pytorch":
      return (await import("./peers/js-pytorch.js")).peer;
    case "pytorch-1t":
      return (await import("./peers/pytorch-1t.js")).peer;
    case "pytorch-2t":
      return (await import("./peers/pytorch-2t.js")).peer;
  }
}

/** The command line: returns the exit code (0 ok, 2 bad usage). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let options: Options | "help";
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`bench: ${error.message}\n${HELP}`);
    return 2;
  }
  if (options === "help") {
    io.out(HELP);
    return 0;
  }
  const log = (s: string) => io.err(s);
  const run = options.browser
    ? await (await import("./browser/host.js")).runInBrowser(options, log)
    : await runBench(options, log, loadPeer);
  const { results, notes } = run;
  if (options.json) {
    const meta = {
      runtime: "browser" in run ? run.browser : `Node ${process.version}`,
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      loadavg: loadavg(),
      options: options.measure,
      notes,
    };
    io.out(`${JSON.stringify(toJson(results, options.peers, meta), null, 2)}\n`);
  } else {
    io.out(`\n${formatTables(results, options.peers, notes)}`);
  }
  return 0;
}

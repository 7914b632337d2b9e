import { cpus, loadavg } from "node:os";
import { measure } from "./measure.js";
import {
  type InProcessPeer,
  isNotAvailable,
  type MeasureOptions,
  type NotAvailable,
  PEER_IDS,
  type Peer,
  type PeerId,
} from "./peer.js";
import { type CaseResult, fmt, formatTables, type Outcome, toJson } from "./report.js";
import {
  allCases,
  type Case,
  type CaseData,
  makeData,
  maxRunsOf,
  metricOf,
  type TrainCase,
  WORKLOADS,
  type WorkloadId,
} from "./workloads.js";

export const HELP = `usage: pnpm bench [--only W1,W3] [--peers torchlet,tfjs-wasm] [--quick] [--budget SECONDS] [--json]

Runs the same float32 workloads on torchlet and its peers and prints the medians and the
torchlet/peer time ratios.
  --only W1,W3     workloads to run (${WORKLOADS.join(", ")}; default all)
  --peers a,b      libraries to run (${PEER_IDS.join(", ")}; default all)
  --quick          a fast smoke run: tiny time budget, few repeats
  --budget S       seconds of timed runs per case and peer (default 1)
  --json           print one JSON document instead of the tables
`;

export interface Io {
  out(text: string): unknown;
  err(text: string): unknown;
}

class UsageError extends Error {}

interface Options {
  workloads: WorkloadId[];
  peers: PeerId[];
  json: boolean;
  measure: MeasureOptions;
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
    else if (flag === "--quick") quick = true;
    else if (flag === "--only") workloads = list(value()?.toUpperCase(), WORKLOADS, "--only");
    else if (flag === "--peers") peers = list(value(), PEER_IDS, "--peers");
    else if (flag === "--budget") {
      budget = Number(value());
      if (!(budget > 0)) throw new UsageError("--budget needs a positive number of seconds");
    } else throw new UsageError(`unknown option "${arg}"`);
  }
  const measureOptions: MeasureOptions = quick
    ? { budgetSeconds: budget ?? 0.05, minRuns: 1, maxRuns: 20, maxRunSeconds: 2 }
    : { budgetSeconds: budget ?? 1, minRuns: 5, maxRuns: 1000, maxRunSeconds: 10 };
  return { workloads, peers, json, measure: measureOptions };
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

const message = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";

/**
 * Whole untimed trainings on fresh parameters before the timed one, repeated until `seconds` have
 * passed (at least one). The per-run warm-up of `measure` stops after at most 20 epochs, far too
 * few for a JS engine to finish optimising a training step (V8 takes a few thousand of the chapter's
 * epochs here) or for jit peers to settle, so without this the timed epochs would mostly measure
 * code that is still being compiled. Every peer gets the same warm-up; PyTorch's runner
 * (python/bench.py) does the same.
 */
export async function warmUpTraining(
  peer: InProcessPeer,
  c: TrainCase,
  data: CaseData,
  seconds: number,
): Promise<void> {
  const start = performance.now();
  do {
    const task = await peer.prepare(c, data);
    if (isNotAvailable(task)) return;
    try {
      for (let epoch = 0; epoch < c.epochs; epoch++) await task.run();
    } finally {
      task.dispose?.();
    }
  } while ((performance.now() - start) / 1e3 < seconds);
}

/** The results and the notes on what the peers ran on (PyTorch's BLAS), printed under the tables. */
export interface BenchRun {
  results: CaseResult[];
  notes: string[];
}

/** Runs the selected cases on the selected peers; a failing peer becomes "n/a (reason)", never a crash. */
export async function runBench(options: Options, io: Io): Promise<BenchRun> {
  const notes: string[] = [];
  const cases = allCases().filter((c) => options.workloads.includes(c.workload));
  const results: CaseResult[] = cases.map((c) => ({ c, outcomes: new Map<PeerId, Outcome>() }));
  const peers: Peer[] = [];
  const unavailable = new Map<PeerId, Outcome>();
  for (const id of options.peers) {
    try {
      const peer = await loadPeer(id);
      const na = peer.kind === "in-process" ? await peer.init() : undefined;
      if (na) unavailable.set(id, na);
      peers.push(peer);
    } catch (error) {
      unavailable.set(id, { na: `failed to load: ${message(error)}` });
    }
  }
  const log = (c: Case, id: PeerId, o: Outcome) => {
    const text = isNotAvailable(o)
      ? `n/a (${o.na})`
      : `${fmt(metricOf(c).fromSeconds(o.median))} ${metricOf(c).unit} ${o.cold ? "(one cold run)" : `(median of ${o.runs}, ${o.warmup} warm-up)`}`;
    io.err(`${c.id.padEnd(28)} ${id.padEnd(10)} ${text}\n`);
  };

  for (const r of results) {
    const inProcess = peers.filter((p) => p.kind === "in-process");
    if (inProcess.length === 0) break;
    const data: CaseData = makeData(r.c);
    for (const peer of inProcess) {
      let outcome: Outcome | undefined = unavailable.get(peer.id);
      if (!outcome) {
        try {
          if (r.c.kind === "train") await warmUpTraining(peer, r.c, data, options.measure.budgetSeconds);
          const task = await peer.prepare(r.c, data);
          if (isNotAvailable(task)) outcome = task;
          else {
            try {
              outcome = await measure(task, options.measure, maxRunsOf(r.c));
            } finally {
              task.dispose?.();
            }
          }
        } catch (error) {
          outcome = { na: `error: ${message(error)}` };
        }
      }
      r.outcomes.set(peer.id, outcome);
      log(r.c, peer.id, outcome);
    }
  }

  for (const peer of peers) {
    if (peer.kind === "in-process" && peer.describe && !unavailable.has(peer.id)) {
      notes.push(`${peer.id}: ${peer.describe()}`);
    }
  }
  for (const peer of peers) {
    if (peer.kind !== "external") continue;
    const na = unavailable.get(peer.id);
    let all: Map<string, Outcome> | NotAvailable;
    try {
      io.err(`${peer.id}: timing ${cases.length} cases in a separate process...\n`);
      const run =
        na && isNotAvailable(na) ? { results: na } : await peer.measureAll(cases, makeData, options.measure);
      all = run.results;
      if (run.note) {
        notes.push(run.note);
        io.err(`${run.note}\n`);
      }
    } catch (error) {
      all = { na: `error: ${message(error)}` };
    }
    for (const r of results) {
      const o: Outcome = isNotAvailable(all) ? all : (all.get(r.c.id) ?? { na: "no result" });
      r.outcomes.set(peer.id, o);
      log(r.c, peer.id, o);
    }
  }
  for (const [id, o] of unavailable) {
    for (const r of results) if (!r.outcomes.has(id)) r.outcomes.set(id, o);
  }
  return { results, notes };
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
  const { results, notes } = await runBench(options, io);
  if (options.json) {
    const meta = {
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

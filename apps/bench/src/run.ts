import { measure } from "./measure.js";
import {
  type InProcessPeer,
  isNotAvailable,
  type MeasureOptions,
  type NotAvailable,
  type Peer,
  type PeerId,
} from "./peer.js";
import { type CaseResult, fmt, type Outcome } from "./report.js";
import {
  allCases,
  type Case,
  type CaseData,
  type Device,
  makeData,
  maxRunsOf,
  metricOf,
  type TrainCase,
  type WorkloadId,
} from "./workloads.js";

/** What to run: shared by the Node runner and the browser worker. */
export interface BenchOptions {
  workloads: WorkloadId[];
  peers: PeerId[];
  /** Which cases (the webgpu run's products are larger) and which peer the ratios divide by. */
  device: Device;
  /** W3's product sizes, where `--sizes` gave them (else the device's). */
  matmulSizes?: number[];
  measure: MeasureOptions;
}

/** Where progress lines go (stderr in Node, the page's console relay in the browser). */
export type Log = (text: string) => unknown;

export type PeerLoader = (id: PeerId) => Promise<Peer>;

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
export async function runBench(options: BenchOptions, log: Log, loadPeer: PeerLoader): Promise<BenchRun> {
  const notes: string[] = [];
  const cases = allCases(options.device, options.matmulSizes).filter((c) =>
    options.workloads.includes(c.workload),
  );
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
  const logOutcome = (c: Case, id: PeerId, o: Outcome) => {
    const text = isNotAvailable(o)
      ? `n/a (${o.na})`
      : `${fmt(metricOf(c).fromSeconds(o.median))} ${metricOf(c).unit} ${o.cold ? "(one cold run)" : `(median of ${o.runs}, ${o.warmup} warm-up)`}`;
    log(`${c.id.padEnd(28)} ${id.padEnd(10)} ${text}\n`);
  };

  for (const r of results) {
    const inProcess = peers.filter((p) => p.kind === "in-process");
    if (inProcess.length === 0) break;
    const data: CaseData = await makeData(r.c);
    for (const peer of inProcess) {
      let outcome: Outcome | undefined = unavailable.get(peer.id);
      if (!outcome) {
        try {
          if (r.c.kind === "train") await warmUpTraining(peer, r.c, data, options.measure.budgetSeconds);
          // One turn of the event loop first, as a program gets between its phases: memory that the
          // previous case's garbage held and finalizers return (torchlet's Wasm heap blocks) is back
          // before this case allocates its tensors, which otherwise land wherever the last case left room.
          await new Promise((resolve) => setTimeout(resolve, 0));
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
      logOutcome(r.c, peer.id, outcome);
    }
  }

  for (const peer of peers) {
    const note = peer.kind === "in-process" && !unavailable.has(peer.id) ? peer.describe?.() : undefined;
    if (note) notes.push(`${peer.id}: ${note}`);
  }
  for (const peer of peers) {
    if (peer.kind !== "external") continue;
    const na = unavailable.get(peer.id);
    let all: Map<string, Outcome> | NotAvailable;
    try {
      log(`${peer.id}: timing ${cases.length} cases in a separate process...\n`);
      const run =
        na && isNotAvailable(na) ? { results: na } : await peer.measureAll(cases, makeData, options.measure);
      all = run.results;
      if (run.note) {
        notes.push(run.note);
        log(`${run.note}\n`);
      }
    } catch (error) {
      all = { na: `error: ${message(error)}` };
    }
    for (const r of results) {
      const o: Outcome = isNotAvailable(all) ? all : (all.get(r.c.id) ?? { na: "no result" });
      r.outcomes.set(peer.id, o);
      logOutcome(r.c, peer.id, o);
    }
  }
  for (const [id, o] of unavailable) {
    for (const r of results) if (!r.outcomes.has(id)) r.outcomes.set(id, o);
  }
  return { results, notes };
}

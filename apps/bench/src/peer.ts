import type { Timing } from "./measure.js";
import type { Case, CaseData, Device } from "./workloads.js";

export const PEER_IDS = [
  "torchlet",
  "tfjs-cpu",
  "tfjs-wasm",
  "jax-eager",
  "jax-jit",
  "js-pytorch",
  "pytorch-1t",
  "pytorch-2t",
  "torchlet-webgpu",
  "tfjs-webgpu",
  "jax-eager-webgpu",
  "jax-jit-webgpu",
] as const;
export type PeerId = (typeof PEER_IDS)[number];

/** The peers of `--device webgpu`: torchlet, tfjs and jax-js on their WebGPU devices. */
export const WEBGPU_PEER_IDS = [
  "torchlet-webgpu",
  "tfjs-webgpu",
  "jax-eager-webgpu",
  "jax-jit-webgpu",
] as const satisfies readonly PeerId[];

/** The peers that compute on the CPU (the default run). */
export const CPU_PEER_IDS = PEER_IDS.filter((p) => !(WEBGPU_PEER_IDS as readonly PeerId[]).includes(p));

/** The peer whose time the ratios divide: torchlet on the run's device. */
export function referencePeer(device: Device): PeerId {
  return device === "webgpu" ? "torchlet-webgpu" : "torchlet";
}

/** The CPU peers of `pnpm bench --browser`: the libraries that run in a browser worker on Wasm. */
export const BROWSER_PEER_IDS = [
  "torchlet",
  "tfjs-wasm",
  "jax-eager",
  "jax-jit",
] as const satisfies readonly PeerId[];

/** A result a peer could not produce, with the reason printed in the table as "n/a (reason)". */
export interface NotAvailable {
  na: string;
}

export function isNotAvailable(x: unknown): x is NotAvailable {
  return typeof x === "object" && x !== null && "na" in x;
}

/**
 * The digits epochs (D1, D2) run on torchlet, tfjs-wasm and PyTorch, the peers issue 15 compares, and
 * on the GPU on torchlet and tfjs-webgpu.
 */
export const DIGITS_PEERS_ONLY: NotAvailable = { na: "digits: tfjs-wasm, tfjs-webgpu and PyTorch only" };

/** A value a run may return: a scalar the run read back anyway (a loss, a sum), compared across peers. */
export type RunValue = number | undefined;

/**
 * One prepared case. `run` does the workload once and returns only when its results are computed
 * (tfjs `dataSync`, jax-js `blockUntilReady`, ...): the clock stops when it returns.
 */
export interface Task {
  run(): RunValue | Promise<RunValue>;
  /** Frees what the case allocated (tfjs and jax-js count references; the rest need nothing). */
  dispose?(): void;
}

/** A library measured inside this process: the runner times its tasks. */
export interface InProcessPeer {
  kind: "in-process";
  id: PeerId;
  /** Loads the library; returns a reason when it cannot run here. */
  init(): Promise<NotAvailable | undefined>;
  prepare(c: Case, data: CaseData): Task | NotAvailable | Promise<Task | NotAvailable>;
  /**
   * What it ran on, asked after the runs (torchlet: its matmul kernels and threads; the GPU peers:
   * their adapter and how runs wait for the GPU), for the notes.
   */
  describe?(): string | undefined;
}

/** Settings the runner and an external peer share, so both follow the same method. */
export interface MeasureOptions {
  /** Seconds of timed runs to aim for per case (warm-up excluded). */
  budgetSeconds: number;
  /** Fewest timed runs when one run is shorter than the budget. */
  minRuns: number;
  /** Most timed runs. */
  maxRuns: number;
  /** A first run longer than this is the only run (reported as a cold run): slow peers stay bounded. */
  maxRunSeconds: number;
}

/** What an external peer's run produced: timings by case id (or why none), and a line for the notes. */
export interface ExternalRun {
  results: Map<string, Timing | NotAvailable> | NotAvailable;
  /** What it ran on (PyTorch: its BLAS library, core kernel and threads), printed under the tables. */
  note?: string;
}

/** A library measured in another process (PyTorch): it times every case itself, with the same method. */
export interface ExternalPeer {
  kind: "external";
  id: PeerId;
  measureAll(
    cases: readonly Case[],
    dataOf: (c: Case) => Promise<CaseData>,
    options: MeasureOptions,
  ): Promise<ExternalRun>;
}

export type Peer = InProcessPeer | ExternalPeer;

import { cpus, loadavg } from "node:os";
import {
  BROWSER_PEER_IDS,
  CPU_PEER_IDS,
  type MeasureOptions,
  PEER_IDS,
  type Peer,
  type PeerId,
  referencePeer,
  WEBGPU_PEER_IDS,
} from "./peer.js";
import { formatTables, toJson } from "./report.js";
import { type BenchOptions, runBench } from "./run.js";
import {
  BROWSER_WORKLOADS,
  DEVICES,
  type Device,
  MATMUL_SIZES,
  WEBGPU_WORKLOADS,
  WORKLOADS,
  type WorkloadId,
} from "./workloads.js";

export const HELP = `usage: pnpm bench [--only W1,W3] [--peers torchlet,tfjs-wasm] [--quick] [--budget SECONDS] [--json] [--browser] [--device webgpu]

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
  --sizes N,...    W3's square product sizes (default ${MATMUL_SIZES.cpu.join(", ")}; with
                   --device webgpu ${MATMUL_SIZES.webgpu.join(", ")})
  --device webgpu  the GPU run: ${WEBGPU_WORKLOADS.join(", ")} (products up to N=4096) on
                   ${WEBGPU_PEER_IDS.join(", ")}, ratios against torchlet-webgpu
                   (--peers may add the CPU peers); in Node without a GPU, on SwiftShader
                   (a CPU emulation: its figures say nothing about a GPU)
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

/**
 * What a run of this kind may run: `chosen` (from --only or --peers, all known names) must lie in
 * `allowed`; without the flag, `fallback`.
 */
function within<T extends string>(
  chosen: T[] | undefined,
  allowed: readonly T[],
  fallback: readonly T[],
  run: string,
): T[] {
  if (!chosen) return [...fallback];
  const elsewhere = chosen.filter((x) => !allowed.includes(x));
  if (elsewhere.length > 0)
    throw new UsageError(`${run} runs only ${allowed.join(", ")} (not ${elsewhere.join(", ")})`);
  return chosen;
}

export function parseArgs(argv: readonly string[]): Options | "help" {
  let workloads: WorkloadId[] | undefined;
  let peers: PeerId[] | undefined;
  let device: Device = "cpu";
  let matmulSizes: number[] | undefined;
  let json = false;
  let browser = false;
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
    else if (flag === "--only") workloads = list(value()?.toUpperCase(), WORKLOADS, "--only");
    else if (flag === "--peers") peers = list(value(), PEER_IDS, "--peers");
    else if (flag === "--device") {
      const [d] = list(value(), DEVICES, "--device");
      device = d as Device;
    } else if (flag === "--sizes") {
      matmulSizes = (value() ?? "").split(",").map(Number);
      if (!matmulSizes.every((n) => Number.isInteger(n) && n > 0 && n <= 16384))
        throw new UsageError("--sizes needs a comma-separated list of integers from 1 to 16384");
    } else if (flag === "--budget") {
      budget = Number(value());
      if (!(budget > 0)) throw new UsageError("--budget needs a positive number of seconds");
    } else throw new UsageError(`unknown option "${arg}"`);
  }
  const measureOptions: MeasureOptions = quick
    ? { budgetSeconds: budget ?? 0.05, minRuns: 1, maxRuns: 20, maxRunSeconds: 2 }
    : { budgetSeconds: budget ?? 1, minRuns: 5, maxRuns: 1000, maxRunSeconds: 10 };
  // The GPU run takes the GPU peers by default and may add the CPU ones beside them; a browser runs
  // only the peers that run there, and no digits.
  const gpu = device === "webgpu";
  const run =
    [browser ? "--browser" : "", gpu ? "--device webgpu" : ""].filter(Boolean).join(" ") ||
    "a CPU run (no --device webgpu)";
  const cpuPeers: readonly PeerId[] = browser ? BROWSER_PEER_IDS : CPU_PEER_IDS;
  const gpuPeers: readonly PeerId[] = WEBGPU_PEER_IDS;
  const allowedPeers = gpu ? PEER_IDS.filter((p) => cpuPeers.includes(p) || gpuPeers.includes(p)) : cpuPeers;
  const deviceWorkloads: readonly WorkloadId[] = gpu ? WEBGPU_WORKLOADS : WORKLOADS;
  const allowedWorkloads = browser
    ? deviceWorkloads.filter((w) => (BROWSER_WORKLOADS as readonly WorkloadId[]).includes(w))
    : deviceWorkloads;
  return {
    workloads: within(workloads, allowedWorkloads, allowedWorkloads, run),
    peers: within(peers, allowedPeers, gpu ? gpuPeers : cpuPeers, run),
    device,
    matmulSizes,
    json,
    browser,
    measure: measureOptions,
  };
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
    case "torchlet-webgpu":
      return (await import("./peers/torchlet-webgpu.js")).peer;
    case "tfjs-webgpu":
      return (await import("./peers/tfjs-webgpu.js")).peer;
    case "jax-eager-webgpu":
      return (await import("./peers/jax-eager-webgpu.js")).peer;
    case "jax-jit-webgpu":
      return (await import("./peers/jax-jit-webgpu.js")).peer;
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
  const reference = referencePeer(options.device);
  if (options.json) {
    const meta = {
      runtime: "browser" in run ? run.browser : `Node ${process.version}`,
      device: options.device,
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      loadavg: loadavg(),
      options: options.measure,
      notes,
    };
    io.out(`${JSON.stringify(toJson(results, options.peers, meta, reference), null, 2)}\n`);
  } else {
    io.out(`\n${formatTables(results, options.peers, notes, reference)}`);
  }
  return 0;
}

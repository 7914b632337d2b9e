import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Timing } from "../measure.js";
import type { ExternalPeer, ExternalRun, NotAvailable, PeerId } from "../peer.js";
import type { Array32 } from "../workloads.js";

const PYTHON = "/usr/bin/python3";

/** bench.py sits in apps/bench/python, found from src/peers (tests) or dist (the bundle). */
export function scriptPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "python", "bench.py");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** What bench.py reports about the BLAS it ran on (see `blas_report` there). */
export interface BlasReport {
  torch: string;
  threads: number;
  libraries: string[];
  openblas: { library: string; config: string; core: string; threads: number | null } | null;
  /** largest relative error of a float32 torch.mm against float64 sums outside the BLAS */
  sgemmError: number;
  env: Record<string, string>;
}

/** A float32 product this far off (relative to sum |a||b|) comes from a BLAS kernel wrong for the CPU. */
const SGEMM_TOLERANCE = 1e-5;

/** Variables set on some processors for old OpenBLAS builds; they slow a current one (env README). */
const CORETYPE_VARS = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"] as const;

/**
 * The Python process's environment: `threads` for PyTorch's OpenMP pool and for OpenBLAS's own (Debian's
 * PyTorch reaches OpenBLAS through the generic libblas.so.3 and never sets its thread count), and
 * without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unless `keepCoreType`, so OpenBLAS picks its kernel for
 * this CPU itself.
 */
export function pythonEnv(threads: number, keepCoreType: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!keepCoreType) for (const name of CORETYPE_VARS) delete env[name];
  const n = String(threads);
  return { ...env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

interface Ran {
  blas: BlasReport;
  results: Record<string, Timing | NotAvailable> | null;
}
type Outcome = Ran | { failed: string };

function runPython(script: string, args: string[], env: NodeJS.ProcessEnv): Outcome {
  const run = spawnSync(PYTHON, [script, ...args], { encoding: "utf8", maxBuffer: 16 << 20, env });
  if (run.status !== 0) {
    const why = run.signal ? `killed by ${run.signal}` : (run.stderr || "").trim().split("\n").pop();
    return { failed: `bench.py failed: ${why}` };
  }
  return JSON.parse(run.stdout) as Outcome;
}

const sane = (o: Outcome): boolean => !("failed" in o) && o.blas.sgemmError <= SGEMM_TOLERANCE;

/**
 * Runs bench.py with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset; only if that crashes or computes a wrong
 * product, and the environment had set them, again with them set. Says which run counted.
 */
export function runWithBlasCheck(
  script: string,
  args: string[],
  threads: number,
): { outcome: Outcome; coreType: string } {
  const set = CORETYPE_VARS.filter((v) => process.env[v] !== undefined).map((v) => `${v}=${process.env[v]}`);
  const outcome = runPython(script, args, pythonEnv(threads, false));
  if (set.length === 0) return { outcome, coreType: "OPENBLAS_CORETYPE not set here" };
  const unsetNote = `${set.join(", ")} set here, unset for this run`;
  if (sane(outcome)) return { outcome, coreType: `${unsetNote}: not needed` };
  const why =
    "failed" in outcome ? outcome.failed : `sgemm off by ${outcome.blas.sgemmError.toExponential(1)}`;
  const retry = runPython(script, args, pythonEnv(threads, true));
  return { outcome: retry, coreType: `${set.join(", ")} needed on this CPU (without: ${why})` };
}

/** One line on what PyTorch ran on, for the notes under the tables. */
export function describeBlas(blas: BlasReport, coreType: string): string {
  const ob = blas.openblas;
  const lib = ob
    ? `${ob.config.split(" ").slice(0, 2).join(" ")} (${basename(ob.library)}), core ${ob.core}, ${ob.threads} BLAS thread${ob.threads === 1 ? "" : "s"}`
    : `${blas.libraries.map((l) => basename(l)).join(", ") || "no BLAS library found"}`;
  return `PyTorch ${blas.torch}, ${blas.threads} thread${blas.threads === 1 ? "" : "s"}, on ${lib}; ${coreType}`;
}

/** The reason PyTorch's figures are withheld, or undefined when it ran on OpenBLAS and computes right. */
export function refusal(blas: BlasReport): string | undefined {
  if (!blas.openblas) return "not on OpenBLAS: run pnpm bench:setup";
  if (blas.sgemmError > SGEMM_TOLERANCE) return "its sgemm computes wrong results here";
  return undefined;
}

/**
 * PyTorch (Debian's python3-torch) in one Python process per bench run, at `threads` threads. The
 * cases' Float32Arrays go to it as raw files with a JSON manifest; bench.py times every case with the
 * same warm-up, budget and median rules as measure.ts and prints JSON. Its figures are reported only
 * when it resolved OpenBLAS: on netlib's reference BLAS (Debian's default libblas3) its matmul is
 * 10-30x slower, no fair peer.
 */
export function pytorchPeer(id: PeerId, threads: number): ExternalPeer {
  return {
    kind: "external",
    id,
    async measureAll(cases, dataOf, options): Promise<ExternalRun> {
      const script = scriptPath();
      if (!existsSync(PYTHON)) return { results: { na: `no ${PYTHON}` } };
      if (!script) return { results: { na: "python/bench.py not found" } };
      const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
      if (probe.status !== 0) return { results: { na: "no torch for python3" } };
      const dir = mkdtempSync(join(tmpdir(), "torchlet-bench-"));
      try {
        let fileIndex = 0;
        const save = (a: Array32) => {
          const file = `${fileIndex++}.f32`;
          writeFileSync(join(dir, file), new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
          return { file, shape: a.shape };
        };
        // One case's data at a time (W4 holds 80 MB per case), written out and dropped.
        const manifestCases = [];
        for (const c of cases) {
          const arrays = Object.entries(await dataOf(c)).map(([name, a]) => [name, save(a as Array32)]);
          manifestCases.push({ ...c, arrays: Object.fromEntries(arrays) });
        }
        const manifest = { options, cases: manifestCases };
        writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
        const { outcome, coreType } = runWithBlasCheck(script, [String(threads), dir], threads);
        if ("failed" in outcome) return { results: { na: outcome.failed } };
        const note = `${id}: ${describeBlas(outcome.blas, coreType)}`;
        const refused = refusal(outcome.blas);
        if (refused || !outcome.results) return { results: { na: refused ?? "no results" }, note };
        return { results: new Map(Object.entries(outcome.results)), note };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

import type { Timing } from "./measure.js";
import { isNotAvailable, type NotAvailable, type PeerId } from "./peer.js";
import { type Case, metricOf } from "./workloads.js";

export type Outcome = Timing | NotAvailable;

export interface CaseResult {
  c: Case;
  outcomes: Map<PeerId, Outcome>;
}

/** Three significant digits, no exponent for the ranges seen here. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** A peer whose first run returned a different scalar than torchlet's did is flagged: not the same work. */
function disagrees(peer: Timing, ref: Outcome | undefined): boolean {
  if (!ref || isNotAvailable(ref) || ref.firstValue === null || peer.firstValue === null) return false;
  const scale = Math.max(Math.abs(ref.firstValue), 1e-6);
  return Math.abs(peer.firstValue - ref.firstValue) / scale > 1e-3;
}

/**
 * torchlet's median time over the peer's: below 1 torchlet is faster. `reference` is torchlet on the
 * run's device ("torchlet-webgpu" in a `--device webgpu` run).
 */
export function ratio(
  result: CaseResult,
  peer: PeerId,
  reference: PeerId = "torchlet",
): number | NotAvailable {
  const mine = result.outcomes.get(reference);
  const theirs = result.outcomes.get(peer);
  if (!mine || isNotAvailable(mine)) return { na: `${reference} n/a` };
  if (!theirs) return { na: "not run" };
  if (isNotAvailable(theirs)) return theirs;
  return mine.median / theirs.median;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/**
 * Two markdown tables: medians in each workload's unit, and torchlet/peer time ratios (torchlet on
 * the run's device: `reference`); then `notes` (what the peers ran on), one bullet each.
 */
export function formatTables(
  results: readonly CaseResult[],
  peers: readonly PeerId[],
  notes: readonly string[] = [],
  reference: PeerId = "torchlet",
): string {
  const lines: string[] = [];
  let flagged = false;
  let cold = false;
  lines.push("Medians (time per epoch or per op: lower is better; GFLOP/s and GB/s: higher is better)", "");
  lines.push(row(["case", "unit", ...peers]), row(["---", "---", ...peers.map(() => "---:")]));
  for (const r of results) {
    const metric = metricOf(r.c);
    const cells = peers.map((p) => {
      const o = r.outcomes.get(p);
      if (!o) return "n/a (not run)";
      if (isNotAvailable(o)) return `n/a (${o.na})`;
      const mark = p !== reference && disagrees(o, r.outcomes.get(reference)) ? " *" : "";
      flagged ||= mark !== "";
      cold ||= o.cold;
      return `${fmt(metric.fromSeconds(o.median))}${o.cold ? " †" : ""}${mark}`;
    });
    lines.push(row([r.c.id, metric.unit, ...cells]));
  }
  if (cold)
    lines.push(
      "",
      "† one cold run: the first run alone took longer than the per-run cap, so it was not repeated.",
    );
  if (flagged)
    lines.push("", `\\* its first run's scalar (loss, sum) differs from ${reference}'s by more than 1e-3.`);
  const others = peers.filter((p) => p !== reference);
  if (peers.includes(reference) && others.length > 0) {
    lines.push("", `Ratios: ${reference}'s median time / the peer's (below 1: ${reference} is faster)`, "");
    lines.push(row(["case", ...others]), row(["---", ...others.map(() => "---:")]));
    for (const r of results) {
      const cells = others.map((p) => {
        const q = ratio(r, p, reference);
        return typeof q === "number" ? fmt(q) : `n/a (${q.na})`;
      });
      lines.push(row([r.c.id, ...cells]));
    }
  }
  if (notes.length > 0) lines.push("", ...notes.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}

/** The `--json` document: every timing in seconds, the metric, and the ratios to `reference`. */
export function toJson(
  results: readonly CaseResult[],
  peers: readonly PeerId[],
  meta: Record<string, unknown>,
  reference: PeerId = "torchlet",
) {
  return {
    ...meta,
    peers,
    cases: results.map((r) => {
      const metric = metricOf(r.c);
      return {
        id: r.c.id,
        workload: r.c.workload,
        unit: metric.unit,
        results: Object.fromEntries(
          peers.map((p) => {
            const o = r.outcomes.get(p) ?? { na: "not run" };
            return [p, isNotAvailable(o) ? o : { ...o, value: metric.fromSeconds(o.median) }];
          }),
        ),
        ratios: Object.fromEntries(
          peers.filter((p) => p !== reference).map((p) => [p, ratio(r, p, reference)]),
        ),
      };
    }),
  };
}

import * as torch from "torchlet";
import { close, GRADS, type Mismatch, type Recorded, type Step, VALUES } from "./fuzz-replay.js";
import { decode, type Encoded } from "./helpers.js";

// The known ways torchlet parts from PyTorch in the fuzz corpus, each with the issue item that will fix
// it (or the documented deviation it is). A mismatch that none of these predicates matches fails the
// test. Each predicate names the op, the kind of mismatch and the inputs that cause it, so that it
// cannot hide another bug in the same op. Each class has a witness program (WITNESSES in
// fixtures/fuzz/gen_fuzz.py) that shows it: when a fix lands, the witness agrees with PyTorch and the
// test asks for the class to be deleted. FEATURES.md lists the same classes.

export interface Explanation {
  id: string;
  /** The issue item that fixes it, or where the deviation is documented. */
  issue: string;
  says: string;
  matches(m: Mismatch): boolean;
}

const BINARY = new Set(["add", "sub", "mul", "div", "pow", "eq", "ne", "gt", "ge", "lt", "le", "where"]);
const IN_PLACE = new Set(["add_", "sub_", "mul_", "div_"]);
const MATMULS = new Set(["matmul", "mm", "bmm", "mv", "dot"]);
const VIEWS = new Set([
  "view",
  "reshape",
  "unsqueeze",
  "squeeze",
  "transpose",
  "t",
  "permute",
  "expand",
  "flatten",
]);

const opName = (op: string): string => op.replace(/^torch\./, "");
const bare = (m: Mismatch): string => opName(m.op);
const isTensor = (v: unknown): v is torch.Tensor => v instanceof torch.Tensor;
const pytorchError = (m: Mismatch): string =>
  typeof m.expected === "string" ? m.expected : "e" in m.expected ? (m.expected.e ?? "") : "";
const expectedDType = (m: Mismatch): torch.DType | undefined =>
  Array.isArray(m.expected) ? m.expected[1] : undefined;
const torchletError = (m: Mismatch): string => (m.actual instanceof Error ? m.actual.message : "");

/** The elements where torchlet's values (or gradient) differ from PyTorch's, by the replayer's tolerances. */
function differingElements(m: Mismatch): number[] {
  const want = m.kind === "grad" ? m.grad?.want : Array.isArray(m.expected) ? m.expected[2] : null;
  if (!want || !isTensor(m.actual)) return [];
  const tolerance = (m.kind === "grad" ? GRADS : VALUES)(m.actual.dtype);
  const got = Array.from(m.actual.toTypedArray(), Number);
  return got.flatMap((g, i) => (close(g, decode(want[i] as Encoded), tolerance) ? [] : [i]));
}

/** The step index a "@k" argument refers to, or -1. */
const ref = (arg: unknown): number =>
  typeof arg === "string" && arg.startsWith("@") ? Number(arg.slice(1)) : -1;

/**
 * The step that made the storage (and version counter) of step k's result: in-place ops return their
 * first argument, views and detach() share their input's.
 */
function storageOf(m: Mismatch, k: number): number {
  for (let step = m.steps[k]; step && typeof step[2] !== "string"; step = m.steps[k]) {
    const op = opName(step[0]);
    if (!(op.endsWith("_") || VIEWS.has(op) || op === "detach") || ref(step[1][0]) < 0) break;
    k = ref(step[1][0]);
  }
  return k;
}

/** Whether an in-place op between steps `after` and `before` wrote the storage of step k's result. */
function writtenAfter(m: Mismatch, k: number, after: number, before = m.steps.length): boolean {
  const written = storageOf(m, k);
  return m.steps.some(
    ([op, [self], out], j) =>
      j > after &&
      j < before &&
      op.endsWith("_") &&
      typeof out !== "string" &&
      storageOf(m, ref(self)) === written,
  );
}

/** Step k and every step whose result it was computed from. */
function ancestors(m: Mismatch, k: number): Set<number> {
  const seen = new Set<number>();
  const visit = (s: number): void => {
    if (s < 0 || seen.has(s)) return;
    seen.add(s);
    for (const arg of m.steps[s]?.[1] ?? []) visit(ref(arg));
  };
  visit(k);
  return seen;
}

/** The step a backward call started from, or -1 for a step's mismatch. */
const backwardOf = (m: Mismatch): number => (m.at < 0 ? (m.calls[-1 - m.at]?.of ?? -1) : -1);

/**
 * A backward that PyTorch refuses because a tensor saved by an `op` step on its path was changed in
 * place afterwards, and torchlet runs; `saved` picks the saved tensor's step from the op's arguments.
 */
function savedTensorWritten(
  m: Mismatch,
  op: string,
  saved: (args: unknown[], k: number, name: string) => number,
): boolean {
  const of = backwardOf(m);
  if (of < 0 || m.kind !== "no-raise" || !/modified by an inplace operation/.test(pytorchError(m)))
    return false;
  return [...ancestors(m, of)].some((k) => {
    const [name, args] = m.steps[k] as Step;
    const s = opName(name) === op ? saved(args, k, name) : -1;
    return s >= 0 && writtenAfter(m, s, k);
  });
}

const INT32_MIN = -(2 ** 31);

export const EXPLAINED: readonly Explanation[] = [
  {
    id: "empty-matmul-dtypes",
    issue: "FEATURES.md: matrix products",
    says: "matrix products of mixed dtypes or bools with a zero-size dimension raise, where PyTorch skips its dtype checks for them (and picks a result dtype by the path taken)",
    matches: (m) => {
      const [a, b] = m.args;
      return (
        m.kind === "raises" &&
        MATMULS.has(bare(m)) &&
        isTensor(a) &&
        isTensor(b) &&
        (a.dtype !== b.dtype || a.dtype === "bool") &&
        (a.numel() === 0 || b.numel() === 0 || (Array.isArray(m.expected) && m.expected[0].includes(0)))
      );
    },
  },
  {
    id: "inplace-view-history",
    issue: "FEATURES.md: in place on a view while recording",
    says: "an in-place op on a view while recording raises; a view taken before an in-place op on its base keeps its old history (PyTorch rewrites it: the view then requires grad, and backward through it sees the in-place op and its saved tensors)",
    matches: (m) => {
      if (m.kind === "raises" && m.op.endsWith("_"))
        return /in-place changes to a view of/.test(torchletError(m));
      // backward from, or requiresGrad of, a result computed from a view whose base was written later
      const target = m.at >= 0 ? m.at : backwardOf(m);
      const stale =
        m.kind === "grad" ||
        (m.kind === "requiresGrad" && m.at >= 0) ||
        /does not require grad/.test(torchletError(m)) ||
        (m.kind === "no-raise" && m.at < 0 && /modified by an inplace operation/.test(pytorchError(m)));
      if (target < 0 || !stale) return false;
      return [...ancestors(m, target)].some((v) => {
        const [op, [base]] = m.steps[v] as Step;
        return (
          VIEWS.has(opName(op)) &&
          ref(base) >= 0 &&
          writtenAfter(m, ref(base), v, m.at >= 0 ? m.at : undefined)
        );
      });
    },
  },
  {
    id: "bool-range-factories",
    issue: "new (fuzzer): bool storage",
    says: "arange and linspace with dtype bool return a tensor holding 2, 3, 255..., where PyTorch refuses (or, for one step, stores true)",
    matches: (m) =>
      ["arange", "linspace"].includes(bare(m)) &&
      ((m.kind === "no-raise" && /not implemented for 'Bool'/.test(pytorchError(m))) ||
        (m.kind === "values" && expectedDType(m) === "bool")),
  },
  {
    id: "int32-linspace",
    issue: "new (fuzzer): integer linspace",
    says: "linspace with dtype int32 and fractional ends computes each step in floats and truncates it, where PyTorch's integer steps round differently",
    matches: (m) => {
      if (bare(m) !== "linspace" || !(m.kind === "no-raise" || m.kind === "values")) return false;
      const options = m.args[m.args.length - 1] as { dtype?: string };
      return options?.dtype === "int32" && m.args.some((a) => typeof a === "number" && !Number.isInteger(a));
    },
  },
  {
    id: "float-to-int32",
    issue: "new (fuzzer): float to int32 conversion",
    says: "to('int32') of NaN, ±Inf or values beyond int32 gives 0 or wraps, where PyTorch (x86) gives -2147483648",
    matches: (m) => {
      if (m.kind !== "values" || bare(m) !== "to" || m.args[1] !== "int32" || !isTensor(m.args[0]))
        return false;
      const source = Array.from(m.args[0].toTypedArray(), Number);
      const want = ((m.expected as Recorded)[2] ?? []).map(decode);
      const differing = differingElements(m);
      return (
        differing.length > 0 &&
        differing.every((i) => want[i] === INT32_MIN && !(Math.abs(source[i] as number) < 2 ** 31))
      );
    },
  },
  {
    id: "backward-twice-without-saved-tensors",
    issue: "new (fuzzer); FEATURES.md: autograd, graph freed after backward",
    says: "a backward through a freed graph always raises; PyTorch raises only when a node needs a saved tensor that was freed",
    matches: (m) =>
      m.at < -1 &&
      m.kind === "raises" &&
      /backward through the graph a second time/.test(torchletError(m)) &&
      m.calls[-2 - m.at]?.retain === false,
  },
  {
    id: "pow-saves-result",
    issue: "new (fuzzer); FEATURES.md: autograd, version counters",
    says: "backward through pow with a tensor exponent whose result was changed in place runs, where PyTorch raises (PowBackward1 saves the result)",
    matches: (m) => savedTensorWritten(m, "pow", (args, k) => (ref(args[1]) >= 0 ? k : -1)),
  },
  {
    id: "zero-grad-non-finite",
    issue: "new (fuzzer): zero gradients",
    says: "the gradients that are zero by definition (sign, fill_, zero_) multiply the upstream gradient by 0, so an infinite or NaN upstream gives NaN where PyTorch's is 0",
    matches: (m) => {
      if (m.kind !== "grad" || !m.history.some((op) => ["sign", "fill_", "zero_"].includes(opName(op))))
        return false;
      const want = m.grad?.want?.map(decode) ?? [];
      const got = isTensor(m.actual) ? Array.from(m.actual.toTypedArray(), Number) : [];
      const differing = differingElements(m);
      return differing.length > 0 && differing.every((i) => Number.isNaN(got[i]) && want[i] === 0);
    },
  },
  {
    id: "where-saved-condition",
    issue: "new (fuzzer); FEATURES.md: autograd, version counters",
    says: "backward through where whose condition was changed in place runs, where PyTorch raises (it saves the condition, with its version)",
    matches: (m) =>
      // torch.where(condition, x, y) or x.where(condition, y)
      savedTensorWritten(m, "where", (args, _, name) => ref(name === "where" ? args[1] : args[0])),
  },
  {
    id: "mean-dim-saves-input",
    issue: "new (fuzzer); FEATURES.md: autograd, version counters",
    says: "backward through mean(dim) whose input was changed in place runs, where PyTorch 1.13 raises (MeanBackward1 saves its input; FEATURES.md says it saves none)",
    matches: (m) => savedTensorWritten(m, "mean", (args) => (args.length > 1 ? ref(args[0]) : -1)),
  },
  {
    id: "inplace-overlap",
    issue: "new (fuzzer): in-place overlap check",
    says: "an in-place op whose operand partly overlaps the written-to tensor (x.mul_(x.t())) runs, where PyTorch refuses",
    matches: (m) =>
      m.kind === "no-raise" &&
      m.op.endsWith("_") &&
      /the written-to tensor refer to a single/.test(pytorchError(m)),
  },
  {
    id: "inplace-expanded",
    issue: "new (fuzzer): in-place ops on expanded tensors",
    says: "fill_ and zero_ of a tensor whose elements share memory (an expand), and any in-place op on an empty one, raise; PyTorch writes them",
    matches: (m) =>
      m.kind === "raises" &&
      m.op.endsWith("_") &&
      /refers to a single memory location/.test(torchletError(m)) &&
      (["fill_", "zero_"].includes(m.op) || (isTensor(m.args[0]) && m.args[0].numel() === 0)),
  },
  {
    id: "extremum-signed-zero",
    issue: "new (fuzzer): max/min of ±0",
    says: "max()/min() over +0 and -0 ties give the first one; PyTorch's vectorised reduction can give the other",
    matches: (m) => {
      if (m.kind !== "values" || !["max", "min"].includes(bare(m)) || !isTensor(m.args[0])) return false;
      const values = Array.from(m.args[0].toTypedArray(), Number);
      const want = Array.isArray(m.expected) ? decode(m.expected[2]?.[0] as Encoded) : Number.NaN;
      return (
        want === 0 &&
        m.actual instanceof torch.Tensor &&
        m.actual.item() === 0 &&
        values.some((v) => Object.is(v, 0)) &&
        values.some((v) => Object.is(v, -0))
      );
    },
  },
];

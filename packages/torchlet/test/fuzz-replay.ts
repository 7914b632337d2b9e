import * as torch from "torchlet";
import { decode, type Encoded } from "./helpers.js";

// Replays one program of a fuzz corpus (written by fixtures/fuzz/gen_fuzz.py with PyTorch 1.13)
// through the public API and reports the first place where torchlet parts from PyTorch.

/** PyTorch's result of a step: [shape, dtype, values (null for leaves: their data), requiresGrad]. */
export type Recorded = [number[], torch.DType, Encoded[] | null, 0 | 1];
/** A step: the op (a method of the first argument, or `torch.NAME`), its arguments, and what PyTorch
 * gave: a tensor, an `item()` value, or the first line of the error it raised. */
export type Step = [op: string, args: unknown[], out: Recorded | { item: Encoded | boolean } | string];
export interface BackwardCall {
  of: number;
  retain: boolean;
  /** The upstream gradient's values; absent: backward() without one. */
  g?: Encoded[];
  /** PyTorch raised this. */
  e?: string;
  /** After the call: each leaf's step and its `.grad` (null: none). */
  grads?: [number, Encoded[] | null][];
}
export interface Program {
  steps: Step[];
  backward?: BackwardCall[];
}
export interface Corpus {
  seed: number;
  programs: Program[];
}

export type MismatchKind =
  | "raises" // torchlet raised where PyTorch did not
  | "no-raise" // PyTorch raised, torchlet did not
  | "not-TorchletError" // both raised, but torchlet's error is no TorchletError
  | "shape"
  | "dtype"
  | "requiresGrad"
  | "values"
  | "grad";

/** Where and how a program parts from PyTorch, with what the explanations need to decide. */
export interface Mismatch {
  program: number;
  /** The step's index, or -1 - n for the n-th backward call. */
  at: number;
  kind: MismatchKind;
  op: string;
  /** The step's arguments as torchlet got them (tensors as built by the earlier steps). */
  args: unknown[];
  expected: Step[2] | BackwardCall;
  actual: unknown;
  /** The ops of the steps before this one (what a gradient mismatch can come from). */
  history: string[];
  /** The whole program, as the corpus has it. */
  steps: Step[];
  calls: BackwardCall[];
  /** For a gradient mismatch: the leaf's step and PyTorch's gradient. */
  grad?: { leaf: number; want: Encoded[] | null };
  detail: string;
}

/**
 * How close a value must be: float32 |a - e| <= 1e-5 + 1e-4 |e| (float32's summation order and
 * transcendental functions differ in the last bits), float64 1e-9 + 1e-9 |e| (the corpus writes 10
 * digits) unless float32 values flowed into it (then float32's), gradients ten times looser (they chain
 * several of those). NaN must meet NaN and an infinity the same infinity; where PyTorch's value is a
 * zero, torchlet's zero must have its sign (gradients excepted: whether the chain rule multiplies by
 * zero or starts from zeros decides a zero gradient's sign, and both are right). Integers and bools are
 * exact.
 */
const TOLERANCE = {
  float32: [1e-5, 1e-4],
  float64: [1e-9, 1e-9],
  int32: [0, 0],
  int64: [0, 0],
  bool: [0, 0],
} as const;
type Tolerance = { dtype: torch.DType; scale: number; zeroSign: boolean };
export const VALUES = (dtype: torch.DType): Tolerance => ({ dtype, scale: 1, zeroSign: true });
export const GRADS = (dtype: torch.DType): Tolerance => ({ dtype, scale: 10, zeroSign: false });

export function close(actual: number, expected: number, { dtype, scale, zeroSign }: Tolerance): boolean {
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
  if (actual === expected) return !zeroSign || Object.is(actual, expected);
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return false;
  const [atol, rtol] = TOLERANCE[dtype];
  return Math.abs(actual - expected) <= scale * (atol + rtol * Math.abs(expected));
}

/** The first element (index) where `actual` and `expected` differ, or -1. */
function firstDifference(actual: torch.Tensor, expected: Encoded[], tolerance: Tolerance): number {
  const values = Array.from(actual.toTypedArray(), Number);
  if (values.length !== expected.length) return 0;
  return values.findIndex((a, i) => !close(a, decode(expected[i] as Encoded), tolerance));
}

/** Numbers as the corpus would write them, with -0 kept. */
function show(values: ArrayLike<number>): string {
  return `[${Array.from(values, (v) => (Object.is(v, -0) ? "-0" : String(v))).join(",")}]`;
}

function decodeArg(arg: unknown, pool: readonly unknown[]): unknown {
  if (typeof arg === "string") {
    if (arg.startsWith("@")) return pool[Number(arg.slice(1))];
    if (arg === "nan" || arg === "inf" || arg === "-inf") return decode(arg);
    return arg;
  }
  if (Array.isArray(arg)) return arg.map((a) => decodeArg(a, pool));
  return arg;
}

function call(op: string, args: unknown[]): unknown {
  if (op.startsWith("torch.")) {
    const fn = (torch as unknown as Record<string, unknown>)[op.slice(6)];
    if (typeof fn !== "function") throw new Error(`the corpus names an unknown function ${op}`);
    return fn(...args);
  }
  const [self, ...rest] = args as [Record<string, unknown>, ...unknown[]];
  const fn = self[op];
  if (typeof fn !== "function") throw new Error(`the corpus names an unknown method ${op}`);
  return fn.apply(self, rest);
}

function describeValue(v: unknown): string {
  if (v instanceof torch.Tensor) {
    const values = v.numel() <= 24 ? ` ${show(Array.from(v.toTypedArray(), Number))}` : "";
    return `Tensor ${v.dtype}[${v.shape.join(",")}]${values}`;
  }
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  return JSON.stringify(v) ?? String(v);
}

/** Compares one step's result with PyTorch's; a description of the difference, or null. `lowPrecision`:
 * float32 values flowed into it. */
function compareStep(out: Step[2], result: unknown, lowPrecision: boolean): [MismatchKind, string] | null {
  if (typeof out === "string")
    return ["no-raise", `PyTorch raised "${out}", torchlet returned ${describeValue(result)}`];
  if (!Array.isArray(out)) {
    const want = out.item;
    const same =
      typeof want === "boolean"
        ? result === want
        : typeof result === "number" && close(result, decode(want), VALUES("float32"));
    return same
      ? null
      : ["values", `item() is ${describeValue(result)}, PyTorch gives ${JSON.stringify(want)}`];
  }
  const [shape, dtype, values, requiresGrad] = out;
  if (!(result instanceof torch.Tensor)) return ["values", `torchlet returned ${describeValue(result)}`];
  if (result.shape.join() !== shape.join())
    return ["shape", `shape [${result.shape}], PyTorch gives [${shape}]`];
  if (result.dtype !== dtype) return ["dtype", `dtype ${result.dtype}, PyTorch gives ${dtype}`];
  if (result.requiresGrad !== (requiresGrad === 1))
    return ["requiresGrad", `requiresGrad ${result.requiresGrad}, PyTorch gives ${requiresGrad === 1}`];
  if (values === null) return null;
  const i = firstDifference(result, values, VALUES(lowPrecision ? "float32" : dtype));
  if (i < 0) return null;
  return ["values", `element ${i}: ${describeValue(result)}, PyTorch gives ${show(values.map(decode))}`];
}

/** Replays program `index`; the first mismatch, or null when torchlet agrees with PyTorch throughout. */
export function replay(program: Program, index: number): Mismatch | null {
  const pool: unknown[] = [];
  const history: string[] = [];
  // Tensors that float32 values flowed into: compared at float32's tolerance even when float64.
  const float32Fed = new Set<unknown>();
  const mismatch = (
    at: number,
    kind: MismatchKind,
    op: string,
    args: unknown[],
    expected: Mismatch["expected"],
    actual: unknown,
    detail: string,
  ): Mismatch => ({
    program: index,
    at,
    kind,
    op,
    args,
    expected,
    actual,
    history,
    detail,
    steps: program.steps,
    calls: program.backward ?? [],
  });

  for (const [at, [op, rawArgs, out]] of program.steps.entries()) {
    const args = rawArgs.map((a) => decodeArg(a, pool));
    let result: unknown;
    try {
      result = call(op, args);
    } catch (e) {
      if (!(e instanceof torch.TorchletError)) {
        if (typeof out === "string")
          return mismatch(at, "not-TorchletError", op, args, out, e, `${describeValue(e)} (PyTorch: ${out})`);
        return mismatch(at, "raises", op, args, out, e, describeValue(e));
      }
      if (typeof out !== "string") return mismatch(at, "raises", op, args, out, e, describeValue(e));
      pool.push(undefined);
      history.push(op);
      continue;
    }
    const lowPrecision = args.some(
      (a) => float32Fed.has(a) || (a instanceof torch.Tensor && a.dtype === "float32"),
    );
    if (lowPrecision || (result instanceof torch.Tensor && result.dtype === "float32"))
      float32Fed.add(result);
    const difference = compareStep(out, result, lowPrecision);
    if (difference) return mismatch(at, difference[0], op, args, out, result, difference[1]);
    pool.push(result);
    history.push(op);
  }

  for (const [n, bw] of (program.backward ?? []).entries()) {
    const at = -1 - n;
    const of = pool[bw.of] as torch.Tensor;
    const gradient = bw.g && torch.tensor(bw.g.map(decode), { dtype: of.dtype }).reshape(of.shape);
    const args = [of, gradient, { retainGraph: bw.retain }];
    try {
      of.backward(gradient, { retainGraph: bw.retain });
    } catch (e) {
      if (bw.e === undefined || !(e instanceof torch.TorchletError))
        return mismatch(
          at,
          bw.e === undefined ? "raises" : "not-TorchletError",
          "backward",
          args,
          bw,
          e,
          describeValue(e),
        );
      continue;
    }
    if (bw.e !== undefined)
      return mismatch(at, "no-raise", "backward", args, bw, undefined, `PyTorch raised "${bw.e}"`);
    for (const [leaf, want] of bw.grads ?? []) {
      const { grad, shape } = pool[leaf] as torch.Tensor;
      const i =
        want === null || grad === null
          ? want === grad
            ? -1
            : 0
          : grad.shape.join() !== shape.join()
            ? 0
            : firstDifference(grad, want, GRADS(float32Fed.size > 0 ? "float32" : grad.dtype));
      if (i >= 0) {
        const shown = want && show(want.map(decode));
        const m = mismatch(
          at,
          "grad",
          "backward",
          args,
          bw,
          grad,
          `grad of step ${leaf}, element ${i}: ${describeValue(grad)}, PyTorch gives ${shown}`,
        );
        return { ...m, grad: { leaf, want } };
      }
    }
  }
  return null;
}

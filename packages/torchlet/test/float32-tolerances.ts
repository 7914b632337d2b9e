import type * as torch from "torchlet";
import { decode, type Encoded } from "./helpers.js";

// What the PyTorch fixture suites allow on webgpu, in one place (packages/webgpu/README.md,
// "Tolerances", says the same). The GPU computes in float32 where the CPU computes in double and
// rounds once, and WGSL's exp, log, sin, ... have their own error bounds, so floating results are
// compared with PyTorch's within a relative plus an absolute tolerance; integer and bool results are
// exact.

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Elementwise results: a few float32 ulps (2^-23 = 1.2e-7) of the value. */
const ELEMENTWISE: Tolerance = { rtol: 1e-5, atol: 1e-6 };

/**
 * WGSL's sin and cos: an absolute error of at most 2^-11 on [-pi, pi] (the specification's bound;
 * SwiftShader stays within 6e-5), and their gradients (cos and -sin times the upstream) as much per unit.
 */
const SIN_COS: Tolerance = { rtol: 0, atol: 2 ** -11 };

/** Ops whose tolerance is looser than an elementwise float32 result's, and why. */
const LOOSER: Record<string, Tolerance> = { sin: SIN_COS, cos: SIN_COS };

/** The tolerance for `op`'s outputs or gradients on webgpu. */
export function tolerance(op: string, _what: "output" | "gradient"): Tolerance {
  return LOOSER[op.replace(/^torch\./, "")] ?? ELEMENTWISE;
}

/** A tensor's values in row-major order as plain numbers (bool as 0/1), read asynchronously. */
export async function readValues(t: torch.Tensor): Promise<number[]> {
  return Array.from(await t.data(), Number);
}

const INT32_MAX = 2 ** 31 - 1;

interface Values {
  dtype: torch.DType;
  data: Encoded[];
}

/**
 * Why a case cannot run on webgpu, or null: float64 has no WGSL type (refused, as on PyTorch's MPS),
 * and int64 is held as 32-bit integers, so values beyond ±(2^31 - 1) are refused when they move.
 */
export function skipReason(
  operands: readonly Values[],
  outputs: readonly Values[],
  args: readonly unknown[],
): string | null {
  const all = [...operands, ...outputs];
  const asked = args.some(
    (a) =>
      a === "float64" ||
      (typeof a === "object" && a !== null && (a as { dtype?: unknown }).dtype === "float64"),
  );
  if (asked || all.some((v) => v.dtype === "float64"))
    return "float64 has no WGSL type; webgpu refuses it, as PyTorch's MPS does";
  if (all.some((v) => v.dtype === "int64" && v.data.some((x) => Math.abs(decode(x)) > INT32_MAX)))
    return "int64 values beyond ±(2^31 - 1); webgpu holds int64 as 32-bit integers";
  return null;
}

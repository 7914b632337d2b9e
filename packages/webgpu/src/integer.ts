import type { ElementwiseOp } from "@torchlet/ops";
import type { DType, StridedArray } from "@torchlet/storage";
import { gpuArray, onGpu } from "./arrays.js";
import { broadcastAll, elementwise, MAX_DIMS } from "./elementwise.js";
import type { Queue } from "./queue.js";
import type { ValueChecks } from "./value-checks.js";

// The elementwise ops whose PyTorch semantics i32 arithmetic reproduces exactly, for int32 and int64
// (held as i32) operands: WGSL's i32 add, sub and mul wrap around as PyTorch's int32 kernels do, and
// comparisons of integers are exact; int64 sums and products, which could leave the i32 range, are not
// among them. The bodies compute in i32 over x, y (and c, where's condition).
// Ops with a float result (div, exp, ...) and pow stay on the CPU path (fallback.ts).

/** Python's modulo: the remainder takes the divisor's sign (a zero divisor is refused by ValueChecks). */
const REMAINDER = "select(x % y, x % y + y, x % y != 0 && (x % y < 0) != (y < 0))";

const INTEGER_BODIES: Partial<Record<ElementwiseOp | "where", string>> = {
  add: "x + y",
  sub: "x - y",
  mul: "x * y",
  remainder: REMAINDER,
  maximum: "max(x, y)",
  minimum: "min(x, y)",
  eq: "select(0, 1, x == y)",
  ne: "select(0, 1, x != y)",
  gt: "select(0, 1, x > y)",
  ge: "select(0, 1, x >= y)",
  lt: "select(0, 1, x < y)",
  le: "select(0, 1, x <= y)",
  neg: "-x",
  abs: "abs(x)",
  sign: "sign(x)",
  relu: "max(x, 0)",
  square: "x * x",
  // an integer is its own floor, ceil, trunc and round
  floor: "x",
  ceil: "x",
  trunc: "x",
  round: "x",
  where: "select(y, x, c != 0)",
};

/**
 * The ops whose int64 results may leave the ±(2^31 - 1) that webgpu holds int64 in: on the CPU path
 * they are exact, and a result beyond the range is a TorchletError when it is uploaded, where i32
 * would wrap silently. (neg and abs cannot leave it: -2^31 is not held.)
 */
const LEAVES_RANGE = new Set<string>(["add", "sub", "mul", "square"]);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const isInteger = (dtype: DType) => dtype === "int32" || dtype === "int64";

/**
 * Whether `op` runs as an integer kernel: a body for it, an int32/int64 result (bool for
 * comparisons), integer operands on the GPU (where's condition bool), and 0-d CPU operands whose
 * values i32 holds.
 */
export function integerRuns(
  op: ElementwiseOp | "where",
  out: DType,
  operands: readonly StridedArray[],
  shape: readonly number[],
): boolean {
  if (INTEGER_BODIES[op] === undefined || shape.length > MAX_DIMS) return false;
  if (out === "int64" && LEAVES_RANGE.has(op)) return false;
  if (!(isInteger(out) || (out === "bool" && op !== "where" && operands.some((a) => isInteger(a.dtype)))))
    return false;
  return operands.every((a, i) => {
    if (!onGpu(a)) {
      const v = a.data[a.offset] as number;
      return a.ndim === 0 && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
    }
    return isInteger(a.dtype) || (op === "where" && i === 2 && a.dtype === "bool");
  });
}

/**
 * The integer kernel of `op` over the operands (broadcast) into a new contiguous array of `dtype`;
 * `name` is the public op in errors (remainder's divisor is checked for zeros).
 */
export function integerNew(
  q: Queue,
  checks: ValueChecks,
  op: ElementwiseOp | "where",
  operands: readonly StridedArray[],
  dtype: DType,
  name: string = op,
): StridedArray {
  const out = gpuArray(q, broadcastAll(name, operands), dtype);
  const [a, b] = operands as [StridedArray, StridedArray];
  if (op === "remainder" && out.numel > 0) checks.divisor(name, a, b);
  return elementwise(q, INTEGER_BODIES[op] as string, operands, out, "i32");
}

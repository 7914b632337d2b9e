import { allocate } from "./allocate.js";
import { checkDType } from "./arguments.js";
import { castInRange } from "./checked-convert.js";
import { type DType, dtypeOfArray, type TypedArray } from "./dtype.js";
import { TorchletError } from "./errors.js";
import { toInt64 } from "./int64.js";
import { StridedArray } from "./strided.js";

/**
 * What `tensor()` accepts: a number, a boolean, nested arrays of them, or a typed array.
 *
 * @example
 * const data: NestedData = [[1, 2], [3, 4]];
 * fromNested(data).shape; // [2, 2]
 */
export type NestedData = number | boolean | ArrayLike<number> | BigInt64Array | readonly NestedData[];

/**
 * Builds a contiguous array from nested JS data. Numbers give float32 (R torch's choice for R numerics),
 * booleans give bool, a typed array keeps its own dtype (a BigInt64Array gives int64); `dtype`
 * overrides. Ragged nesting is an error, and so is a value the dtype cannot hold (int32 beyond its
 * range, NaN or ±Inf as an integer, an int64 value beyond ±(2^53 - 1)), as PyTorch refuses them.
 *
 * @example
 * fromNested([[1, 2], [3, 4]]).shape; // [2, 2]
 * fromNested([true, false]).dtype; // "bool"
 * fromNested(new Int32Array([1, 2])).dtype; // "int32"
 * fromNested(new BigInt64Array([1n, 2n])).dtype; // "int64"
 * fromNested([3, -1], "int64").toNested(); // [3, -1]
 */
export function fromNested(data: NestedData, dtype?: DType): StridedArray {
  if (dtype !== undefined) checkDType("tensor", dtype);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const own = dtypeOfArray(data as unknown as ArrayLike<number>);
    if (!own) throw new TorchletError(`tensor: unsupported typed array ${data.constructor.name}`);
    const target = dtype ?? own;
    const src = data instanceof BigInt64Array ? bigIntsToNumbers(data) : (data as unknown as TypedArray);
    return StridedArray.fromFlat(castAll(target, src), [src.length], target);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  let sawBool = false;
  let sawNumber = false;
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node === "boolean") {
        sawBool = true;
        values.push(node ? 1 : 0);
      } else if (typeof node === "number") {
        sawNumber = true;
        values.push(node);
      } else {
        throw new TorchletError(
          `tensor: expected a number or boolean at ${path || "the top level"}, got ${describe(node)}`,
        );
      }
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new TorchletError(
        `tensor: ragged nested data: expected a sequence of length ${shape[depth]} at ${path || "the top level"}, got ${describe(node)}`,
      );
    }
    node.forEach((child, i) => {
      walk(child, depth + 1, `${path}[${i}]`);
    });
  };
  walk(data, 0, "");
  const inferred: DType = sawBool && !sawNumber ? "bool" : "float32";
  const target = dtype ?? inferred;
  return StridedArray.fromFlat(castAll(target, values), shape, target);
}

/** `values` stored as `dtype` (PyTorch's checked conversion: a value the dtype cannot hold is refused). */
function castAll(dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = allocate(dtype, values.length, "tensor");
  for (let i = 0; i < values.length; i++) out[i] = castInRange("tensor", dtype, values[i] as number, false);
  return out;
}

/** A BigInt64Array's values as numbers, each checked to be exact (within ±(2^53 - 1)). */
function bigIntsToNumbers(data: BigInt64Array): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as bigint;
    out[i] = v >= -MAX_EXACT && v <= MAX_EXACT ? Number(v) : toInt64("tensor", Number(v));
  }
  return out;
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function describe(node: unknown): string {
  if (Array.isArray(node)) return `a sequence of length ${node.length}`;
  return node === null ? "null" : typeof node;
}

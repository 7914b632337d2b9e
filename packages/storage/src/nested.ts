import { allocate } from "./allocate.js";
import { castScalar, type DType, dtypeOfArray, type TypedArray } from "./dtype.js";
import { TorchletError } from "./errors.js";
import { StridedArray } from "./strided.js";

/**
 * What `tensor()` accepts: a number, a boolean, nested arrays of them, or a typed array.
 *
 * @example
 * const data: NestedData = [[1, 2], [3, 4]];
 * fromNested(data).shape; // [2, 2]
 */
export type NestedData = number | boolean | ArrayLike<number> | readonly NestedData[];

/**
 * Builds a contiguous array from nested JS data. Numbers give float32 (R torch's choice for R numerics),
 * booleans give bool, a typed array keeps its own dtype; `dtype` overrides. Ragged nesting is an error.
 *
 * @example
 * fromNested([[1, 2], [3, 4]]).shape; // [2, 2]
 * fromNested([true, false]).dtype; // "bool"
 * fromNested(new Int32Array([1, 2])).dtype; // "int32"
 */
export function fromNested(data: NestedData, dtype?: DType): StridedArray {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const own = dtypeOfArray(data as unknown as ArrayLike<number>);
    if (!own) throw new TorchletError(`tensor: unsupported typed array ${data.constructor.name}`);
    const target = dtype ?? own;
    const src = data as unknown as TypedArray;
    const out = allocate(target, src.length);
    for (let i = 0; i < src.length; i++) out[i] = castScalar(target, src[i] as number);
    return StridedArray.fromFlat(out, [src.length], target);
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
  const out = allocate(target, values.length);
  for (let i = 0; i < values.length; i++) out[i] = castScalar(target, values[i] as number);
  return StridedArray.fromFlat(out, shape, target);
}

function describe(node: unknown): string {
  if (Array.isArray(node)) return `a sequence of length ${node.length}`;
  return node === null ? "null" : typeof node;
}

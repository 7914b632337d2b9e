import { type DType, INT64_EXACT_MAX, TorchletError, type TypedArray } from "@torchlet/storage";

/**
 * One element type as PyTorch's files name it: the dtype, its storage class in a pickle
 * (`torch.FloatStorage`), its safetensors code, its size in bytes, and the torchlet dtype it loads as:
 * itself, or for dtypes torchlet tensors cannot hold the smallest one that holds every value exactly.
 */
export interface FileDType {
  readonly dtype: string;
  readonly storage: string;
  readonly safetensors: string;
  readonly bytes: number;
  readonly loadsAs: DType | null;
}

/** Every dtype the formats can hold. */
export const FILE_DTYPES: readonly FileDType[] = [
  { dtype: "float32", storage: "FloatStorage", safetensors: "F32", bytes: 4, loadsAs: "float32" },
  { dtype: "float64", storage: "DoubleStorage", safetensors: "F64", bytes: 8, loadsAs: "float64" },
  { dtype: "float16", storage: "HalfStorage", safetensors: "F16", bytes: 2, loadsAs: "float32" },
  { dtype: "bfloat16", storage: "BFloat16Storage", safetensors: "BF16", bytes: 2, loadsAs: "float32" },
  { dtype: "int64", storage: "LongStorage", safetensors: "I64", bytes: 8, loadsAs: "int64" },
  { dtype: "int32", storage: "IntStorage", safetensors: "I32", bytes: 4, loadsAs: "int32" },
  { dtype: "int16", storage: "ShortStorage", safetensors: "I16", bytes: 2, loadsAs: "int32" },
  { dtype: "int8", storage: "CharStorage", safetensors: "I8", bytes: 1, loadsAs: "int32" },
  { dtype: "uint8", storage: "ByteStorage", safetensors: "U8", bytes: 1, loadsAs: "int32" },
  { dtype: "bool", storage: "BoolStorage", safetensors: "BOOL", bytes: 1, loadsAs: "bool" },
];

/** The file dtype a torchlet dtype is saved as. */
export function fileDTypeOf(dtype: DType): FileDType {
  return FILE_DTYPES.find((d) => d.dtype === dtype) as FileDType;
}

/** The dtype `file` loads as, or a `TorchletError` naming `what` when torchlet cannot hold its values. */
export function loadedDType(op: string, file: FileDType, what: string): DType {
  if (file.loadsAs === null) {
    throw new TorchletError(`${op}: ${what} has dtype ${file.dtype}, which torchlet tensors cannot hold yet`);
  }
  return file.loadsAs;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * `count` elements of `file`'s dtype decoded from little-endian `bytes` into a new typed array of
 * `file.loadsAs` (never a view of `bytes`: later changes to the buffer change no tensor).
 */
export function decodeElements(op: string, file: FileDType, bytes: Uint8Array, count: number): TypedArray {
  if (!LITTLE_ENDIAN) throw new TorchletError("torchlet's file formats need a little-endian machine");
  // The Uint8Array constructor copies (a Node Buffer's slice() would share memory).
  const copy = new Uint8Array(bytes.subarray(0, count * file.bytes));
  switch (file.dtype) {
    case "float32":
      return new Float32Array(copy.buffer, 0, count);
    case "float64":
      return new Float64Array(copy.buffer, 0, count);
    case "int32":
      return new Int32Array(copy.buffer, 0, count);
    case "int64":
      return exactInt64(op, new BigInt64Array(copy.buffer, 0, count));
    case "int16":
      return Int32Array.from(new Int16Array(copy.buffer, 0, count));
    case "int8":
      return Int32Array.from(new Int8Array(copy.buffer, 0, count));
    case "uint8":
      return Int32Array.from(copy);
    case "float16":
      return Float32Array.from(new Uint16Array(copy.buffer, 0, count), halfToFloat);
    case "bfloat16": {
      // bfloat16 is the top half of a float32's bits.
      const words = Uint32Array.from(new Uint16Array(copy.buffer, 0, count), (h) => h << 16);
      return new Float32Array(words.buffer);
    }
    default:
      // bool: PyTorch stores one byte each; anything nonzero is true.
      for (let i = 0; i < count; i++) if (copy[i] !== 0) copy[i] = 1;
      return copy;
  }
}

/**
 * int64 elements as torchlet holds them (exact integers in a Float64Array), or a `TorchletError`
 * naming the first value beyond ±(2^53 - 1), which a double could not hold exactly.
 */
function exactInt64(op: string, values: BigInt64Array): Float64Array {
  const out = new Float64Array(values.length);
  const limit = BigInt(INT64_EXACT_MAX);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as bigint;
    if (v > limit || v < -limit) {
      throw new TorchletError(
        `${op}: int64 element ${i} is ${v}, beyond ±(2^53 - 1), which torchlet's int64 holds exactly`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** An IEEE half-precision value's bits as the number they encode (exact in float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * The little-endian bytes of a storage's elements as `dtype` is stored in files: a view of them,
 * except for int64, whose exact integers in a Float64Array become 64-bit integers.
 */
export function encodeElements(data: TypedArray | BigInt64Array, dtype: DType): Uint8Array {
  if (!LITTLE_ENDIAN) throw new TorchletError("torchlet's file formats need a little-endian machine");
  const raw = dtype === "int64" && data instanceof Float64Array ? BigInt64Array.from(data, BigInt) : data;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

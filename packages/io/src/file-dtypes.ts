import { type DType, isDType, TorchletError, type TypedArray } from "@torchlet/storage";

/**
 * One element type as PyTorch's files name it: the dtype, its storage class in a pickle
 * (`torch.FloatStorage`), its safetensors code and its size in bytes.
 */
export interface FileDType {
  readonly dtype: string;
  readonly storage: string;
  readonly safetensors: string;
  readonly bytes: number;
}

/** Every dtype the formats can hold; torchlet reads and writes those that are torchlet dtypes too. */
export const FILE_DTYPES: readonly FileDType[] = [
  { dtype: "float32", storage: "FloatStorage", safetensors: "F32", bytes: 4 },
  { dtype: "float64", storage: "DoubleStorage", safetensors: "F64", bytes: 8 },
  { dtype: "float16", storage: "HalfStorage", safetensors: "F16", bytes: 2 },
  { dtype: "bfloat16", storage: "BFloat16Storage", safetensors: "BF16", bytes: 2 },
  { dtype: "int64", storage: "LongStorage", safetensors: "I64", bytes: 8 },
  { dtype: "int32", storage: "IntStorage", safetensors: "I32", bytes: 4 },
  { dtype: "int16", storage: "ShortStorage", safetensors: "I16", bytes: 2 },
  { dtype: "int8", storage: "CharStorage", safetensors: "I8", bytes: 1 },
  { dtype: "uint8", storage: "ByteStorage", safetensors: "U8", bytes: 1 },
  { dtype: "bool", storage: "BoolStorage", safetensors: "BOOL", bytes: 1 },
];

/** The file dtype of a torchlet dtype. */
export function fileDTypeOf(dtype: DType): FileDType {
  return FILE_DTYPES.find((d) => d.dtype === dtype) as FileDType;
}

/** The torchlet dtype a file's tensor maps to, or a `TorchletError` naming the tensor and its dtype. */
export function torchletDType(op: string, file: FileDType, what: string): DType {
  if (!isDType(file.dtype)) {
    throw new TorchletError(
      `${op}: ${what} has dtype ${file.dtype}, which torchlet tensors cannot hold yet; convert it in PyTorch first (e.g. tensor.float())`,
    );
  }
  return file.dtype;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `count` elements of `dtype` decoded from little-endian `bytes` into a new typed array of their own. */
export function decodeElements(dtype: DType, bytes: Uint8Array, count: number): TypedArray {
  // A copy of its own (the Uint8Array constructor copies; a Node Buffer's slice() would not).
  const copy = new Uint8Array(bytes.subarray(0, count * fileDTypeOf(dtype).bytes));
  if (!LITTLE_ENDIAN) throw new TorchletError("torchlet's file formats need a little-endian machine");
  switch (dtype) {
    case "float32":
      return new Float32Array(copy.buffer, 0, count);
    case "float64":
      return new Float64Array(copy.buffer, 0, count);
    case "int32":
      return new Int32Array(copy.buffer, 0, count);
    case "bool":
      // PyTorch stores bools as bytes; anything nonzero is true.
      for (let i = 0; i < count; i++) if (copy[i] !== 0) copy[i] = 1;
      return copy;
  }
}

/** The little-endian bytes of a typed array's elements (a view of them where that is possible). */
export function encodeElements(data: TypedArray): Uint8Array {
  if (!LITTLE_ENDIAN) throw new TorchletError("torchlet's file formats need a little-endian machine");
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

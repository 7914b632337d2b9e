import { fromArray, Tensor } from "@torchlet/autograd";
import {
  type DType,
  fmtShape,
  isFloating,
  StridedArray,
  TorchletError,
  type TypedArray,
} from "@torchlet/storage";
import {
  decodeElements,
  encodeElements,
  FILE_DTYPES,
  type FileDType,
  fileDTypeOf,
  loadedDType,
} from "./file-dtypes.js";
import { readFileBytes, writeFileAtomic } from "./node-file.js";
import { PickleDict, type PickleGlobal, type PickleValue, unpickle } from "./pickle-read.js";
import { PickleWriter } from "./pickle-write.js";
import { readZip, type ZipEntry } from "./zip-read.js";
import { writeZip } from "./zip-write.js";

/**
 * What `save` writes and `load` returns: tensors, numbers, strings, booleans and null, nested in
 * plain objects (Python dicts, e.g. state dicts), arrays (lists and tuples) and Maps (dicts whose
 * keys are not all strings).
 *
 * @example
 * const state: Saveable = { "0.weight": torch.ones([2, 3]), step: 10, note: "chapter" };
 * torch.save(state) instanceof Uint8Array; // true
 */
export type Saveable =
  | Tensor
  | number
  | bigint
  | string
  | boolean
  | null
  | readonly Saveable[]
  | ReadonlyMap<Saveable, Saveable>
  | { readonly [key: string]: Saveable };

/** How deep containers may nest in a loaded file before it is refused (a guard against hostile files). */
const MAX_DEPTH = 1000;

/**
 * Reads a file written by Python's `torch.save` (PyTorch >= 1.6's zip format): a tensor, or tensors
 * nested in dicts (state dicts), lists and tuples with numbers and strings. `source` is a path (Node)
 * or the file's bytes (e.g. from `fetch` in a browser). Tensors that were views of one storage come
 * back as views of one typed array. It never runs code from the file: any Python global other than
 * PyTorch's tensor-rebuilding functions, storage classes and `OrderedDict` is a `TorchletError`.
 *
 * @example
 * const bytes = torch.save({ w: torch.tensor([1, 2]) });
 * const back = torch.load(bytes) as { w: torch.Tensor };
 * back.w.tolist(); // [1, 2]
 */
export function load(source: string | Uint8Array | ArrayBuffer): Saveable {
  const op = "load";
  const bytes = toBytes(op, source);
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5) {
    throw new TorchletError(
      `${op}: this is PyTorch's legacy (pre-1.6, non-zip) format; re-save it in Python with torch.save(obj, path) from PyTorch >= 1.6`,
    );
  }
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    throw new TorchletError(
      `${op}: not a PyTorch file (it does not start with a zip header; got ${bytes.length} bytes)`,
    );
  }
  const entries = readZip(op, bytes);
  const first = entries.keys().next().value as string | undefined;
  const prefix = first?.slice(0, first.indexOf("/") + 1) ?? "";
  const pickle = entries.get(`${prefix}data.pkl`);
  if (!prefix || !pickle) {
    const what = entries.has(`${prefix}constants.pkl`)
      ? "a TorchScript archive (torch.jit.save)"
      : "no data.pkl";
    throw new TorchletError(
      `${op}: not a torch.save file (${what}); save a tensor or state dict with torch.save`,
    );
  }
  const storages = new Map<string, { file: FileDType; data: TypedArray }>();
  const value = unpickle(op, pickle.bytes, {
    globals: GLOBALS,
    persistentLoad: (id) => loadStorage(op, id, storages, entries, prefix),
  });
  return toJs(op, value, new Map(), 0);
}

/**
 * Writes `obj` (a tensor, or plain objects/arrays/Maps of tensors, numbers, strings, booleans and
 * null, e.g. a state dict) in PyTorch's zip format, which Python's `torch.load` reads with the same
 * keys, dtypes, shapes and values; tensors sharing a typed array share one storage in the file.
 * Without `path` it returns the bytes; with one (Node) it writes the file through a temporary file
 * and a rename, so a failed save never leaves a half-written or destroyed file.
 *
 * @example
 * const bytes = torch.save({ "0.weight": torch.ones([2, 3]) });
 * bytes instanceof Uint8Array; // true
 */
export function save(obj: Saveable, path?: string): Uint8Array {
  const op = "save";
  const writer = new PickleWriter();
  const storages = new Map<TypedArray, Storage>();
  emit(op, obj, writer, storages, new Set(), "obj");
  const prefix = "archive/";
  const files = [{ name: `${prefix}data.pkl`, bytes: writer.finish() }];
  for (const [data, { key, dtype }] of storages) {
    files.push({ name: `${prefix}data/${key}`, bytes: encodeElements(data, dtype) });
  }
  files.push({ name: `${prefix}version`, bytes: new TextEncoder().encode("3\n") });
  const bytes = writeZip(op, files);
  if (path !== undefined) writeFileAtomic(op, path, bytes);
  return bytes;
}

/** `source` as bytes: a path is read (Node), an ArrayBuffer wrapped. */
export function toBytes(op: string, source: unknown): Uint8Array {
  if (typeof source === "string") return readFileBytes(op, source);
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  throw new TorchletError(`${op}: expected a path, a Uint8Array or an ArrayBuffer, got ${describe(source)}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return `${typeof value} ${String(value)}`;
}

// ---- loading ----

const isInt = (v: PickleValue): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isIntTuple = (v: PickleValue): v is number[] => Array.isArray(v) && v.every(isInt);

/** Each storage class global (`torch.FloatStorage`), looked up by `persistentLoad`, never called. */
const STORAGE_CLASSES = new Map<PickleGlobal, FileDType>(
  FILE_DTYPES.map((file) => [() => malformed(`torch.${file.storage} called`), file]),
);

const GLOBALS: ReadonlyMap<string, PickleGlobal> = new Map<string, PickleGlobal>([
  ["collections.OrderedDict", orderedDict],
  ["torch._utils._rebuild_tensor_v2", rebuildTensor],
  ["torch._utils._rebuild_parameter", rebuildParameter],
  ["torch.Size", ([dims]) => (isIntTuple(dims) ? [...dims] : malformed("torch.Size of non-integers"))],
  ...[...STORAGE_CLASSES].map(([cls, file]): [string, PickleGlobal] => [`torch.${file.storage}`, cls]),
]);

function malformed(what: string): never {
  throw new TorchletError(`load: malformed torch.save file (${what})`);
}

function orderedDict(args: PickleValue[]): PickleDict {
  const dict = new PickleDict(true);
  const [items] = args;
  if (args.length > 1 || (items !== undefined && !Array.isArray(items))) malformed("OrderedDict arguments");
  for (const pair of (items as PickleValue[] | undefined) ?? []) {
    if (!Array.isArray(pair) || pair.length !== 2) malformed("OrderedDict item that is not a pair");
    dict.items.set(pair[0], pair[1]);
  }
  return dict;
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])`. */
function rebuildTensor(args: PickleValue[]): Tensor {
  const [storage, offset, size, stride, requiresGrad] = args;
  if (!(storage instanceof LoadedStorage)) return malformed("a tensor without a storage");
  if (
    !isInt(offset) ||
    offset < 0 ||
    !isIntTuple(size) ||
    !isIntTuple(stride) ||
    size.length !== stride.length
  ) {
    return malformed("a tensor's offset, size or stride");
  }
  if (size.some((d) => d < 0) || stride.some((s) => s < 0))
    return malformed(`size ${fmtShape(size)}, stride ${fmtShape(stride)}`);
  let last = offset;
  for (let d = 0; d < size.length; d++) last += ((size[d] as number) - 1) * (stride[d] as number);
  const empty = size.includes(0);
  if (!empty && last >= storage.data.length) {
    throw new TorchletError(
      `load: a tensor of size ${fmtShape(size)}, stride ${fmtShape(stride)} and offset ${offset} reaches element ${last} of a storage of ${storage.data.length}`,
    );
  }
  const array = new StridedArray(storage.data, storage.dtype, size, stride, empty ? 0 : offset);
  const t = fromArray(array);
  if (requiresGrad === true) {
    if (!isFloating(t.dtype)) return malformed(`requires_grad on a ${t.dtype} tensor`);
    t.requiresGrad_(true);
  }
  return t;
}

/** `_rebuild_parameter(data, requires_grad, hooks)`: a leaf tensor (torchlet has no Parameter class below nn). */
function rebuildParameter([data, requiresGrad]: PickleValue[]): Tensor {
  if (!(data instanceof Tensor) || typeof requiresGrad !== "boolean") return malformed("a parameter");
  if (requiresGrad && isFloating(data.dtype)) data.requiresGrad_(true);
  return data;
}

class LoadedStorage {
  constructor(
    readonly dtype: DType,
    readonly data: TypedArray,
  ) {}
}

/** BINPERSID's `('storage', StorageClass, key, location, numel)`: the storage's bytes, read once per key. */
function loadStorage(
  op: string,
  id: PickleValue,
  cache: Map<string, { file: FileDType; data: TypedArray }>,
  entries: ReadonlyMap<string, ZipEntry>,
  prefix: string,
): LoadedStorage {
  if (!Array.isArray(id) || id.length !== 5 || id[0] !== "storage")
    return malformed("a persistent id that is not a storage");
  const [, cls, key, location, numel] = id as PickleValue[];
  // The location (e.g. "cuda:0") is ignored: a storage's bytes are the same on every device.
  const file = STORAGE_CLASSES.get(cls as PickleGlobal);
  if (!file || typeof key !== "string" || typeof location !== "string" || !isInt(numel) || numel < 0) {
    return malformed(`storage ${String(key)}`);
  }
  const dtype = loadedDType(op, file, `storage ${key}`);
  let cached = cache.get(key);
  if (!cached) {
    const entry = entries.get(`${prefix}data/${key}`);
    if (!entry) return malformed(`storage ${key} has no data/${key} entry`);
    if (entry.bytes.length !== numel * file.bytes) {
      throw new TorchletError(
        `${op}: storage ${key} should hold ${numel} ${file.dtype} elements (${numel * file.bytes} bytes) but has ${entry.bytes.length} bytes`,
      );
    }
    cached = { file, data: decodeElements(op, file, entry.bytes, numel) };
    cache.set(key, cached);
  } else if (cached.file !== file) {
    return malformed(`storage ${key} read as ${file.dtype} and ${cached.file.dtype}`);
  }
  return new LoadedStorage(dtype, cached.data);
}

/** The unpickled value as the JS values `load` promises; shared and cyclic references stay shared. */
function toJs(op: string, value: PickleValue, seen: Map<unknown, Saveable>, depth: number): Saveable {
  if (value === null || typeof value !== "object") {
    if (typeof value === "function" || value === undefined || typeof value === "symbol") {
      return malformed("a bare Python global as a value");
    }
    return value as Saveable;
  }
  if (value instanceof Tensor) return value;
  if (value instanceof LoadedStorage) return malformed("a bare storage as a value");
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (depth > MAX_DEPTH) throw new TorchletError(`${op}: containers nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    const out: Saveable[] = [];
    seen.set(value, out);
    for (const item of value) out.push(toJs(op, item, seen, depth + 1));
    return out;
  }
  if (value instanceof PickleDict) {
    const stringKeys = [...value.items.keys()].every((k) => typeof k === "string");
    if (!stringKeys) {
      const out = new Map<Saveable, Saveable>();
      seen.set(value, out);
      for (const [k, v] of value.items) out.set(toJs(op, k, seen, depth + 1), toJs(op, v, seen, depth + 1));
      return out;
    }
    const out: Record<string, Saveable> = {};
    seen.set(value, out);
    for (const [k, v] of value.items) {
      // defineProperty: a key such as "__proto__" becomes a plain property, not a prototype change.
      Object.defineProperty(out, k as string, {
        value: toJs(op, v, seen, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return malformed("an unexpected object");
}

// ---- saving ----

/** A storage to write: its key in the file and the dtype its elements are written as. */
interface Storage {
  readonly key: string;
  readonly dtype: DType;
}

const tensorRebuild = (w: PickleWriter) => w.global("torch._utils", "_rebuild_tensor_v2");

function emit(
  op: string,
  value: unknown,
  w: PickleWriter,
  storages: Map<TypedArray, Storage>,
  path: Set<unknown>,
  where: string,
): void {
  if (value === null) w.none();
  else if (typeof value === "boolean") w.bool(value);
  else if (typeof value === "bigint") w.int(value);
  else if (typeof value === "number" && Number.isSafeInteger(value)) w.int(value);
  else if (typeof value === "number") w.float(value);
  else if (typeof value === "string") w.string(value);
  else if (value instanceof Tensor) emitTensor(value, w, storages);
  else if (Array.isArray(value) || value instanceof Map || isPlainObject(value)) {
    if (path.has(value))
      throw new TorchletError(`${op}: ${where} contains itself; a saved object must be a tree`);
    path.add(value);
    if (Array.isArray(value)) {
      w.emptyList();
      if (value.length > 0) {
        w.mark();
        for (let i = 0; i < value.length; i++) emit(op, value[i], w, storages, path, `${where}[${i}]`);
        w.appends();
      }
    } else {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      w.emptyDict();
      if (entries.length > 0) {
        w.mark();
        for (const [k, v] of entries) {
          emit(op, k, w, storages, path, `a key of ${where}`);
          emit(op, v, w, storages, path, `${where}[${JSON.stringify(String(k))}]`);
        }
        w.setItems();
      }
    }
    path.delete(value);
  } else {
    throw new TorchletError(`${op}: ${where} is ${describe(value)}, which PyTorch's format cannot hold`);
  }
}

function isPlainObject(value: unknown): value is object {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `_rebuild_tensor_v2(('storage', torch.XStorage, key, 'cpu', numel), offset, size, stride, requires_grad, OrderedDict())`. */
function emitTensor(t: Tensor, w: PickleWriter, storages: Map<TypedArray, Storage>): void {
  const array = t._array;
  let storage = storages.get(array.data);
  if (storage === undefined) {
    storage = { key: String(storages.size), dtype: t.dtype };
    storages.set(array.data, storage);
  }
  const { key } = storage;
  tensorRebuild(w);
  w.mark();
  w.mark();
  w.string("storage");
  w.global("torch", fileDTypeOf(t.dtype).storage);
  w.string(key);
  w.string("cpu");
  w.int(array.data.length);
  w.tuple();
  w.persistentId();
  w.int(array.offset);
  intTuple(w, array.shape);
  intTuple(w, array.strides);
  w.bool(t.requiresGrad);
  w.global("collections", "OrderedDict");
  w.emptyTuple();
  w.reduce();
  w.tuple();
  w.reduce();
}

function intTuple(w: PickleWriter, values: readonly number[]): void {
  w.mark();
  for (const v of values) w.int(v);
  w.tuple();
}

import { fromArray, Tensor } from "@torchlet/autograd";
import { fmtShape, numel, StridedArray, TorchletError } from "@torchlet/storage";
import { decodeElements, encodeElements, FILE_DTYPES, fileDTypeOf, loadedDType } from "./file-dtypes.js";

/** Headers above this many bytes are refused before they are decoded (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Reads a safetensors file: `Record<name, Tensor>` in the header's order. The header is validated
 * before any tensor is built: its length, every dtype, shape and byte range (inside the buffer, sized
 * as the shape needs, no overlaps, no gaps), so a truncated or hostile file is a `TorchletError`.
 *
 * @example
 * const bytes = torch.safetensors.save({ w: torch.tensor([1, 2]) });
 * torch.safetensors.load(bytes).w!.tolist(); // [1, 2]
 */
function loadSafetensors(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const op = "safetensors.load";
  if (!(bytes instanceof Uint8Array || bytes instanceof ArrayBuffer)) {
    throw new TorchletError(`${op}: expected a Uint8Array or an ArrayBuffer`);
  }
  const buffer = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const fail = (what: string) => new TorchletError(`${op}: invalid safetensors file (${what})`);
  if (buffer.length < 8) throw fail(`${buffer.length} bytes is shorter than the 8-byte header length`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 0x100000000;
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > buffer.length) {
    throw fail(`header length ${headerLength} exceeds the ${buffer.length - 8} bytes that follow`);
  }
  let header: unknown;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(8, 8 + headerLength)),
    );
  } catch (error) {
    throw fail(`header is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw fail("header is not an object");
  const dataStart = 8 + headerLength;
  const dataLength = buffer.length - dataStart;
  const entries: { name: string; begin: number; end: number; build: () => Tensor }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      const ok =
        info !== null && typeof info === "object" && Object.values(info).every((v) => typeof v === "string");
      if (!ok) throw fail("__metadata__ must map strings to strings");
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (info ?? {}) as Record<string, unknown>;
    const file = FILE_DTYPES.find((d) => d.safetensors === dtype);
    if (!file) throw fail(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
    if (!Array.isArray(shape) || !shape.every(isCount))
      throw fail(`tensor "${name}" has shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isCount) ||
      (offsets[0] as number) > (offsets[1] as number)
    ) {
      throw fail(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const count = numel(shape);
    if (end > dataLength)
      throw fail(`tensor "${name}" ends at byte ${end} of a ${dataLength}-byte data section`);
    if (end - begin !== count * file.bytes) {
      throw fail(
        `tensor "${name}" of shape ${fmtShape(shape)} and dtype ${dtype} needs ${count * file.bytes} bytes, its offsets give ${end - begin}`,
      );
    }
    const loadsAs = loadedDType(op, file, `tensor "${name}"`);
    entries.push({
      name,
      begin,
      end,
      build: () =>
        fromArray(
          StridedArray.fromFlat(
            decodeElements(op, file, buffer.subarray(dataStart + begin, dataStart + end), count),
            shape,
            loadsAs,
          ),
        ),
    });
  }
  // The tensors must tile the data section exactly: no overlap, no gap, nothing after.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin !== covered)
      throw fail(`tensor "${e.name}" starts at byte ${e.begin}, expected ${covered} (overlap or gap)`);
    covered = e.end;
  }
  if (covered !== dataLength) throw fail(`the data section has ${dataLength - covered} bytes no tensor uses`);
  const out: Record<string, Tensor> = {};
  for (const e of entries)
    Object.defineProperty(out, e.name, {
      value: e.build(),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/**
 * Writes tensors (any layout; stored row-major) and optional string metadata as a safetensors file,
 * which Python's `safetensors.torch.load` reads. Tensors are laid out in name order.
 *
 * @example
 * const bytes = torch.safetensors.save({ b: torch.zeros([2]) }, { format: "pt" });
 * Object.keys(torch.safetensors.load(bytes)); // ["b"]
 */
function saveSafetensors(
  tensors: Readonly<Record<string, Tensor>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const op = "safetensors.save";
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (
      metadata === null ||
      typeof metadata !== "object" ||
      !Object.values(metadata).every((v) => typeof v === "string")
    ) {
      throw new TorchletError(`${op}: metadata must map strings to strings`);
    }
    header.__metadata__ = metadata;
  }
  const names = Object.keys(tensors).sort();
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (name === "__metadata__")
      throw new TorchletError(`${op}: "__metadata__" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new TorchletError(`${op}: "${name}" is not a Tensor`);
    const bytes = encodeElements(t.toTypedArray(), t.dtype);
    header[name] = {
      dtype: fileDTypeOf(t.dtype).safetensors,
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.length],
    };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces to a multiple of 8 bytes, so the data section stays aligned.
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The safetensors format (Hugging Face's flat, code-free tensor files): `load(bytes)` and
 * `save(tensors, metadata?)`.
 *
 * @example
 * const bytes = torch.safetensors.save({ w: torch.eye(2) });
 * torch.safetensors.load(bytes).w!.shape; // [2, 2]
 */
export const safetensors = { load: loadSafetensors, save: saveSafetensors };

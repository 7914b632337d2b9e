import { TorchletError } from "@torchlet/storage";
import { crc32 } from "./crc32.js";

/** One file to store in a zip archive. */
export interface ZipInput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Entry data starts at multiples of this many bytes, as in PyTorch's writer, so that a reader can
 * map a storage straight onto an aligned typed array.
 */
const ALIGNMENT = 64;
const LIMIT = 0xffffffff;

/**
 * A zip archive of uncompressed entries, laid out as PyTorch's writer does: a zero timestamp, UTF-8
 * names, and each entry's data aligned to 64 bytes with an "FB" padding field in its local header.
 * The same inputs always give the same bytes.
 */
export function writeZip(op: string, files: readonly ZipInput[]): Uint8Array {
  const encoder = new TextEncoder();
  const names = files.map((f) => encoder.encode(f.name));
  const locals: { offset: number; padding: number; crc: number }[] = [];
  let size = 0;
  files.forEach((file, i) => {
    const nameLength = (names[i] as Uint8Array).length;
    const headerEnd = size + 30 + nameLength + 4;
    const padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    locals.push({ offset: size, padding, crc: crc32(file.bytes) });
    size = headerEnd + padding + file.bytes.length;
  });
  const directoryOffset = size;
  for (const name of names) size += 46 + name.length;
  const directorySize = size - directoryOffset;
  size += 22;
  if (size > LIMIT || files.length > 0xffff) {
    throw new TorchletError(
      `${op}: ${files.length} entries of ${size} bytes in all exceed what a zip without zip64 holds (65535 entries, 4 GiB)`,
    );
  }

  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  files.forEach((file, i) => {
    const name = names[i] as Uint8Array;
    const { offset, padding, crc } = locals[i] as (typeof locals)[number];
    view.setUint32(offset, 0x04034b50, true);
    view.setUint16(offset + 4, 20, true); // version needed: 2.0
    view.setUint16(offset + 6, 0x0800, true); // names are UTF-8
    view.setUint32(offset + 14, crc, true);
    view.setUint32(offset + 18, file.bytes.length, true);
    view.setUint32(offset + 22, file.bytes.length, true);
    view.setUint16(offset + 26, name.length, true);
    view.setUint16(offset + 28, 4 + padding, true);
    out.set(name, offset + 30);
    const extra = offset + 30 + name.length;
    out[extra] = 0x46; // "F"
    out[extra + 1] = 0x42; // "B"
    view.setUint16(extra + 2, padding, true);
    out.fill(0x5a, extra + 4, extra + 4 + padding); // "Z"
    out.set(file.bytes, extra + 4 + padding);
  });
  let at = directoryOffset;
  files.forEach((file, i) => {
    const name = names[i] as Uint8Array;
    const { offset, crc } = locals[i] as (typeof locals)[number];
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint16(at + 8, 0x0800, true);
    view.setUint32(at + 16, crc, true);
    view.setUint32(at + 20, file.bytes.length, true);
    view.setUint32(at + 24, file.bytes.length, true);
    view.setUint16(at + 28, name.length, true);
    view.setUint32(at + 42, offset, true);
    out.set(name, at + 46);
    at += 46 + name.length;
  });
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, files.length, true);
  view.setUint16(at + 10, files.length, true);
  view.setUint32(at + 12, directorySize, true);
  view.setUint32(at + 16, directoryOffset, true);
  return out;
}

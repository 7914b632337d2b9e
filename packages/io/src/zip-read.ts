import { TorchletError } from "@torchlet/storage";
import { crc32 } from "./crc32.js";

/** One file of a zip archive: its name and its bytes (a view into the archive, CRC-checked). */
export interface ZipEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Reads the entries of an uncompressed ("stored") zip archive, as PyTorch writes them, including
 * its zip64 records. Every offset and length is checked against the buffer before it is used, so a
 * truncated or hostile archive is a `TorchletError`, never an out-of-bounds read.
 */
export function readZip(op: string, bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string) => new TorchletError(`${op}: not a valid zip archive (${what})`);
  const u16 = (at: number) => {
    if (at < 0 || at + 2 > bytes.length) throw fail(`truncated at byte ${at}`);
    return view.getUint16(at, true);
  };
  const u32 = (at: number) => {
    if (at < 0 || at + 4 > bytes.length) throw fail(`truncated at byte ${at}`);
    return view.getUint32(at, true);
  };
  const u64 = (at: number) => {
    const low = u32(at);
    const high = u32(at + 4);
    if (high >= 0x200000) throw fail(`a 64-bit size or offset at byte ${at} is too large`);
    return high * 0x100000000 + low;
  };

  const end = findEndOfCentralDirectory(bytes, view);
  if (end < 0) throw fail("no end-of-central-directory record; the file is truncated or not a zip");
  let count = u16(end + 10);
  let directoryOffset = u32(end + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff) {
    const locator = end - 20;
    if (u32(locator) !== ZIP64_LOCATOR) throw fail("zip64 locator missing");
    const record = u64(locator + 8);
    if (u32(record) !== ZIP64_EOCD) throw fail("zip64 end-of-central-directory record missing");
    count = u64(record + 32);
    directoryOffset = u64(record + 48);
  }
  if (count > bytes.length / 46) throw fail(`${count} entries cannot fit in ${bytes.length} bytes`);

  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (u32(at) !== CENTRAL) throw fail(`central directory entry ${i} is damaged`);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    const nameStart = at + 46;
    if (nameStart + nameLength + extraLength > bytes.length) throw fail(`entry ${i}'s name is truncated`);
    const name = decoder.decode(bytes.subarray(nameStart, nameStart + nameLength));
    // zip64: the sizes and offset that overflowed 32 bits live in the extra field 0x0001, in order.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let e = nameStart + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd && u16(e) !== 0x0001) e += 4 + u16(e + 2);
      if (e + 4 > extraEnd) throw fail(`entry "${name}" lacks its zip64 sizes`);
      let p = e + 4;
      if (size === 0xffffffff) {
        size = u64(p);
        p += 8;
      }
      if (compressedSize === 0xffffffff) {
        compressedSize = u64(p);
        p += 8;
      }
      if (localOffset === 0xffffffff) localOffset = u64(p);
    }
    if (method !== 0 || compressedSize !== size) {
      throw new TorchletError(
        `${op}: entry "${name}" is compressed (method ${method}); PyTorch's files store entries uncompressed, and torchlet reads only those`,
      );
    }
    if (u32(localOffset) !== LOCAL) throw fail(`entry "${name}"'s local header is damaged`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    if (dataStart + size > bytes.length)
      throw fail(`entry "${name}" (${size} bytes) runs past the end of the file`);
    const data = bytes.subarray(dataStart, dataStart + size);
    if (crc32(data) !== crc) throw fail(`entry "${name}" fails its CRC-32 check; the file is corrupt`);
    entries.set(name, { name, bytes: data });
    at = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The offset of the end-of-central-directory record: within the last 64 KiB + 22 bytes. */
function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  const last = bytes.length - 22;
  for (let at = last; at >= 0 && at >= last - 0xffff; at--) {
    if (view.getUint32(at, true) === EOCD) return at;
  }
  return -1;
}

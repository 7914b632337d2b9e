/**
 * Writes pickle protocol 2, the protocol `torch.save` uses, one opcode at a time. The caller walks
 * its objects and emits them; nothing is memoised, so shared objects are written once per use
 * (tensors share storages through persistent ids instead, as PyTorch's do).
 */
export class PickleWriter {
  private chunks: number[] = [0x80, 2];
  private readonly encoder = new TextEncoder();

  /** The finished pickle (STOP appended). */
  finish(): Uint8Array {
    this.chunks.push(0x2e);
    return Uint8Array.from(this.chunks);
  }

  none(): void {
    this.chunks.push(0x4e);
  }
  bool(value: boolean): void {
    this.chunks.push(value ? 0x88 : 0x89);
  }
  /** A Python int: BININT1/2 or BININT where they fit, LONG1 beyond. */
  int(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value < 256) this.chunks.push(0x4b, value);
    else if (typeof value === "number" && value >= 0 && value < 65536)
      this.chunks.push(0x4d, value & 0xff, value >> 8);
    else if (typeof value === "number" && value >= -0x80000000 && value <= 0x7fffffff) {
      this.chunks.push(0x4a, value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff);
    } else {
      const bytes: number[] = [];
      let v = BigInt(value);
      // Two's complement, little-endian, as few bytes as keep the sign.
      do {
        bytes.push(Number(v & 0xffn));
        v >>= 8n;
      } while (
        !(
          (v === 0n && (bytes[bytes.length - 1] as number) < 0x80) ||
          (v === -1n && (bytes[bytes.length - 1] as number) >= 0x80)
        )
      );
      this.chunks.push(0x8a, bytes.length, ...bytes);
    }
  }
  /** A Python float (BINFLOAT: big-endian IEEE double). */
  float(value: number): void {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, false);
    this.chunks.push(0x47, ...bytes);
  }
  string(value: string): void {
    const bytes = this.encoder.encode(value);
    const n = bytes.length;
    this.chunks.push(0x58, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
    for (const b of bytes) this.chunks.push(b);
  }
  /** `module.name`, e.g. `torch._utils` `_rebuild_tensor_v2`. */
  global(module: string, name: string): void {
    this.chunks.push(0x63, ...this.encoder.encode(`${module}\n${name}\n`));
  }
  mark(): void {
    this.chunks.push(0x28);
  }
  /** The values since the last mark become a tuple. */
  tuple(): void {
    this.chunks.push(0x74);
  }
  emptyTuple(): void {
    this.chunks.push(0x29);
  }
  emptyList(): void {
    this.chunks.push(0x5d);
  }
  /** The values since the last mark are appended to the list below the mark. */
  appends(): void {
    this.chunks.push(0x65);
  }
  emptyDict(): void {
    this.chunks.push(0x7d);
  }
  /** The key/value pairs since the last mark are set in the dict below the mark. */
  setItems(): void {
    this.chunks.push(0x75);
  }
  /** Calls the callable below the argument tuple on top. */
  reduce(): void {
    this.chunks.push(0x52);
  }
  /** The value on top is a persistent id for the loader to resolve. */
  persistentId(): void {
    this.chunks.push(0x51);
  }
}

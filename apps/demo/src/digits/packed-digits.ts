// The mnist package's digits packed for the browser: its 21 MB of JSON numbers hold only 256
// distinct values (k / 255 to three decimals), so one byte per pixel keeps them exactly. Layout,
// little-endian: the number of samples of each class (10 x uint32), the value of each byte
// (256 x float64), then every class's pixels, one byte each, in the package's order.

const CLASSES = 10;
const PIXELS = 28 * 28;
const HEADER = CLASSES * 4 + 256 * 8;

/** Packs samples given per class (`byClass[d]`: every sample of digit d, 784 values each). */
export function packDigits(byClass: readonly ArrayLike<number>[]): Uint8Array {
  if (byClass.length !== CLASSES)
    throw new Error(`packDigits: expected ${CLASSES} classes, got ${byClass.length}`);
  const distinct = new Set<number>();
  for (const pixels of byClass) for (let i = 0; i < pixels.length; i++) distinct.add(pixels[i] as number);
  const values = [...distinct].sort((a, b) => a - b);
  if (values.length > 256)
    throw new Error(`packDigits: ${values.length} distinct pixel values do not fit a byte`);
  const code = new Map(values.map((v, i) => [v, i]));
  const total = byClass.reduce((n, pixels) => n + pixels.length, 0);
  const bytes = new Uint8Array(HEADER + total);
  const view = new DataView(bytes.buffer);
  byClass.forEach((pixels, d) => {
    if (pixels.length % PIXELS !== 0)
      throw new Error(`packDigits: digit ${d} is not a whole number of images`);
    view.setUint32(d * 4, pixels.length / PIXELS, true);
  });
  for (const [i, v] of values.entries()) view.setFloat64(CLASSES * 4 + i * 8, v, true);
  let at = HEADER;
  for (const pixels of byClass)
    for (let i = 0; i < pixels.length; i++) bytes[at++] = code.get(pixels[i] as number) as number;
  return bytes;
}

/** The samples of each class back, as `packDigits` was given them (as float32). */
export function unpackDigits(bytes: Uint8Array): Float32Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER) throw new Error(`unpackDigits: ${bytes.byteLength} bytes hold no header`);
  const table = Float32Array.from({ length: 256 }, (_, i) => view.getFloat64(CLASSES * 4 + i * 8, true));
  const counts = Array.from({ length: CLASSES }, (_, d) => view.getUint32(d * 4, true));
  const expected = HEADER + counts.reduce((n, c) => n + c * PIXELS, 0);
  if (bytes.byteLength !== expected)
    throw new Error(
      `unpackDigits: expected ${expected} bytes for ${counts.join("+")} digits, got ${bytes.byteLength}`,
    );
  let at = HEADER;
  return counts.map((count) => {
    const pixels = new Float32Array(count * PIXELS);
    for (let i = 0; i < pixels.length; i++) pixels[i] = table[bytes[at++] as number] as number;
    return pixels;
  });
}

import { readFileSync } from "node:fs";
import { UsageError } from "./args.js";
import { reason } from "./system-error.js";

/** Width and height of the images the digits models take. */
const SIDE = 28;

/**
 * The pixels of a 28x28 PNG (grayscale, gray+alpha, RGB, RGBA or palette; any bit depth) as 784
 * values in [0, 1], row by row, as the mnist package stores its digits: the luminance (ITU-R 601
 * weights) laid over a black background by its alpha, so a white digit on black (MNIST's look) or a
 * white stroke on a transparent canvas both read as the digit. Anything else is a UsageError naming
 * the file: not a PNG, a damaged one, or another size (scaling it would guess how the digit is framed).
 */
export async function readDigitImage(path: string): Promise<number[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read --image ${path}: ${reason(error)}`);
  }
  // Imported here, not at startup: every other command would pay for loading the decoder.
  const { PNG } = (await import("pngjs")).default;
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new UsageError(`--image ${path} is not a readable PNG image (${reason(error)})`);
  }
  if (png.width !== SIDE || png.height !== SIDE)
    throw new UsageError(
      `--image ${path} is ${png.width}x${png.height} pixels; the digits models take ${SIDE}x${SIDE} (scale it to that size first)`,
    );
  const { data } = png; // RGBA, 8 bits per channel whatever the file's format
  return Array.from({ length: SIDE * SIDE }, (_, i) => {
    const [r = 0, g = 0, b = 0, a = 0] = data.subarray(4 * i, 4 * i + 4);
    return ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * (a / 255);
  });
}

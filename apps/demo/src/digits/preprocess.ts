// A drawing becomes an input the way MNIST's digits were made: the ink's bounding box scaled
// (keeping its aspect ratio, averaging the pixels it covers) to fit a 20 x 20 box, then placed in a
// 28 x 28 image so that its centre of mass lies at the centre, values in [0, 1].

export const SIDE = 28;
const BOX = 20;
/** Ink fainter than this does not count towards the bounding box (antialiasing fringes). */
const INK = 0.05;

/**
 * Preprocesses a drawing given as ink intensities (width x height, row-major, 0 = paper, 1 = ink);
 * null when nothing is drawn.
 */
export function toDigit(ink: ArrayLike<number>, width: number, height: number): Float32Array | null {
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if ((ink[y * width + x] as number) > INK) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const [bw, bh] = [x1 - x0 + 1, y1 - y0 + 1];
  const k = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * k));
  const th = Math.max(1, Math.round(bh * k));

  // Box filter: each source pixel adds to the target pixel it falls in; each sum is divided by the
  // number of source pixels that landed there.
  const sum = new Float64Array(tw * th);
  const count = new Float64Array(tw * th);
  for (let y = y0; y <= y1; y++) {
    const ty = Math.min(th - 1, Math.floor((y - y0) * k));
    for (let x = x0; x <= x1; x++) {
      const t = ty * tw + Math.min(tw - 1, Math.floor((x - x0) * k));
      sum[t] = (sum[t] as number) + (ink[y * width + x] as number);
      count[t] = (count[t] as number) + 1;
    }
  }
  const small = sum.map((s, i) => (count[i] ? s / (count[i] as number) : 0));

  let [mass, mx, my] = [0, 0, 0];
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x] as number;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  // Shift so the centre of mass lands on the image's centre, keeping the box inside the image.
  const left = clamp(Math.round(SIDE / 2 - mx / mass), 0, SIDE - tw);
  const top = clamp(Math.round(SIDE / 2 - my / mass), 0, SIDE - th);
  const out = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      out[(top + y) * SIDE + left + x] = clamp(small[y * tw + x] as number, 0, 1);
    }
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

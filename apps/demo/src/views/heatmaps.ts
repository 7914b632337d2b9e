// w1, b1, w2, b2 and their gradients as heatmaps: one cell per entry, blue negative, red positive,
// each map scaled to its own largest magnitude (printed beside it) so small gradients stay visible.
import type { Matrix, ParamState } from "../protocol.js";
import { fmt } from "./svg.js";

/** Diverging colour for t in [-1, 1]: blue (-1) through near-white (0) to red (+1). */
export function diverging(t: number): [number, number, number] {
  const c = Math.max(-1, Math.min(1, Number.isFinite(t) ? t : 0));
  const base: [number, number, number] = [247, 247, 247];
  const end: [number, number, number] = c < 0 ? [33, 102, 172] : [178, 24, 43];
  const k = Math.abs(c);
  return [0, 1, 2].map((i) =>
    Math.round((base[i] as number) + ((end[i] as number) - (base[i] as number)) * k),
  ) as [number, number, number];
}

interface MapCells {
  canvas: HTMLCanvasElement;
  scaleLabel: HTMLElement;
}

function paint(cells: MapCells, m: Matrix | null, transpose: boolean): void {
  const { canvas } = cells;
  const ctx = canvas.getContext("2d");
  if (!ctx) return;
  const w = transpose ? m?.rows : m?.cols;
  const h = transpose ? m?.cols : m?.rows;
  if (!m || !w || !h) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    cells.scaleLabel.textContent = "none yet";
    return;
  }
  let maxAbs = 0;
  for (const v of m.values) maxAbs = Math.max(maxAbs, Math.abs(v));
  const image = ctx.createImageData(w, h);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < m.cols; c++) {
      const v = m.values[r * m.cols + c] as number;
      const [R, G, B] = diverging(maxAbs ? v / maxAbs : 0);
      const px = transpose ? r : c;
      const py = transpose ? c : r;
      const o = (py * w + px) * 4;
      image.data[o] = R;
      image.data[o + 1] = G;
      image.data[o + 2] = B;
      image.data[o + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  cells.scaleLabel.textContent = `±${fmt(maxAbs)}`;
}

function makeMap(parent: HTMLElement, caption: string, width: number, height: number): MapCells {
  const box = document.createElement("div");
  box.className = "map";
  const label = document.createElement("span");
  label.className = "map-label";
  label.textContent = caption;
  const scaleLabel = document.createElement("span");
  scaleLabel.className = "map-scale";
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.style.aspectRatio = `${width} / ${height}`;
  canvas.style.setProperty("--cols", String(width));
  canvas.setAttribute("aria-hidden", "true");
  const head = document.createElement("div");
  head.className = "map-head";
  head.append(label, scaleLabel);
  box.append(head, canvas);
  parent.append(box);
  return { canvas, scaleLabel };
}

interface ParamMaps {
  /** The shape the maps were built for; another shape (new hidden size or data set) rebuilds them. */
  shape: string;
  value: MapCells;
  grad: MapCells;
  transpose: boolean;
}

export class Heatmaps {
  private maps = new Map<string, ParamMaps>();

  constructor(private readonly host: HTMLElement) {}

  /** Builds one row per parameter; a tall matrix is drawn transposed so every row fits the width. */
  private build(params: readonly ParamState[]): void {
    this.host.replaceChildren();
    this.maps.clear();
    for (const p of params) {
      const { rows, cols } = p.value;
      const transpose = rows > cols;
      const fig = document.createElement("figure");
      fig.className = "param";
      const cap = document.createElement("figcaption");
      cap.textContent = `${p.name} [${rows}, ${cols}]${transpose ? " (drawn transposed)" : ""}`;
      fig.append(cap);
      const [w, h] = transpose ? [rows, cols] : [cols, rows];
      this.maps.set(p.name, {
        shape: `${rows}x${cols}`,
        value: makeMap(fig, "value", w, h),
        grad: makeMap(fig, "grad", w, h),
        transpose,
      });
      this.host.append(fig);
    }
  }

  draw(params: readonly ParamState[]): void {
    const fits = params.every((p) => this.maps.get(p.name)?.shape === `${p.value.rows}x${p.value.cols}`);
    if (!fits || this.maps.size !== params.length) this.build(params);
    for (const p of params) {
      const m = this.maps.get(p.name);
      if (!m) continue;
      paint(m.value, p.value, m.transpose);
      paint(m.grad, p.grad, m.transpose);
    }
  }
}

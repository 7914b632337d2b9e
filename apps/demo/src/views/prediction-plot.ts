// The data and what the network makes of it. With one input feature the data are points (x, y) and the
// predictions a curve through them; with several features no such picture exists, so the plot shows
// predicted against target, where a perfect fit lies on the diagonal.
import type { Matrix } from "../protocol.js";
import { fmt, scale, svg } from "./svg.js";

const W = 480;
const H = 300;
const PAD = { left: 48, right: 12, top: 12, bottom: 36 };

function range(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return [0, 1];
  const pad = (hi - lo) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

export class PredictionPlot {
  private x: Matrix | null = null;
  private y: Matrix | null = null;
  private predictions: Float32Array | null = null;
  /** Sample indices in increasing x (1-D data), the order in which the fitted curve is traced. */
  private order: number[] = [];
  private readonly root: SVGSVGElement;

  constructor(host: HTMLElement) {
    this.root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", "aria-hidden": "true" });
    host.append(this.root);
  }

  setData(x: Matrix, y: Matrix): void {
    this.x = x;
    this.y = y;
    this.predictions = null;
    this.order = Array.from({ length: x.rows }, (_, i) => i);
    if (x.cols === 1) this.order.sort((a, b) => (x.values[a] as number) - (x.values[b] as number));
  }

  setPredictions(p: Float32Array | null): void {
    this.predictions = p;
  }

  draw(): void {
    this.root.replaceChildren();
    if (!this.x || !this.y) return;
    if (this.x.cols === 1) this.drawCurve(this.x, this.y);
    else this.drawScatter(this.y);
  }

  private axes(xLabel: string, yLabel: string, xr: [number, number], yr: [number, number]): void {
    this.root.append(
      svg("line", { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: "axis" }),
      svg("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: "axis" }),
      svg("text", { x: (W + PAD.left) / 2, y: H - 6, class: "axis-label", "text-anchor": "middle" }, xLabel),
      svg(
        "text",
        {
          x: 12,
          y: (H - PAD.bottom) / 2,
          class: "axis-label",
          transform: `rotate(-90 12 ${(H - PAD.bottom) / 2})`,
        },
        yLabel,
      ),
      svg(
        "text",
        { x: PAD.left, y: H - PAD.bottom + 14, class: "tick", "text-anchor": "middle" },
        fmt(xr[0]),
      ),
      svg(
        "text",
        { x: W - PAD.right, y: H - PAD.bottom + 14, class: "tick", "text-anchor": "end" },
        fmt(xr[1]),
      ),
      svg("text", { x: PAD.left - 4, y: H - PAD.bottom, class: "tick", "text-anchor": "end" }, fmt(yr[0])),
      svg("text", { x: PAD.left - 4, y: PAD.top + 8, class: "tick", "text-anchor": "end" }, fmt(yr[1])),
    );
  }

  private drawCurve(x: Matrix, y: Matrix): void {
    const xr = range(x.values);
    const yr = range(y.values);
    const sx = scale(xr[0], xr[1], PAD.left, W - PAD.right);
    const sy = scale(yr[0], yr[1], H - PAD.bottom, PAD.top);
    this.axes("x", "y", xr, yr);
    const dots = svg("g", { class: "points" });
    for (let i = 0; i < y.rows; i++) {
      dots.append(svg("circle", { cx: sx(x.values[i] as number), cy: sy(y.values[i] as number), r: 3 }));
    }
    this.root.append(dots);
    const p = this.predictions;
    if (!p) return;
    // The network's value at each sample, joined in order of x: the function it has learned so far.
    const clip = (v: number) => Math.min(H - PAD.bottom, Math.max(PAD.top, sy(v)));
    const line = this.order.map(
      (i) => `${sx(x.values[i] as number).toFixed(1)},${clip(p[i] as number).toFixed(1)}`,
    );
    this.root.append(svg("polyline", { points: line.join(" "), class: "fit-line" }));
  }

  private drawScatter(y: Matrix): void {
    const p = this.predictions;
    const r = range([...y.values, ...(p ?? [])]);
    const s = scale(r[0], r[1], PAD.left, W - PAD.right);
    const sy = scale(r[0], r[1], H - PAD.bottom, PAD.top);
    this.axes("target y", "prediction", r, r);
    this.root.append(
      svg("line", { x1: s(r[0]), y1: sy(r[0]), x2: s(r[1]), y2: sy(r[1]), class: "diagonal" }),
    );
    if (!p) return;
    const dots = svg("g", { class: "points pred" });
    for (let i = 0; i < y.rows; i++) {
      dots.append(svg("circle", { cx: s(y.values[i] as number), cy: sy(p[i] as number), r: 3 }));
    }
    this.root.append(dots);
  }
}

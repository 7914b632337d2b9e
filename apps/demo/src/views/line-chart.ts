// One quantity as a line against a numeric x axis (epochs), hand-written SVG. Without a fixed range
// the y axis starts at 0 and turns logarithmic once the values span more than a decade, so the slow
// tail of a fit stays visible next to the steep start.
import { fmt, scale, svg } from "./svg.js";

const W = 480;
const H = 240;
const PAD = { left: 56, right: 12, top: 12, bottom: 32 };

export interface LineChartOptions {
  xLabel: string;
  /** A fixed y range (accuracy: [0, 1]); without one the range follows the data. */
  yRange?: readonly [number, number];
  /** Formats the y ticks (default: compact numbers). */
  yFormat?: (v: number) => string;
}

export class LineChart {
  /** The points by index, so a repeated report of the same point replaces it. */
  private points: ([number, number] | undefined)[] = [];
  private xMin = 0;
  private xMax = 1;
  private readonly root: SVGSVGElement;

  constructor(
    host: HTMLElement,
    private readonly options: LineChartOptions,
  ) {
    this.root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", "aria-hidden": "true" });
    host.append(this.root);
  }

  /** Forgets the points; the x axis now spans [xMin, xMax]. */
  reset(xMin: number, xMax: number): void {
    this.points = [];
    this.xMin = xMin;
    this.xMax = Math.max(xMax, xMin + 1);
    this.draw();
  }

  /** Sets point `index` (0-based, in x order). */
  set(index: number, x: number, y: number): void {
    this.points[index] = [x, y];
  }

  draw(): void {
    const fixed = this.options.yRange;
    const format = this.options.yFormat ?? fmt;
    const shown = this.points.filter(
      (p): p is [number, number] =>
        p !== undefined && Number.isFinite(p[1]) && (fixed !== undefined || p[1] > 0),
    );
    this.root.replaceChildren();
    const x = scale(this.xMin, this.xMax, PAD.left, W - PAD.right);
    const ys = shown.map((p) => p[1]);
    const lo = fixed ? fixed[0] : Math.min(...ys);
    const hi = fixed ? fixed[1] : Math.max(...ys);
    const log = !fixed && shown.length > 1 && hi / lo > 10;
    const tf = log ? Math.log10 : (v: number) => v;
    const yBottom = fixed || log ? lo : 0;
    const y = shown.length || fixed ? scale(tf(yBottom), tf(hi), H - PAD.bottom, PAD.top) : () => H / 2;

    this.root.append(
      svg("line", { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: "axis" }),
      svg("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: "axis" }),
      svg("text", { x: W / 2, y: H - 6, class: "axis-label", "text-anchor": "middle" }, this.options.xLabel),
      svg(
        "text",
        { x: PAD.left, y: H - PAD.bottom + 14, class: "tick", "text-anchor": "middle" },
        fmt(this.xMin),
      ),
      svg(
        "text",
        { x: W - PAD.right, y: H - PAD.bottom + 14, class: "tick", "text-anchor": "end" },
        fmt(this.xMax),
      ),
    );
    if (!shown.length && !fixed) return;
    this.root.append(
      svg("text", { x: PAD.left - 6, y: PAD.top + 4, class: "tick", "text-anchor": "end" }, format(hi)),
      svg(
        "text",
        { x: PAD.left - 6, y: H - PAD.bottom, class: "tick", "text-anchor": "end" },
        format(yBottom),
      ),
    );
    if (log) this.root.append(svg("text", { x: PAD.left + 6, y: PAD.top + 10, class: "tick" }, "log scale"));
    if (!shown.length) return;
    const points = shown.map(([px, py]) => `${x(px).toFixed(1)},${y(tf(py)).toFixed(1)}`);
    this.root.append(svg("polyline", { points: points.join(" "), class: "loss-line" }));
  }
}

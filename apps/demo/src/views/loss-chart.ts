// The loss per epoch as a line. The y axis turns logarithmic once the loss spans more than a decade,
// so the slow tail of a fit stays visible next to the steep start.
import { fmt, scale, svg } from "./svg.js";

const W = 480;
const H = 240;
const PAD = { left: 56, right: 12, top: 12, bottom: 32 };

export class LossChart {
  private losses: number[] = [];
  private totalEpochs = 1;
  private readonly root: SVGSVGElement;

  constructor(host: HTMLElement) {
    this.root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", "aria-hidden": "true" });
    host.append(this.root);
  }

  reset(totalEpochs: number): void {
    this.losses = [];
    this.totalEpochs = Math.max(1, totalEpochs);
    this.draw();
  }

  /** Adds the losses of epochs `from`, `from + 1`, ... (1-based). */
  add(from: number, values: readonly number[]): void {
    values.forEach((v, i) => {
      this.losses[from - 1 + i] = v;
    });
  }

  draw(): void {
    const finite = this.losses.filter((v) => Number.isFinite(v) && v > 0);
    this.root.replaceChildren();
    const x = scale(1, Math.max(2, this.totalEpochs), PAD.left, W - PAD.right);
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    const log = finite.length > 1 && hi / lo > 10;
    const tf = log ? Math.log10 : (v: number) => v;
    const y = finite.length ? scale(tf(log ? lo : 0), tf(hi), H - PAD.bottom, PAD.top) : () => H / 2;

    this.root.append(
      svg("line", { x1: PAD.left, y1: H - PAD.bottom, x2: W - PAD.right, y2: H - PAD.bottom, class: "axis" }),
      svg("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: H - PAD.bottom, class: "axis" }),
      svg("text", { x: W / 2, y: H - 6, class: "axis-label", "text-anchor": "middle" }, "epoch"),
      svg("text", { x: PAD.left, y: H - PAD.bottom + 14, class: "tick", "text-anchor": "middle" }, "1"),
      svg(
        "text",
        { x: W - PAD.right, y: H - PAD.bottom + 14, class: "tick", "text-anchor": "end" },
        String(this.totalEpochs),
      ),
    );
    if (!finite.length) return;
    const yTop = hi;
    const yBottom = log ? lo : 0;
    this.root.append(
      svg("text", { x: PAD.left - 6, y: PAD.top + 4, class: "tick", "text-anchor": "end" }, fmt(yTop)),
      svg("text", { x: PAD.left - 6, y: H - PAD.bottom, class: "tick", "text-anchor": "end" }, fmt(yBottom)),
    );
    if (log) {
      this.root.append(svg("text", { x: PAD.left + 6, y: PAD.top + 10, class: "tick" }, "log scale"));
    }
    const points: string[] = [];
    this.losses.forEach((v, i) => {
      if (Number.isFinite(v) && v > 0) points.push(`${x(i + 1).toFixed(1)},${y(tf(v)).toFixed(1)}`);
    });
    this.root.append(svg("polyline", { points: points.join(" "), class: "loss-line" }));
  }
}

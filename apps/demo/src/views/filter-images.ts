// The first layer's weights as small images, one per hidden unit or kernel, blue negative and red
// positive, all on one scale (the largest magnitude) so strong and weak units can be compared.
import type { FilterImages } from "../digits/protocol.js";
import { diverging } from "./heatmaps.js";

export class FilterView {
  private canvases: HTMLCanvasElement[] = [];
  private shape = "";

  constructor(private readonly host: HTMLElement) {}

  draw(filters: FilterImages): void {
    const { count, height, width, values } = filters;
    const shape = `${count}x${height}x${width}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.canvases = Array.from({ length: count }, () => {
        const canvas = document.createElement("canvas");
        canvas.width = width;
        canvas.height = height;
        canvas.setAttribute("aria-hidden", "true");
        return canvas;
      });
      this.host.replaceChildren(...this.canvases);
    }
    let maxAbs = 0;
    for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
    this.canvases.forEach((canvas, f) => {
      const ctx = canvas.getContext("2d");
      if (!ctx) return;
      const image = ctx.createImageData(width, height);
      for (let i = 0; i < width * height; i++) {
        const v = values[f * width * height + i] as number;
        image.data.set([...diverging(maxAbs ? v / maxAbs : 0), 255], i * 4);
      }
      ctx.putImageData(image, 0, 0);
    });
  }
}

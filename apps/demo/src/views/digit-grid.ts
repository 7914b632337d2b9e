// Test digits with the model's prediction under each; a mistake is marked and names the true label.
import type { Samples } from "../digits/protocol.js";
import { digitCanvas, paintDigit } from "./digit-image.js";

export class DigitGrid {
  private labels: HTMLElement[] = [];
  private samples: Samples | null = null;

  constructor(private readonly host: HTMLElement) {}

  setSamples(samples: Samples): void {
    this.samples = samples;
    this.host.replaceChildren();
    this.labels = [];
    for (let i = 0; i < samples.count; i++) {
      const cell = document.createElement("figure");
      cell.className = "digit";
      const canvas = digitCanvas();
      paintDigit(canvas, samples.pixels, i * 784);
      const label = document.createElement("figcaption");
      label.textContent = "?";
      cell.append(canvas, label);
      this.host.append(cell);
      this.labels.push(label);
    }
  }

  /** Shows the predictions (of the whole test split; the grid reads its digits' entries). */
  setPredictions(predictions: Int32Array): void {
    const s = this.samples;
    if (!s) return;
    this.labels.forEach((label, i) => {
      const predicted = predictions[s.indices[i] as number] as number;
      const truth = s.labels[i] as number;
      const wrong = predicted !== truth;
      label.textContent = wrong ? `${predicted} (${truth})` : String(predicted);
      label.parentElement?.classList.toggle("wrong", wrong);
      label.parentElement?.setAttribute("title", `true ${truth}, predicted ${predicted}`);
    });
  }
}

// The ten class probabilities of the drawing as bars, the most likely class marked.

export class ProbabilityBars {
  private readonly rows: { bar: HTMLElement; value: HTMLElement; item: HTMLElement }[] = [];

  constructor(host: HTMLElement) {
    for (let c = 0; c < 10; c++) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.className = "class";
      label.textContent = String(c);
      const track = document.createElement("span");
      track.className = "track";
      const bar = document.createElement("span");
      bar.className = "bar";
      track.append(bar);
      const value = document.createElement("span");
      value.className = "value";
      value.dataset.testid = `probability-${c}`;
      item.append(label, track, value);
      host.append(item);
      this.rows.push({ bar, value, item });
    }
    this.draw(null);
  }

  /** Shows the probabilities, or clears the bars (null: nothing drawn). */
  draw(probabilities: Float32Array | null): void {
    const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    this.rows.forEach(({ bar, value, item }, c) => {
      const p = probabilities?.[c] ?? 0;
      bar.style.width = `${(100 * p).toFixed(1)}%`;
      value.textContent = probabilities ? p.toFixed(3) : "–";
      // The exact value, for tests and tools reading the page.
      if (probabilities) item.dataset.probability = String(p);
      else delete item.dataset.probability;
      item.classList.toggle("best", c === best);
    });
  }
}

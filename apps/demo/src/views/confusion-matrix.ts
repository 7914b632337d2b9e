// The confusion matrix as a table: each cell's count, shaded by the share of its row (its true class),
// the diagonal (correct) in green and the mistakes in red.

const CLASSES = 10;

export class ConfusionMatrix {
  private readonly cells: HTMLTableCellElement[] = [];

  constructor(host: HTMLElement) {
    const table = document.createElement("table");
    table.className = "confusion";
    const head = table.createTHead().insertRow();
    head.append(document.createElement("th"));
    for (let p = 0; p < CLASSES; p++) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = String(p);
      head.append(th);
    }
    const body = table.createTBody();
    for (let t = 0; t < CLASSES; t++) {
      const row = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = String(t);
      row.append(th);
      for (let p = 0; p < CLASSES; p++) this.cells.push(row.insertCell());
    }
    host.append(table);
  }

  draw(confusion: Int32Array): void {
    for (let t = 0; t < CLASSES; t++) {
      let total = 0;
      for (let p = 0; p < CLASSES; p++) total += confusion[t * CLASSES + p] as number;
      for (let p = 0; p < CLASSES; p++) {
        const count = confusion[t * CLASSES + p] as number;
        const cell = this.cells[t * CLASSES + p] as HTMLTableCellElement;
        const share = total ? count / total : 0;
        const hue = t === p ? "22, 163, 74" : "220, 38, 38";
        cell.textContent = String(count);
        cell.style.background = count ? `rgba(${hue}, ${(0.1 + 0.9 * Math.sqrt(share)).toFixed(3)})` : "";
        cell.style.color = share > 0.5 ? "#fff" : "";
      }
    }
  }
}

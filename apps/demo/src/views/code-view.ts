// The training code with the lines of the step being run highlighted.
import { type CodeLine, PHASE_LABELS } from "../code-listing.js";
import type { Phase } from "../protocol.js";

export class CodeView {
  private lines: { el: HTMLElement; phase: Phase | null }[] = [];
  private current: Phase | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly caption: HTMLElement,
  ) {}

  setCode(code: readonly CodeLine[]): void {
    this.host.replaceChildren();
    this.lines = code.map((line) => {
      const el = document.createElement("span");
      el.className = "line";
      el.textContent = `${line.text}\n`;
      if (line.phase) el.dataset.phase = line.phase;
      this.host.append(el);
      return { el, phase: line.phase };
    });
    const phase = this.current;
    this.current = null;
    if (phase) this.highlight(phase);
  }

  highlight(phase: Phase): void {
    if (phase === this.current) return;
    this.current = phase;
    for (const { el, phase: p } of this.lines) el.classList.toggle("active", p === phase);
    this.caption.textContent = `now: ${PHASE_LABELS[phase]}`;
  }
}

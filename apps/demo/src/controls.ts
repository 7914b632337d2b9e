// DOM helpers both pages' controls share.

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo: element #${id} is missing from the page`);
  return el as T;
}

/** A number in [min, max] from an input (whole if `integer`), or the fallback (and the input marked invalid). */
export function readNumber(input: HTMLInputElement, fallback: number, integer: boolean): number {
  const v = Number(input.value);
  const min = Number(input.min || Number.NEGATIVE_INFINITY);
  const max = Number(input.max || Number.POSITIVE_INFINITY);
  const ok =
    input.value.trim() !== "" &&
    Number.isFinite(v) &&
    v >= min &&
    v <= max &&
    (!integer || Number.isInteger(v));
  input.setAttribute("aria-invalid", String(!ok));
  return ok ? v : fallback;
}

/**
 * Marks a button unavailable with aria-disabled rather than `disabled`: a disabled button drops
 * keyboard focus, and Train/Pause switch availability on every press.
 */
export function setAvailable(button: HTMLButtonElement, available: boolean): void {
  button.setAttribute("aria-disabled", String(!available));
}

export function available(button: HTMLButtonElement): boolean {
  return button.getAttribute("aria-disabled") !== "true";
}

/**
 * Runs `draw` at most once per animation frame however often it is requested (a worker may report
 * faster than the screen refreshes); `flush` draws what is pending at once.
 */
export class FrameScheduler {
  private frame = 0;

  constructor(private readonly draw: () => void) {}

  request(): void {
    if (!this.frame)
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
  }

  flush(): void {
    if (!this.frame) return;
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  }
}

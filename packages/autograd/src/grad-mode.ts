let enabled = true;

/**
 * Whether operations are being recorded for backward right now.
 *
 * @example
 * torch.isGradEnabled(); // true
 * torch.noGrad(() => torch.isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Turns recording on or off globally; prefer `noGrad`/`enableGrad`, which restore the old mode.
 *
 * @example
 * torch.setGradEnabled(false);
 * torch.tensor([1], { requiresGrad: true }).mul(2).requiresGrad; // false
 * torch.setGradEnabled(true);
 */
export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/**
 * Runs `fn` without recording operations for autograd and returns its result (PyTorch's
 * `with torch.no_grad():`). Used for the hand-written SGD update. `fn` must be synchronous.
 *
 * @example
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * w.mul(w).sum().backward();
 * torch.noGrad(() => w.sub_(w.grad!.mul(0.1)));
 * w; // [0.8, 1.6]
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/**
 * Runs `fn` with recording switched on, even inside `noGrad` (PyTorch's `torch.enable_grad`).
 *
 * @example
 * torch.noGrad(() => torch.enableGrad(() => torch.isGradEnabled())); // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

import { TorchletError } from "@torchlet/storage";

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

function withGradMode<T>(name: string, mode: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = mode;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = previous;
  }
  // The mode is global and restored when fn returns: an async fn's awaited part would run in the
  // caller's mode, silently recording (or not) what the caller meant to exclude (or include).
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    throw new TorchletError(
      `${name}: fn returned a Promise, but grad mode is restored when fn returns, before the Promise settles, so its awaited part would not run in ${name}; pass a synchronous function (call ${name} inside the async code instead)`,
    );
  }
  return result;
}

/**
 * Runs `fn` without recording operations for autograd and returns its result (PyTorch's
 * `with torch.no_grad():`). Used for the hand-written SGD update. `fn` must be synchronous: a
 * function returning a Promise is a TorchletError.
 *
 * @example
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * w.mul(w).sum().backward();
 * torch.noGrad(() => w.sub_(w.grad!.mul(0.1)));
 * w; // [0.8, 1.6]
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode("noGrad", false, fn);
}

/**
 * Runs `fn` with recording switched on, even inside `noGrad` (PyTorch's `torch.enable_grad`).
 *
 * @example
 * torch.noGrad(() => torch.enableGrad(() => torch.isGradEnabled())); // true
 */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode("enableGrad", true, fn);
}

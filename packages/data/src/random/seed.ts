import { TorchletError } from "@torchlet/storage";

const MIN_SEED = -(2n ** 63n);
const SEED_LIMIT = 2n ** 64n;

/**
 * Rejects what `torch.manual_seed` rejects: seeds outside [-2^63, 2^64) ("Overflow when unpacking
 * long") and non-integers. A number seed must also be a safe integer, since beyond 2^53 the number no
 * longer says which integer was meant (pass a bigint there).
 */
export function checkSeed(op: string, seed: unknown): asserts seed is number | bigint {
  if (typeof seed === "number") {
    if (Number.isSafeInteger(seed)) return;
    const hint = Number.isInteger(seed) ? " (pass a bigint for seeds beyond 2^53)" : "";
    throw new TorchletError(`${op}: the seed must be an integer, got ${seed}${hint}`);
  }
  if (typeof seed === "bigint") {
    if (seed >= MIN_SEED && seed < SEED_LIMIT) return;
    throw new TorchletError(`${op}: the seed must lie in [-2^63, 2^64), got ${seed}`);
  }
  throw new TorchletError(`${op}: the seed must be an integer (number or bigint), got ${String(seed)}`);
}

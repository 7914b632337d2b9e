import { TorchletError } from "@torchlet/storage";

/**
 * The Mersenne Twister exactly as PyTorch's `at::mt19937` (ATen/core/MT19937RNGEngine.h).
 *
 * It is the textbook MT19937 with two PyTorch details that matter for bit-compatibility:
 * - the engine keeps the full 64-bit seed (reported by `initial_seed()`), but only its low 32 bits
 *   seed the state (`init_with_uint32`);
 * - after seeding, `left = 1, next = 0`, so the first draw regenerates the whole state block.
 */

/** Number of 32-bit words of state (`MERSENNE_STATE_N`). */
export const MT_STATE_N = 624;
const MT_STATE_M = 397;
const MATRIX_A = 0x9908b0df;
const UMASK = 0x80000000;
const LMASK = 0x7fffffff;

/** PyTorch's `default_rng_seed_val`: the seed of a generator constructed without one. */
export const DEFAULT_SEED = 67280421310721n;

const UINT64_MASK = (1n << 64n) - 1n;

/**
 * Maps a seed to the unsigned 64-bit value PyTorch stores, as `torch.manual_seed` does:
 * values in [0, 2^64) are kept, values in [-2^63, 0) are reinterpreted as two's complement
 * (so -1 becomes 2^64 - 1).
 *
 * Precondition: `seed` is an integer in [-2^63, 2^64) (PyTorch raises "Overflow when unpacking long"
 * outside it); a `number` seed must be a safe integer to mean what it says.
 */
export function toUint64Seed(seed: number | bigint): bigint {
  const big = typeof seed === "bigint" ? seed : BigInt(seed);
  return big & UINT64_MASK;
}

/** The raw state of an engine, in the fields of PyTorch's `mt19937_data_pod`. */
export interface MT19937Data {
  /** The 64-bit seed the engine was seeded with. */
  seed: bigint;
  /** Draws left before the state block is regenerated (1..624). */
  left: number;
  /** Whether the engine was seeded (always true for engines made here). */
  seeded: boolean;
  /** Index of the next state word to temper (0..624). */
  next: number;
  /** The 624 state words. */
  state: Uint32Array;
}

export class MT19937 {
  private readonly state = new Uint32Array(MT_STATE_N);
  private left = 1;
  private next = 0;
  private seedValue = 0n;
  private seeded = false;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.seed(seed);
  }

  /** Re-seeds in place, like `engine_ = mt19937(seed)`. */
  seed(seed: number | bigint): void {
    const seed64 = toUint64Seed(seed);
    const state = this.state;
    this.seedValue = seed64;
    this.seeded = true;
    state[0] = Number(seed64 & 0xffffffffn);
    let prev = state[0] ?? 0;
    for (let j = 1; j < MT_STATE_N; j++) {
      // 1812433253 * x overflows 2^53, so multiply modulo 2^32 with Math.imul.
      prev = (Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + j) >>> 0;
      state[j] = prev;
    }
    this.left = 1;
    this.next = 0;
  }

  /** The 64-bit seed this engine was last seeded with (`engine_.seed()`). */
  initialSeed(): bigint {
    return this.seedValue;
  }

  /** The next tempered 32-bit output, as an unsigned integer in [0, 2^32). */
  nextUint32(): number {
    if (--this.left === 0) this.regenerate();
    let y = this.state[this.next++] ?? 0;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A copy of the engine's raw state. */
  data(): MT19937Data {
    return {
      seed: this.seedValue,
      left: this.left,
      seeded: this.seeded,
      next: this.next,
      state: this.state.slice(),
    };
  }

  /**
   * Replaces the raw state (PyTorch's `set_data`), after the checks of `mt19937::is_valid()`.
   * Throws a TorchletError for a state PyTorch would reject as "Invalid mt19937 state".
   */
  setData(data: MT19937Data): void {
    if (!isValidData(data)) throw new TorchletError("Generator.setState: invalid mt19937 state");
    this.seedValue = data.seed & UINT64_MASK;
    this.left = data.left;
    this.seeded = data.seeded;
    this.next = data.next;
    this.state.set(data.state);
  }

  /** Copies another engine's state into this one. */
  copyFrom(other: MT19937): void {
    this.state.set(other.state);
    this.left = other.left;
    this.next = other.next;
    this.seedValue = other.seedValue;
    this.seeded = other.seeded;
  }

  // Regenerates all 624 words at once (PyTorch's `next_state`).
  private regenerate(): void {
    const s = this.state;
    this.left = MT_STATE_N;
    this.next = 0;
    let k = 0;
    for (; k < MT_STATE_N - MT_STATE_M; k++) {
      s[k] = ((s[k + MT_STATE_M] ?? 0) ^ twist(s[k] ?? 0, s[k + 1] ?? 0)) >>> 0;
    }
    for (; k < MT_STATE_N - 1; k++) {
      s[k] = ((s[k + MT_STATE_M - MT_STATE_N] ?? 0) ^ twist(s[k] ?? 0, s[k + 1] ?? 0)) >>> 0;
    }
    s[k] = ((s[k + MT_STATE_M - MT_STATE_N] ?? 0) ^ twist(s[k] ?? 0, s[0] ?? 0)) >>> 0;
  }
}

function twist(u: number, v: number): number {
  const mixed = ((u & UMASK) | (v & LMASK)) >>> 0;
  return (mixed >>> 1) ^ (v & 1 ? MATRIX_A : 0);
}

function isValidData(data: MT19937Data): boolean {
  return (
    data.seeded &&
    Number.isInteger(data.left) &&
    data.left > 0 &&
    data.left <= MT_STATE_N &&
    Number.isInteger(data.next) &&
    data.next >= 0 &&
    data.next <= MT_STATE_N &&
    data.state.length === MT_STATE_N
  );
}

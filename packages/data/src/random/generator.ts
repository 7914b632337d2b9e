import { TorchletError } from "@torchlet/storage";
import { DEFAULT_SEED, MT_STATE_N, MT19937 } from "./mt19937.js";
import { checkSeed } from "./seed.js";

/**
 * Byte size of the state `torch.get_rng_state()` returns for a CPU generator
 * (`sizeof(CPUGeneratorImplState)` on x86-64).
 */
export const RNG_STATE_BYTES = 5056;
/** Byte size of the pre-1.5 state (`CPUGeneratorImplStateLegacy`), still accepted by `setState`. */
export const LEGACY_RNG_STATE_BYTES = 5048;

// Field offsets of CPUGeneratorImplState (little-endian, natural alignment).
const OFF_SEED = 0;
const OFF_LEFT = 8;
const OFF_SEEDED = 12;
const OFF_NEXT = 16;
const OFF_STATE = 24;
const OFF_NORMAL_X = OFF_STATE + 8 * MT_STATE_N;
const OFF_NORMAL_Y = OFF_NORMAL_X + 8;
const OFF_NORMAL_RHO = OFF_NORMAL_Y + 8;
const OFF_NORMAL_IS_VALID = OFF_NORMAL_RHO + 8;
const OFF_FLOAT_SAMPLE = LEGACY_RNG_STATE_BYTES;
const OFF_FLOAT_IS_VALID = OFF_FLOAT_SAMPLE + 4;

/**
 * PyTorch's `CPUGeneratorImpl`: an mt19937 engine plus the cached second Box-Muller sample that
 * `at::normal_distribution<double>` leaves behind. Instances are independent of each other.
 *
 * @example
 * const g = new torch.Generator().manualSeed(1); // torch.Generator().manual_seed(1)
 * torch.rand([3], { generator: g }).tolist(); // [0.7576, 0.2793, 0.4031]
 * g.initialSeed(); // 1n
 */
export class Generator {
  private readonly engine: MT19937;
  /** `next_double_normal_sample_`: the cached `r * sin(theta)`, or null when none is cached. */
  nextDoubleNormalSample: number | null = null;
  /**
   * `next_float_normal_sample_`: never produced by PyTorch 1.13's CPU kernels, but kept so that a
   * state read with `getState` writes back unchanged.
   */
  nextFloatNormalSample: number | null = null;

  /** A generator seeded like `torch.Generator()` (default seed 67280421310721) unless told otherwise. */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    checkSeed("Generator", seed);
    this.engine = new MT19937(seed);
  }

  /**
   * Re-seeds like `torch.manual_seed(seed)` / `Generator.manual_seed(seed)`: negative seeds are taken as
   * two's complement 64-bit values, only the low 32 bits reach the state, and the cached normal
   * samples are dropped. Returns this generator.
   *
   * Throws a TorchletError, leaving the generator as it was, for a seed outside [-2^63, 2^64), a
   * non-integer, or a number beyond 2^53 (pass a bigint there).
   */
  manualSeed(seed: number | bigint): this {
    checkSeed("Generator.manualSeed", seed);
    this.nextFloatNormalSample = null;
    this.nextDoubleNormalSample = null;
    this.engine.seed(seed);
    return this;
  }

  /** The unsigned 64-bit seed last set (`initial_seed()`), e.g. 2^64 - 1 after `manualSeed(-1)`. */
  initialSeed(): bigint {
    return this.engine.initialSeed();
  }

  /** One 32-bit draw, an integer in [0, 2^32) (`random()`). */
  random(): number {
    return this.engine.nextUint32();
  }

  /** Two 32-bit draws as one 64-bit value: the first draw is the high word (`random64()`). */
  random64(): bigint {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * The low 53 bits of `random64()` as an exact number: what `uniform_real_distribution<double>`
   * keeps, without allocating a bigint.
   */
  random53(): number {
    const hi = this.engine.nextUint32() & 0x1fffff;
    const lo = this.engine.nextUint32();
    return hi * 4294967296 + lo;
  }

  /** An independent generator in the same state, cache included (`CPUGeneratorImpl::clone`). */
  clone(): Generator {
    const copy = new Generator();
    copy.engine.copyFrom(this.engine);
    copy.nextDoubleNormalSample = this.nextDoubleNormalSample;
    copy.nextFloatNormalSample = this.nextFloatNormalSample;
    return copy;
  }

  /** The state as the 5056 bytes `torch.get_rng_state()` returns on x86-64. */
  getState(): Uint8Array {
    const bytes = new Uint8Array(RNG_STATE_BYTES);
    const view = new DataView(bytes.buffer);
    const data = this.engine.data();
    view.setBigUint64(OFF_SEED, data.seed, true);
    view.setInt32(OFF_LEFT, data.left, true);
    view.setInt32(OFF_SEEDED, data.seeded ? 1 : 0, true);
    view.setBigUint64(OFF_NEXT, BigInt(data.next), true);
    for (let i = 0; i < MT_STATE_N; i++) {
      view.setUint32(OFF_STATE + 8 * i, data.state[i] ?? 0, true);
    }
    if (this.nextDoubleNormalSample !== null) {
      view.setInt32(OFF_NORMAL_IS_VALID, 1, true);
      view.setFloat64(OFF_NORMAL_Y, this.nextDoubleNormalSample, true);
    }
    if (this.nextFloatNormalSample !== null) {
      view.setFloat32(OFF_FLOAT_SAMPLE, this.nextFloatNormalSample, true);
      view.setUint8(OFF_FLOAT_IS_VALID, 1);
    }
    return bytes;
  }

  /**
   * Restores a state from `getState()` or `torch.get_rng_state()` (5056 bytes), or from a legacy
   * 5048-byte state, where the cached normal is rebuilt as `normal_rho * sin(2 pi normal_x)` as PyTorch
   * does. Throws a TorchletError for a wrong size or an invalid engine state (PyTorch's
   * "Invalid mt19937 state"), leaving the generator as it was. Returns this generator.
   */
  setState(bytes: Uint8Array): this {
    const legacy = bytes.length === LEGACY_RNG_STATE_BYTES;
    if (!legacy && bytes.length !== RNG_STATE_BYTES) {
      throw new TorchletError(
        `Generator.setState: expected ${RNG_STATE_BYTES} (or legacy ${LEGACY_RNG_STATE_BYTES}) bytes, got ${bytes.length}`,
      );
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const state = new Uint32Array(MT_STATE_N);
    // The legacy layout stores each 32-bit word in 64 bits; the copy keeps the low half.
    for (let i = 0; i < MT_STATE_N; i++) state[i] = view.getUint32(OFF_STATE + 8 * i, true);
    this.engine.setData({
      seed: view.getBigUint64(OFF_SEED, true),
      left: view.getInt32(OFF_LEFT, true),
      seeded: view.getInt32(OFF_SEEDED, true) !== 0,
      next: view.getUint32(OFF_NEXT, true),
      state,
    });
    const normalValid = view.getInt32(OFF_NORMAL_IS_VALID, true) !== 0;
    if (legacy) {
      this.nextFloatNormalSample = null;
      this.nextDoubleNormalSample = normalValid
        ? view.getFloat64(OFF_NORMAL_RHO, true) * Math.sin(2 * Math.PI * view.getFloat64(OFF_NORMAL_X, true))
        : null;
    } else {
      this.nextFloatNormalSample =
        view.getUint8(OFF_FLOAT_IS_VALID) !== 0 ? view.getFloat32(OFF_FLOAT_SAMPLE, true) : null;
      this.nextDoubleNormalSample = normalValid ? view.getFloat64(OFF_NORMAL_Y, true) : null;
    }
    return this;
  }
}

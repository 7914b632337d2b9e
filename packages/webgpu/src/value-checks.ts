import { fmtShape, type StridedArray, TorchletError } from "@torchlet/storage";
import { onGpu, storageOf } from "./arrays.js";
import { GpuStorage } from "./buffers.js";
import { USAGE } from "./gpu-flags.js";
import { INVOCATION, WORKGROUP } from "./invocation.js";
import type { Queue } from "./queue.js";

/** Checks one flag buffer holds; when they are used up, the buffer is read and a new one begun. */
const SLOTS = 1024;
/** Words per check: the first offending element's position (encoded, see `SHADER`) and its value. */
const WORDS = 2;

/** The error of a check that failed, from the first offending value. */
type Check = (value: number) => string;

// One invocation per element (row-major over the array's shape): a value outside [low, high) (an
// index out of range), or a zero (an integer divisor), sets its check's flag. Of several, the first in row-major order wins (the largest
// 0xffffffff - position), so the error names the index the CPU names; the invocation holding the
// winning position writes its value in a second pass, since one atomic cannot set two words.
// Parameter words: count, dims, offset, high, slot, pass, low, whether the range is the bad one, then the
// shape (8) and strides (16).
const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> values: array<i32>;

${INVOCATION}
  var rest = i;
  var p = params[2];
  for (var k = i32(params[1]) - 1; k >= 0; k--) {
    let size = params[8u + u32(k)];
    p += (rest % size) * params[16u + u32(k)];
    rest = rest / size;
  }
  let v = values[p];
  if ((v >= i32(params[6]) && v < i32(params[3])) == (params[7] == 0u)) { return; }
  let at = params[4] * ${WORDS}u;
  if (params[5] == 0u) {
    atomicMax(&flags[at], 0xffffffffu - i);
  } else if (atomicLoad(&flags[at]) == 0xffffffffu - i) {
    atomicStore(&flags[at + 1u], bitcast<u32>(v));
  }
}
`;

/**
 * The value-dependent errors of the GPU kernels: an index out of range (gather, scatter, indexSelect),
 * an integer division by zero (remainder). A GPU kernel cannot raise, and the values are not known
 * when the op is called, so each call takes a slot of a small flag buffer that a checking kernel sets
 * when a value is out of range; the next read (of any tensor) reads the flags first and raises a
 * TorchletError naming the op and the value, as the CPU would have raised at the call (the semantics
 * of the ops that run through the CPU, fallback.ts).
 * Flags are read once per read, and only when some kernel checked since the last one.
 */
export class ValueChecks {
  private buffer: GPUBuffer | null = null;
  private checks: Check[] = [];

  constructor(private readonly q: Queue) {}

  /** Checks that every value of `index` (an int32/int64 array on the GPU) lies in [0, size). */
  index(op: string, index: StridedArray, dim: number, size: number): void {
    this.check(
      index,
      0,
      size,
      (value) => `${op}: index ${value} is out of bounds for dimension ${dim} with size ${size}`,
    );
  }

  /** Checks that the integer divisor `b` (on the GPU, or a number) holds no zero, as PyTorch does for `a` by `b`. */
  divisor(op: string, a: StridedArray, b: StridedArray): void {
    // the bad range is [0, 1): the zeros
    const message = () =>
      `${op}: ZeroDivisionError: integer division by zero (${a.dtype} ${fmtShape(a.shape)} by ${b.dtype} ${fmtShape(b.shape)} holding 0)`;
    if (onGpu(b)) this.check(b, 0, 1, message, true);
    else if (b.data[b.offset] === 0) throw new TorchletError(message()); // a number: raised at once
  }

  /** Flags the first value of `a` (an i32 array) outside [low, high), or inside it when `inside`. */
  private check(a: StridedArray, low: number, high: number, message: Check, inside = false): void {
    if (a.numel === 0) return;
    if (this.checks.length === SLOTS) this.flush();
    // a new buffer is zero-filled: no flag set
    this.buffer ??= this.q.device.createBuffer({
      size: SLOTS * WORDS * 4,
      usage: USAGE.STORAGE | USAGE.COPY_SRC,
    });
    const params = new Array<number>(24).fill(0);
    params[0] = a.numel;
    params[1] = a.ndim;
    params[2] = a.offset;
    params[3] = high;
    params[4] = this.checks.length;
    params[6] = low;
    params[7] = inside ? 1 : 0;
    a.shape.forEach((s, d) => {
      params[8 + d] = s;
      params[16 + d] = a.strides[d] as number;
    });
    const buffers = [this.buffer, storageOf(a).buffer];
    const workgroups = Math.ceil(a.numel / WORKGROUP);
    this.q.dispatch(SHADER, params, buffers, workgroups);
    params[5] = 1;
    this.q.dispatch(SHADER, params, buffers, workgroups);
    this.checks.push(message);
  }

  /**
   * Reads the flags once every kernel encoded so far has run (a deferred task, in order with the
   * commands): the first check that failed becomes the error the queue's next read raises.
   */
  flush(): void {
    const buffer = this.buffer;
    const checks = this.checks;
    if (buffer === null) return;
    this.buffer = null;
    this.checks = [];
    const bytes = checks.length * WORDS * 4;
    this.q.defer(async () => {
      const words = new Uint32Array(await this.q.readNow(new GpuStorage(buffer, bytes), bytes));
      buffer.destroy();
      const failed = checks.findIndex((_, i) => words[i * WORDS] !== 0);
      const check = checks[failed];
      if (check !== undefined) {
        const value = new Int32Array(words.buffer)[failed * WORDS + 1] as number;
        throw new TorchletError(
          `${check(value)} (raised at this read: webgpu checks the values on the device)`,
        );
      }
    });
  }
}

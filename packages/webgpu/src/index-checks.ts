import { type StridedArray, TorchletError } from "@torchlet/storage";
import { storageOf } from "./arrays.js";
import { GpuStorage } from "./buffers.js";
import { USAGE } from "./gpu-flags.js";
import type { Queue } from "./queue.js";

/** Checks one flag buffer holds; when they are used up, the buffer is read and a new one begun. */
const SLOTS = 1024;
/** Words per check: the first offending element's position (encoded, see `SHADER`) and its value. */
const WORDS = 2;
const WORKGROUP = 256;

/** What a check reports when its kernel found an index out of range. */
interface Check {
  op: string;
  dim: number;
  size: number;
}

// One invocation per index element (row-major over the index's shape): an index out of [0, size)
// sets its check's flag. Of several, the first in row-major order wins (the largest
// 0xffffffff - position), so the error names the index the CPU names; the invocation holding the
// winning position writes its value in a second pass, since one atomic cannot set two words.
// Parameter words: count, dims, offset, size, slot, pass, then the index's shape (8) and strides (16).
const SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> params: array<u32>;
@group(0) @binding(1) var<storage, read_write> flags: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> index: array<i32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.x + wg.y * nw.x) * ${WORKGROUP}u + li;
  if (i >= params[0]) { return; }
  var rest = i;
  var p = params[2];
  for (var k = i32(params[1]) - 1; k >= 0; k--) {
    let size = params[8u + u32(k)];
    p += (rest % size) * params[16u + u32(k)];
    rest = rest / size;
  }
  let v = index[p];
  if (v >= 0 && v < i32(params[3])) { return; }
  let at = params[4] * ${WORDS}u;
  if (params[5] == 0u) {
    atomicMax(&flags[at], 0xffffffffu - i);
  } else if (atomicLoad(&flags[at]) == 0xffffffffu - i) {
    atomicStore(&flags[at + 1u], bitcast<u32>(v));
  }
}
`;

/**
 * The value-dependent errors of the index kernels (gather, scatter, indexSelect). A GPU kernel cannot
 * raise, and the values are not known when the op is called, so each call takes a slot of a small
 * flag buffer that a checking kernel sets when an index is out of range; the next read (of any tensor)
 * reads the flags first and raises a TorchletError naming the op, the index and the dim, as the CPU
 * would have raised at the call (the same semantics as the ops that run through the CPU, fallback.ts).
 * Flags are read once per read, and only when some kernel checked since the last one.
 */
export class IndexChecks {
  private buffer: GPUBuffer | null = null;
  private checks: Check[] = [];

  constructor(private readonly q: Queue) {}

  /** Checks that every value of `index` (an int32/int64 array on the GPU) lies in [0, size). */
  check(op: string, index: StridedArray, dim: number, size: number): void {
    if (index.numel === 0) return;
    if (this.checks.length === SLOTS) this.flush();
    // a new buffer is zero-filled: no flag set
    this.buffer ??= this.q.device.createBuffer({
      size: SLOTS * WORDS * 4,
      usage: USAGE.STORAGE | USAGE.COPY_SRC,
    });
    const params = new Array<number>(24).fill(0);
    params[0] = index.numel;
    params[1] = index.ndim;
    params[2] = index.offset;
    params[3] = size;
    params[4] = this.checks.length;
    index.shape.forEach((s, d) => {
      params[8 + d] = s;
      params[16 + d] = index.strides[d] as number;
    });
    const buffers = [this.buffer, storageOf(index).buffer];
    const workgroups = Math.ceil(index.numel / WORKGROUP);
    this.q.dispatch(SHADER, params, buffers, workgroups);
    params[5] = 1;
    this.q.dispatch(SHADER, params, buffers, workgroups);
    this.checks.push({ op, dim, size });
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
      if (check === undefined) return;
      const value = new Int32Array(words.buffer)[failed * WORDS + 1];
      throw new TorchletError(
        `${check.op}: index ${value} is out of bounds for dimension ${check.dim} with size ${check.size} (raised at this read: webgpu checks index values on the device)`,
      );
    });
  }
}

/**
 * Worker threads for large matmuls: Node's worker_threads, and in browsers Web Workers started from
 * inside a worker of a cross-origin isolated page. The kernels' Wasm memory is shared with every
 * worker; a job is a few integers in a control block in that memory, so dispatch is an
 * Atomics.notify and completion an Atomics.wait on the calling thread. torchlet's ops are
 * synchronous, hence the blocking wait, which Node allows on its main thread and browsers only in
 * workers: a browser page's main thread, or a page that is not cross-origin isolated (no shared
 * memory), stays single-threaded.
 *
 * Workers start lazily (the first large matmul asks for them and runs single-threaded while they
 * boot), are unref()'d so they never keep a process alive, and idle in Atomics.wait.
 */

/** Int32 slots of the control block (CONTROL_BYTES at its address in the shared memory). */
export const SEQ = 0; // bumped once per job
export const DONE = 1; // workers finished with the current job
export const FAILED = 2; // set by a worker whose kernel threw
const NEXT = 3; // the next work unit (row or column panel) to take: threads take chunks until none are left
/**
 * Who works on the current job: (SEQ & JOB_TAG) << 8 | CLOSED | joined workers. A worker joins before
 * it reads the job, only while the word still carries that job's tag and is open; the caller closes
 * it once no unit is left to take, and then waits for the workers that joined, not for one that has
 * not woken up yet (under load that can take milliseconds) and would have found nothing left to do.
 */
export const JOIN = 4;
const JOB_TAG = 0x7fffff;
const CLOSED = 0x80;
const READY = 8; // READY + w: worker w has instantiated the module
const PARAMS = 64; // PARAMS + w * PARAM_SLOTS: [active, fn, ap, bp, cp, k, np, ldc, ldb, panel, byColumns, rows, columnBytes, units, chunk, threads]
const PARAM_SLOTS = 16;
export const MAX_WORKERS = 7;
export const CONTROL_BYTES = (PARAMS + MAX_WORKERS * PARAM_SLOTS) * 4;

/** A gemm kernel export: gemm32 or gemm64. */
type Gemm = (...args: number[]) => void;

/** [ap, bp, cp, k, np, ldcBytes, ldbBytes, panelBytes, byColumns, rows, columnBytes] of one product. */
export type UnitArgs = readonly [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/**
 * The kernel calls for the work units [u0, u1) of one product, split by row panels or (byColumns) by
 * column panels; `p` is [ap, bp, cp, k, np, ldcBytes, ldbBytes, panelBytes, byColumns, rows,
 * columnBytes]. The calling thread and the helpers both run this very function (the helpers get its
 * source, see helperSource), so the split is written, and type-checked, once.
 */
export function runUnits(gemm: Gemm, p: UnitArgs, u0: number, u1: number): void {
  const [ap, bp, cp, k, np, ldc, ldb, panel, byColumns, rows, columnBytes] = p;
  if (byColumns) gemm(ap, bp + u0 * panel, cp + u0 * columnBytes, k, 0, rows, u1 - u0, ldc, ldb, panel);
  else gemm(ap, bp, cp, k, u0, u1, np, ldc, ldb, panel);
}

/**
 * Takes chunks of the work units [0, units) from the shared counter `ctl[next]` until none are left,
 * and runs each: guided scheduling, every chunk 1/(2 * threads) of the units left, at most `chunk`
 * and at least one, so chunks shrink towards the end and a thread slowed by other load (or woken
 * late) holds the others up by a small chunk at most. Which thread takes which units changes no
 * result: every unit's outputs are computed alike. The helpers run this very function too.
 */
export function takeChunks(
  ctl: Int32Array,
  next: number,
  units: number,
  chunk: number,
  threads: number,
  work: (u0: number, u1: number) => void,
): void {
  for (;;) {
    const u = Atomics.load(ctl, next);
    if (u >= units) return;
    const size = Math.max(1, Math.min(chunk, Math.ceil((units - u) / (2 * threads))));
    if (Atomics.compareExchange(ctl, next, u, u + size) === u) work(u, Math.min(u + size, units));
  }
}

/** The control block's layout, as the helpers read it. */
const LAYOUT = {
  SEQ,
  DONE,
  FAILED,
  NEXT,
  JOIN,
  JOB_TAG,
  CLOSED,
  READY,
  PARAMS,
  PARAM_SLOTS,
  words: CONTROL_BYTES / 4,
};

/**
 * A helper's life, shared by both hosts: instantiate the module on the shared memory, report ready,
 * take jobs forever. It runs in a worker from its source text, so it reads nothing outside its
 * parameters (`run` is runUnits).
 */
function helperLoop(
  memory: WebAssembly.Memory,
  module: WebAssembly.Module,
  control: number,
  index: number,
  c: typeof LAYOUT,
  run: typeof runUnits,
  take: typeof takeChunks,
): void {
  const exports_ = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const kernels = [exports_.gemm32, exports_.gemm64] as Gemm[];
  const ctl = new Int32Array(memory.buffer, control, c.words);
  const slot = c.PARAMS + index * c.PARAM_SLOTS;
  let seen = Atomics.load(ctl, c.SEQ);
  Atomics.store(ctl, c.READY + index, 1);
  for (;;) {
    Atomics.wait(ctl, c.SEQ, seen);
    seen = Atomics.load(ctl, c.SEQ);
    if (Atomics.load(ctl, slot) !== 1) continue;
    const tag = (seen & c.JOB_TAG) << 8;
    let joined = false;
    let w = Atomics.load(ctl, c.JOIN);
    while (!joined && (w & ~0xff) === tag && (w & c.CLOSED) === 0) {
      const was = Atomics.compareExchange(ctl, c.JOIN, w, w + 1);
      joined = was === w;
      w = was;
    }
    if (!joined) continue; // a later job, or this one closed: nothing of it left to do
    try {
      const gemm = kernels[ctl[slot + 1] as number] as Gemm;
      const params = Array.from(ctl.subarray(slot + 2, slot + 13)) as unknown as UnitArgs;
      const units = ctl[slot + 13] as number;
      const chunk = ctl[slot + 14] as number;
      const threads = ctl[slot + 15] as number;
      take(ctl, c.NEXT, units, chunk, threads, (u0, u1) => run(gemm, params, u0, u1));
    } catch {
      Atomics.store(ctl, c.FAILED, 1);
    }
    Atomics.add(ctl, c.DONE, 1);
    Atomics.notify(ctl, c.DONE);
  }
}

/** The helper's source: helperLoop called with the worker's memory, module, control block and index. */
const HELPER_CALL = `(${helperLoop.toString()})(memory, module, control, index, ${JSON.stringify(LAYOUT)}, ${runUnits.toString()}, ${takeChunks.toString()});`;

// Node: CommonJS evaluated by Worker({ eval: true }), self-contained so bundlers leave it alone (the
// module id is computed so that no literal require of a Node built-in appears in browser bundles).
const NODE_HELPER = `
const { workerData } = require(["node", "worker_threads"].join(":"));
const { memory, module, control, index } = workerData;
${HELPER_CALL}`;

// Browsers: a classic worker from a Blob URL, handed the shared memory and the module by message.
const BROWSER_HELPER = `
self.onmessage = (event) => {
  self.onmessage = null;
  const { memory, module, control, index } = event.data;
${HELPER_CALL}
};`;

/** The slice of the browser's Worker API used here. */
interface BrowserWorker {
  postMessage(message: unknown): void;
  onerror: ((event: unknown) => void) | null;
}
type BrowserWorkerCtor = new (url: string) => BrowserWorker;

/**
 * The browser's Worker constructor where helpers can run: inside a worker (only there may the caller
 * block in Atomics.wait) of a cross-origin isolated page (only there is memory shareable).
 */
function browserWorker(): BrowserWorkerCtor | undefined {
  const g = globalThis as {
    Worker?: BrowserWorkerCtor;
    WorkerGlobalScope?: unknown;
    crossOriginIsolated?: boolean;
    Blob?: unknown;
    URL?: { createObjectURL?: unknown };
  };
  const ready =
    g.WorkerGlobalScope !== undefined &&
    g.crossOriginIsolated === true &&
    typeof g.Worker === "function" &&
    typeof g.Blob === "function" &&
    typeof g.URL?.createObjectURL === "function";
  return ready ? g.Worker : undefined;
}

interface NodeWorker {
  unref(): void;
  on(event: "error", listener: (err: unknown) => void): void;
}
type WorkerCtor = new (
  source: string,
  options: { eval: true; workerData: unknown; stdout?: boolean; stderr?: boolean },
) => NodeWorker;

/** Node's built-in modules without a static import (which would pull them into browser bundles). */
function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/** How many helper threads this platform could run (0 where threads are unavailable). */
export function availableHelpers(): number {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return 0;
  const threads = nodeBuiltin<{ Worker?: WorkerCtor; isMainThread?: boolean }>("node:worker_threads");
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus?: () => unknown[] }>("node:os");
  let cores = 1;
  if (threads?.Worker && os) cores = os.availableParallelism?.() ?? os.cpus?.().length ?? 1;
  else if (browserWorker()) {
    cores =
      (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return Math.max(0, Math.min(MAX_WORKERS, cores - 1));
}

/** The helper pool over one shared memory, its control block at byte `control` (64-byte aligned). */
export class ThreadPool {
  private readonly ctl: Int32Array;
  private started = 0;
  private broken = false;
  private canBlock = true;
  /**
   * How long the calling thread waits for the helpers after finishing its own share, at least (ms);
   * it also waits ten times as long as its own share took. A helper that has not finished by then
   * is taken for dead (a crashed worker never reports back) and the pool is given up.
   */
  patienceMs = 10_000;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly module: WebAssembly.Module,
    readonly size: number,
    private readonly control = 0,
  ) {
    this.ctl = new Int32Array(memory.buffer, control, CONTROL_BYTES / 4);
  }

  /** Starts the workers (once); returns false when that is impossible here. */
  start(): boolean {
    if (this.started > 0 || this.broken) return !this.broken;
    const Worker = nodeBuiltin<{ Worker?: WorkerCtor }>("node:worker_threads")?.Worker;
    if (!Worker) return this.startInBrowser();
    try {
      for (let w = 0; w < this.size; w++) {
        const worker = new Worker(NODE_HELPER, {
          eval: true,
          // The compiled module itself, not its bytes: V8 shares the code between threads, so the
          // workers run the optimised code the calling thread's tier-up produced (a worker compiling
          // its own copy ran its baseline code, about half as fast, for many calls).
          workerData: { memory: this.memory, module: this.module, control: this.control, index: w },
        });
        worker.on("error", () => {
          this.broken = true;
        });
        worker.unref();
        this.started++;
      }
    } catch {
      this.broken = true;
    }
    return !this.broken;
  }

  /** Browser workers from a Blob URL; the module and the shared memory travel by message. */
  private startInBrowser(): boolean {
    const Worker = browserWorker();
    const g = globalThis as unknown as {
      Blob: new (parts: string[], options: { type: string }) => unknown;
      URL: { createObjectURL(blob: unknown): string };
    };
    if (!Worker) {
      this.broken = true;
      return false;
    }
    try {
      const url = g.URL.createObjectURL(new g.Blob([BROWSER_HELPER], { type: "text/javascript" }));
      for (let w = 0; w < this.size; w++) {
        const worker = new Worker(url);
        worker.onerror = () => {
          this.broken = true;
        };
        worker.postMessage({ memory: this.memory, module: this.module, control: this.control, index: w });
        this.started++;
      }
    } catch {
      this.broken = true;
    }
    return !this.broken;
  }

  /** The workers ready to take a job now. */
  ready(): number[] {
    const out: number[] = [];
    if (this.broken) return out;
    for (let w = 0; w < this.started; w++) if (Atomics.load(this.ctl, READY + w) === 1) out.push(w);
    return out;
  }

  /**
   * Runs `fn` (0 gemm32, 1 gemm64) over the work units [0, units), the row panels or (byColumns) the
   * column panels: this thread (`local`, called with a unit range) and the ready `helpers` take
   * chunks of at most `chunk` units from a shared counter until none are left (`takeChunks`), so a
   * thread slowed by other load simply takes fewer. `args` are [ap, bp, cp, k, np, ldcBytes, ldbBytes, panelBytes,
   * byColumns, rows (A panels), columnBytes (NR * E)]. Returns false if a worker failed, or did not
   * finish within the patience (then the pool is broken for good, see `patienceMs`).
   */
  run(
    fn: 0 | 1,
    args: readonly number[],
    units: number,
    chunk: number,
    helpers: readonly number[],
    local: (ip0: number, ip1: number) => void,
  ): boolean {
    const ctl = this.ctl;
    for (let w = 0; w < this.size; w++) Atomics.store(ctl, PARAMS + w * PARAM_SLOTS, 0);
    for (const h of helpers) {
      const slot = PARAMS + h * PARAM_SLOTS;
      ctl[slot + 1] = fn;
      ctl.set([...args, units, chunk, helpers.length + 1], slot + 2);
      Atomics.store(ctl, slot, 1);
    }
    Atomics.store(ctl, NEXT, 0);
    Atomics.store(ctl, DONE, 0);
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, JOIN, ((Atomics.load(ctl, SEQ) + 1) & JOB_TAG) << 8);
    Atomics.add(ctl, SEQ, 1);
    if (helpers.length > 0) Atomics.notify(ctl, SEQ);
    const started = performance.now();
    takeChunks(ctl, NEXT, units, chunk, helpers.length + 1, local);
    // every unit is taken: close the job, and wait for the helpers that joined it
    const expected = Atomics.or(ctl, JOIN, CLOSED) & (CLOSED - 1);
    const finished = performance.now();
    const deadline = finished + Math.max(this.patienceMs, 10 * (finished - started));
    for (;;) {
      const done = Atomics.load(ctl, DONE);
      if (done >= expected) break;
      // The error event of a crashed worker cannot run while this thread waits, so time decides.
      if (performance.now() > deadline) this.broken = true;
      // Where this thread may not block (a browser-like main thread that still has worker_threads,
      // e.g. an Electron renderer), spin on the counter instead.
      if (this.canBlock) {
        try {
          Atomics.wait(ctl, DONE, done, 50);
        } catch {
          this.canBlock = false;
        }
      }
      if (this.broken) return false;
    }
    return Atomics.load(ctl, FAILED) === 0;
  }
}

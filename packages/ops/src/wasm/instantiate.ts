// The one way the Wasm kernels come to life: module bytes compiled against a new memory of their own,
// or null where WebAssembly, SIMD or (for threads) shared memory is unavailable, so every caller falls
// back to the reference kernels the same way. The elementwise, matvec and matmul modules all use it.

/** The memory a module imports as `env.memory`, in 64 KiB pages. */
export interface MemorySpec {
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly shared: boolean;
}

/** A compiled module (workers instantiate it again), its memory and its exported kernels. */
export interface Instantiated {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: WebAssembly.Exports;
}

/**
 * Compiles `bytes` (built for `memory`) and instantiates it against `existing` (a memory that spec
 * describes, e.g. storage's Wasm heap) or a new memory, or null.
 */
export function instantiate(
  bytes: (memory: MemorySpec) => Uint8Array<ArrayBuffer>,
  memory: MemorySpec,
  existing?: WebAssembly.Memory,
): Instantiated | null {
  if (typeof WebAssembly === "undefined") return null;
  try {
    const code = bytes(memory);
    if (!WebAssembly.validate(code)) return null; // no SIMD here
    const mem =
      existing ??
      new WebAssembly.Memory({
        initial: memory.initialPages,
        maximum: memory.maximumPages,
        shared: memory.shared,
      } as WebAssembly.MemoryDescriptor);
    const module = new WebAssembly.Module(code);
    return {
      module,
      memory: mem,
      exports: new WebAssembly.Instance(module, { env: { memory: mem } }).exports,
    };
  } catch {
    return null; // e.g. shared memory refused without cross-origin isolation
  }
}

/** `create()` on first call, its result (null included) on every later one. */
export function once<T>(create: () => T): () => T {
  let value: { v: T } | null = null;
  return () => {
    value ??= { v: create() };
    return value.v;
  };
}

/**
 * A full garbage collection on demand, with finalization callbacks run at once: what lets the Wasm
 * heap (wasm-heap.ts) take back the blocks of collected tensors inside synchronous code. Without it
 * a FinalizationRegistry reports nothing until the code yields to the event loop, and V8 runs full
 * collections rarely in a loop that allocates only small objects (a heap array's JS side is a view of
 * a few dozen bytes), so a synchronous training loop would fill the heap with dead tensors and fall
 * back to ordinary arrays for good.
 *
 * Only Node offers this: `process.getBuiltinModule` (20.16 and later) reaches `node:v8`, whose
 * `setFlagsFromString` turns on `--expose-gc` and the `cleanupSome` method of FinalizationRegistry
 * (both V8 flags) for one new `node:vm` context made here; the flags are turned off again at once,
 * so no other context sees them. Browsers have no such hook: there the heap's blocks return between
 * tasks, as the registry reports them.
 */

/** A FinalizationRegistry whose pending callbacks can be run synchronously. */
export interface EagerRegistry<T> extends FinalizationRegistry<T> {
  cleanupSome(): void;
}

export interface Collector {
  /** Makes a registry whose `cleanupSome` runs the callbacks of targets already collected. */
  registry<T>(callback: (held: T) => void): EagerRegistry<T>;
  /** A full collection (every unreachable object, old ones included). */
  collect(): void;
}

interface NodeV8 {
  setFlagsFromString(flags: string): void;
}
interface NodeVm {
  runInNewContext(code: string): unknown;
}
interface Realm {
  gc?: () => void;
  FinalizationRegistry: new <T>(callback: (held: T) => void) => FinalizationRegistry<T>;
}

/**
 * The V8 major versions known to have the cleanupSome flag (Node 20 to 24). V8 prints an error line
 * for a flag it does not know, so a later V8 gets no collector rather than that surprise.
 */
const V8_WITH_CLEANUP_SOME = { first: 11, last: 13 };

/** Node's collector, or null where the runtime has none (browsers, Node before 20.16, later V8s). */
export function nodeCollector(): Collector | null {
  const process = (
    globalThis as {
      process?: { getBuiltinModule?: (id: string) => unknown; versions?: { v8?: string } };
    }
  ).process;
  const getBuiltin = process?.getBuiltinModule;
  const v8Major = Number.parseInt(process?.versions?.v8 ?? "", 10);
  if (typeof getBuiltin !== "function") return null;
  if (!(v8Major >= V8_WITH_CLEANUP_SOME.first && v8Major <= V8_WITH_CLEANUP_SOME.last)) return null;
  try {
    const v8 = getBuiltin("node:v8") as NodeV8;
    const vm = getBuiltin("node:vm") as NodeVm;
    // A flag the process was started with stays on: only what is turned on here is turned off.
    const flags = [
      ...(typeof (globalThis as { gc?: unknown }).gc === "function" ? [] : ["expose-gc"]),
      ...("cleanupSome" in FinalizationRegistry.prototype ? [] : ["harmony-weak-refs-with-cleanup-some"]),
    ];
    for (const flag of flags) v8.setFlagsFromString(`--${flag}`);
    let realm: Realm;
    try {
      realm = vm.runInNewContext("({ gc: globalThis.gc, FinalizationRegistry })") as Realm;
    } finally {
      for (const flag of flags) v8.setFlagsFromString(`--no-${flag}`);
    }
    const gc = realm.gc;
    if (typeof gc !== "function" || !("cleanupSome" in realm.FinalizationRegistry.prototype)) return null;
    return {
      registry: <T>(callback: (held: T) => void) =>
        new realm.FinalizationRegistry<T>(callback) as EagerRegistry<T>,
      collect: () => gc(),
    };
  } catch {
    return null; // a runtime without these modules or flags (Bun, Deno, a later V8 without cleanupSome)
  }
}

import { binary, unary, where } from "./elementwise.js";
import { bmm, mm } from "./matmul.js";
import { bmm as fastBmm, mm as fastMm } from "./matmul-wasm.js";
import { reduce } from "./reduce.js";

/**
 * The seam between the math and where it runs. Autograd calls kernels only through `backend()`, so a
 * faster implementation (Wasm SIMD, worker threads) plugs in with `setBackend` and the plain-TS
 * reference stays the fallback and the yardstick its tests compare against.
 */
export interface Backend {
  readonly name: string;
  unary: typeof unary;
  binary: typeof binary;
  reduce: typeof reduce;
  mm: typeof mm;
  bmm: typeof bmm;
  where: typeof where;
}

export const referenceBackend: Backend = { name: "reference", unary, binary, reduce, mm, bmm, where };

/**
 * The default: the reference kernels except for float32/float64 matmul, which runs on generated Wasm
 * SIMD kernels (and worker threads when large, in Node), falling back to the reference kernel for
 * other dtypes, small products, or where WebAssembly SIMD is unavailable.
 */
export const fastBackend: Backend = { ...referenceBackend, name: "fast", mm: fastMm, bmm: fastBmm };

let current: Backend = fastBackend;

/** The backend every kernel call goes through. */
export function backend(): Backend {
  return current;
}

/** Installs `next` (pass `referenceBackend` to go back); returns the previous one. */
export function setBackend(next: Backend): Backend {
  const previous = current;
  current = next;
  return previous;
}

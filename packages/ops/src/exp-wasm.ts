import { encodeModule } from "./wasm/emit.js";
import { EXP_CHUNK, EXP_PAGES, expBody } from "./wasm/exp-kernel.js";
import { instantiate, once } from "./wasm/instantiate.js";

/**
 * The Wasm SIMD exp (wasm/exp-kernel.ts) behind the float32 softmax family of last-dim.ts: a chunk
 * of `EXP_CHUNK` float32 values written into `lanes`, exponentiated in place by `run(count)`. Its
 * error against the correctly rounded exp is at most 2 float32 ulps (relative 2.4e-7) for inputs
 * above -87.3; below, the result is 0 or a subnormal (absolute error under 1.2e-38), and -inf gives 0.
 */
export interface SimdExp {
  readonly lanes: Float32Array;
  run(count: number): void;
}

/** The kernel, or null where WebAssembly SIMD is unavailable. */
export const simdExp = once((): SimdExp | null => {
  const wasm = instantiate((memory) => encodeModule([{ name: "exp", body: expBody() }], memory), {
    initialPages: EXP_PAGES,
    maximumPages: EXP_PAGES,
    shared: false,
  });
  if (wasm === null) return null;
  const exp = wasm.exports.exp as (at: number, count: number) => void;
  return {
    lanes: new Float32Array(wasm.memory.buffer, 0, EXP_CHUNK),
    run(count) {
      runs++;
      exp(0, count);
    },
  };
});

let runs = 0;

/** How many chunks the Wasm exp has run so far (tests check the SIMD path ran). */
export function simdExpRuns(): number {
  return runs;
}

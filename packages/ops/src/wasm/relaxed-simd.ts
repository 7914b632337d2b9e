import { encodeModule, FunctionBody, V128 } from "./emit.js";

/**
 * Run-time detection of WebAssembly relaxed SIMD, whose `relaxed_madd` lets the kernels use the CPU's
 * fused multiply-add: on by default in Chromium >= 114 and Node >= 22, behind
 * `--experimental-wasm-relaxed-simd` in Node 20. Engines without it reject the instruction at
 * validation, so a one-instruction module tells, before any kernel is compiled.
 */
let available: boolean | undefined;

/** A module whose one function runs f32x4.relaxed_madd on a local. */
function probeBytes(): Uint8Array<ArrayBuffer> {
  const f = new FunctionBody(0);
  const v = f.local(V128);
  f.get(v).get(v).get(v).vMadd(4).set(v);
  return encodeModule([{ name: null, body: f }], { initialPages: 1, maximumPages: 1, shared: false });
}

/** Whether this engine compiles relaxed SIMD (checked once per process). */
export function relaxedSimd(): boolean {
  if (available === undefined) {
    try {
      available = typeof WebAssembly !== "undefined" && WebAssembly.validate(probeBytes());
    } catch {
      available = false;
    }
  }
  return available;
}

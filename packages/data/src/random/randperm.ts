import type { Generator } from "./generator.js";

/**
 * `torch.randperm(n)` on PyTorch 1.13's CPU (`randperm_cpu`), as an Int32Array: start from 0..n-1 and,
 * for i = 0 .. n-2, swap element i with element i + (random() % (n - i)). That is n - 1 32-bit draws,
 * none for n <= 1. (Checked against PyTorch 1.13 up to n = 214748364, where later versions switch to
 * a 64-bit inside-out shuffle; 1.13 does not.)
 *
 * Precondition: n is an integer, 0 <= n < 2^31.
 */
export function randperm(gen: Generator, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = i + (gen.random() % (n - i));
    const saved = out[i] ?? 0;
    out[i] = out[z] ?? 0;
    out[z] = saved;
  }
  return out;
}

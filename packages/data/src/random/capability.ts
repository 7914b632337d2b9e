/**
 * Which of PyTorch's per-CPU kernel builds to reproduce. PyTorch 1.13 compiles its CPU kernels once
 * per instruction set and picks one at start-up (`ATEN_CPU_CAPABILITY` overrides the choice):
 * - `"avx2"`: x86-64 with AVX2. Float32 `normal_` with 16+ elements runs the vectorised
 *   `normal_fill_AVX2`, and every `a * b + c` in the scalar kernels (uniform's `x * (to - from) + from`,
 *   normal's `x * std + mean`) is one fused multiply-add, because GCC contracts them under `-mfma`.
 *   PyTorch's source registers no AVX-512 normal kernel, so AVX-512 machines should match this too
 *   (not checked on one).
 * - `"default"`: the portable x86-64 build (`ATEN_CPU_CAPABILITY=default`): scalar `normal_fill` with
 *   libm log/sin/cos and no fused multiply-adds. (An aarch64 build has FMA in its baseline and may
 *   fuse; not checked.)
 */
export type CpuCapability = "avx2" | "default";

export interface KernelOptions {
  /** The PyTorch kernel build to match; `"avx2"` (the usual x86-64 desktop/server) when omitted. */
  capability?: CpuCapability;
}

export const DEFAULT_CAPABILITY: CpuCapability = "avx2";

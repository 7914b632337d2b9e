// What the page shows about where torchlet's math runs: Wasm SIMD, and the matmul helper threads that
// torchlet starts inside this worker when the page is cross-origin isolated (vite.config.ts sends the
// headers). One product large enough for the helpers is checked against the plain reference kernels.
import * as torch from "torchlet";

export interface BackendStatus {
  simd: boolean;
  /** Helper threads ready for large matmuls (0: single-threaded). */
  threads: number;
  /** Whether a product split across the helpers matched the reference kernels; null when none ran. */
  checked: boolean | null;
}

export async function checkBackend(): Promise<BackendStatus> {
  const threads = await torch.warmUpMatmulThreads(undefined, 5000);
  const { simd } = torch.matmulInfo();
  if (threads === 0) return { simd, threads, checked: null };
  // Deterministic operands in [-1, 1) (no draw from the generator the training uses).
  const operand = (rows: number, cols: number, prime: number) =>
    torch
      .tensor(Float32Array.from({ length: rows * cols }, (_, i) => ((i * prime) % 1000) / 500 - 1))
      .reshape([rows, cols]);
  const a = operand(192, 256, 7919);
  const b = operand(256, 160, 104729);
  const split = () => torch.matmulInfo().paths.byRows + torch.matmulInfo().paths.byColumns;
  const before = split();
  const previous = torch.configureMatmul({ minThreads: 0 });
  let fast: torch.Tensor;
  try {
    fast = a.mm(b);
  } finally {
    torch.configureMatmul(previous);
  }
  const usedHelpers = split() > before;
  const backend = torch.setBackend(torch.referenceBackend);
  let reference: torch.Tensor;
  try {
    reference = a.mm(b);
  } finally {
    torch.setBackend(backend);
  }
  const error = Number(fast.sub(reference).abs().max().item());
  return { simd, threads, checked: usedHelpers && error < 1e-3 };
}

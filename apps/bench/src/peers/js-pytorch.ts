import { DIGITS_PEERS_ONLY, type InProcessPeer, type NotAvailable, type Task } from "../peer.js";
import type { Array32, ChainData, PairData, TrainData } from "../workloads.js";

type JsPyTorch = typeof import("js-pytorch");
type JTensor = InstanceType<JsPyTorch["torch"]["Tensor"]>;

/** Nested JS arrays, js-pytorch's storage (float64 numbers: it has no float32). */
function nested(a: Array32): unknown[] {
  const values = Array.from(a.data);
  const build = (dim: number, offset: number): unknown[] => {
    const size = a.shape[dim] as number;
    if (dim === a.shape.length - 1) return values.slice(offset, offset + size);
    const stride = a.shape.slice(dim + 1).reduce((p, q) => p * q, 1);
    return Array.from({ length: size }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return build(0, 0);
}

/**
 * js-pytorch on its CPU path (nested JS arrays). Its GPU path needs the native `gl` package, which
 * pnpm is told not to build; the CPU path never loads it. Every op runs synchronously.
 */
let lib: JsPyTorch["torch"] | undefined;

export const peer: InProcessPeer = {
  kind: "in-process",
  id: "js-pytorch",
  async init(): Promise<NotAvailable | undefined> {
    lib = (await import("js-pytorch")).torch;
    return undefined;
  },
  prepare(c, data): Task | NotAvailable {
    const torch = lib as JsPyTorch["torch"];
    const t = (a: Array32, requiresGrad = false): JTensor => torch.tensor(nested(a), requiresGrad);
    // js-pytorch's only ReLU is nn.ReLU, which multiplies by a mask of 1 and 1e-3 (a leaky ReLU).
    const relu = new torch.nn.ReLU();
    switch (c.kind) {
      case "digits":
        return DIGITS_PEERS_ONLY;
      case "train": {
        const d = data as TrainData;
        const x = t(d.x);
        const y = t(d.y);
        // Its broadcasting adds only trailing-shape operands, so biases go in as [h] and [1] (nn.Linear's
        // own layout) rather than [1, h] and [1, 1]: the same numbers.
        const flat = (a: Array32): Array32 => ({ data: a.data, shape: [a.data.length] });
        const params = [t(d.w1, true), t(flat(d.b1), true), t(d.w2, true), t(flat(d.b2), true)] as const;
        const [w1, b1, w2, b2] = params;
        return {
          run() {
            const pred = relu.forward(x.matmul(w1).add(b1)).matmul(w2).add(b2);
            // mean() reduces one dim at a time: [n, 1] -> [n] -> scalar.
            const loss = pred.sub(y).pow(2).mean(-1).mean(-1);
            loss.backward();
            for (const w of params) {
              // The update on plain (untracked) tensors, as js-pytorch's own optimizers write `_data`.
              w._data = torch.tensor(w._data).sub(w._grad.mul(c.lr))._data;
              w.zero_grad();
            }
            return (loss._data as number[])[0];
          },
        };
      }
      case "matmul": {
        const { a, b } = data as PairData;
        const ta = t(a);
        const tb = t(b);
        return { run: () => void ta.matmul(tb) };
      }
      case "elementwise": {
        const { a, b } = data as PairData;
        const ta = t(a);
        const tb = t(b);
        if (c.op === "add") return { run: () => void ta.add(tb) };
        if (c.op === "relu") return { run: () => void relu.forward(ta) };
        return { run: () => (ta.sum()._data as number[])[0] };
      }
      case "conv":
        return { na: "not measured" };
      case "chain": {
        const d = data as ChainData;
        const step = t(d.step);
        return {
          run() {
            let x = t(d.start, c.grad);
            for (let i = 0; i < c.length; i++) x = x.add(step);
            return (x._data as number[][])[0]?.[0];
          },
        };
      }
      case "crossEntropy":
        return { na: "no logSoftmax or gather" };
    }
  },
};

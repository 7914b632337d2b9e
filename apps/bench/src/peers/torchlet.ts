import * as torch from "torchlet";
import type { InProcessPeer, Task } from "../peer.js";
import type {
  Array32,
  ChainData,
  ConvData,
  CrossEntropyData,
  DigitsData,
  PairData,
  TrainData,
} from "../workloads.js";

// A copy, so in-place training updates never touch the data the next peer receives.
const t = (a: Array32, requiresGrad = false) =>
  torch.tensor(new Float32Array(a.data)).reshape(a.shape).detach().requiresGrad_(requiresGrad);

/** torchlet, run from its TypeScript sources (bundled by tsup through the "@torchlet/source" condition). */
export const peer: InProcessPeer = {
  kind: "in-process",
  id: "torchlet",
  async init() {
    // Helper threads start lazily on the first large product; starting them here instead (tfjs and
    // jax-js start theirs at init too) keeps their boot out of the warm-up. In a browser worker they
    // can only start while this thread yields to its event loop, which it does here.
    await torch.warmUpMatmulThreads();
    return undefined;
  },
  describe() {
    const { simd, fma, threads } = torch.matmulInfo();
    const kernels = !simd
      ? "JS (no Wasm SIMD)"
      : fma
        ? "Wasm SIMD with relaxed-SIMD FMA"
        : "Wasm SIMD (no relaxed SIMD)";
    return `matmul on ${kernels}, ${threads} helper thread${threads === 1 ? "" : "s"}`;
  },
  async prepare(c, data): Promise<Task> {
    switch (c.kind) {
      case "train": {
        const d = data as TrainData;
        const x = t(d.x);
        const y = t(d.y);
        const params = [t(d.w1, true), t(d.b1, true), t(d.w2, true), t(d.b2, true)] as const;
        const [w1, b1, w2, b2] = params;
        return {
          run() {
            const loss = x.mm(w1).add(b1).relu().mm(w2).add(b2).sub(y).pow(2).mean();
            loss.backward();
            torch.noGrad(() => {
              for (const w of params) w.sub_((w.grad as torch.Tensor).mul(c.lr));
              for (const w of params) (w.grad as torch.Tensor).zero_();
            });
            return Number(loss.item());
          },
        };
      }
      case "matmul": {
        const { a, b } = data as PairData;
        const ta = t(a);
        const tb = t(b);
        return { run: () => void ta.mm(tb) };
      }
      case "elementwise": {
        const { a, b } = data as PairData;
        const ta = t(a);
        const tb = t(b);
        const out = c.out ? torch.zeros(c.size) : undefined;
        if (c.op === "add") return { run: () => void ta.add(tb, { out }) };
        if (c.op === "relu") return { run: () => void ta.relu({ out }) };
        return { run: () => Number(ta.sum().item()) };
      }
      case "digits": {
        const { images: x, labels: y, ...state } = data as DigitsData;
        const images = t(x);
        const labels = t(y).to("int64");
        // Imported here, not above: the browser bench's worker runs no digits and leaves it out.
        const { digitsModel } = await import("@torchlet/vision");
        const model = digitsModel(c.model);
        model.loadStateDict(Object.fromEntries(Object.entries(state).map(([key, a]) => [key, t(a)])));
        const optimizer = new torch.optim.Adam(model.parameters(), { lr: c.lr });
        const n = images.shape[0] as number;
        return {
          run() {
            let total = 0;
            for (let start = 0; start < n; start += c.batchSize) {
              const size = Math.min(c.batchSize, n - start);
              const logits = model.forward(images.narrow(0, start, size));
              const loss = torch.nn.functional.crossEntropy(logits, labels.narrow(0, start, size));
              optimizer.zeroGrad();
              loss.backward();
              optimizer.step();
              total += Number(loss.item());
            }
            return total / Math.ceil(n / c.batchSize);
          },
        };
      }
      case "chain": {
        const d = data as ChainData;
        const start = t(d.start, c.grad);
        const step = t(d.step);
        const chain = () => {
          let x = start;
          for (let i = 0; i < c.length; i++) x = x.add(step);
          return Number(x.item());
        };
        return { run: c.grad ? chain : () => torch.noGrad(chain) };
      }
      case "crossEntropy": {
        const d = data as CrossEntropyData;
        const x = t(d.logits, true);
        const target = t(d.target).to("int64");
        return {
          run() {
            const loss = x.logSoftmax(1).gather(1, target).mean().neg();
            loss.backward();
            x.grad = null;
            return Number(loss.item());
          },
        };
      }
      case "conv": {
        const d = data as ConvData;
        const x = t(d.x, c.inputGrad);
        const [w, b] = [t(d.w, true), t(d.b, true)];
        const g = t(d.g);
        return {
          run() {
            torch.conv2d(x, w, b).backward(g);
            for (const p of [x, w, b]) p.grad = null;
            return undefined;
          },
        };
      }
    }
  },
};

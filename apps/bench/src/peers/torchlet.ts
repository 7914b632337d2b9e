import * as torch from "torchlet";
import type { InProcessPeer, NotAvailable, PeerId, RunValue, Task } from "../peer.js";
import { adapterName, webgpu } from "../webgpu.js";
import type {
  Array32,
  ChainData,
  ConvData,
  CrossEntropyData,
  Device,
  DigitsData,
  PairData,
  TrainData,
} from "../workloads.js";

function describeCpu(): string {
  const { simd, fma, threads } = torch.matmulInfo();
  const kernels = !simd
    ? "JS (no Wasm SIMD)"
    : fma
      ? "Wasm SIMD with relaxed-SIMD FMA"
      : "Wasm SIMD (no relaxed SIMD)";
  return `matmul on ${kernels}, ${threads} helper thread${threads === 1 ? "" : "s"}`;
}

/**
 * torchlet on one device, run from its TypeScript sources (bundled by tsup through the
 * "@torchlet/source" condition). On webgpu every run ends by reading a result back (the loss, or one
 * element of a product): a read waits for all the work submitted before it, so the clock stops when
 * the GPU has finished.
 */
export function torchletPeer(id: PeerId, device: Device): InProcessPeer {
  // A copy, so in-place training updates never touch the data the next peer receives.
  const t = (a: Array32, requiresGrad = false) =>
    torch.tensor(new Float32Array(a.data)).reshape(a.shape).to(device).detach().requiresGrad_(requiresGrad);
  // The CPU reads synchronously, so a microsecond W1 epoch pays no extra tick for a promise.
  const read = (s: torch.Tensor): RunValue | Promise<RunValue> =>
    device === "cpu" ? Number(s.item()) : s.itemAsync().then(Number);
  let adapter = "";
  return {
    kind: "in-process",
    id,
    async init(): Promise<NotAvailable | undefined> {
      if (device === "webgpu") {
        const gpu = await webgpu();
        if ("na" in gpu) return gpu;
        if (!(await torch.webgpu.init())) return { na: "torch.webgpu.init() found no adapter" };
        adapter = await adapterName(gpu);
        return undefined;
      }
      // Helper threads start lazily on the first large product; starting them here instead (tfjs and
      // jax-js start theirs at init too) keeps their boot out of the warm-up. In a browser worker they
      // can only start while this thread yields to its event loop, which it does here.
      await torch.warmUpMatmulThreads();
      return undefined;
    },
    describe: () =>
      device === "cpu"
        ? describeCpu()
        : `webgpu on ${adapter}; timed until a result is read back (the loss, or one element of the product), which waits for all work submitted before it`,
    async prepare(c, data): Promise<Task | NotAvailable> {
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
              return read(loss);
            },
          };
        }
        case "matmul": {
          const { a, b } = data as PairData;
          const ta = t(a);
          const tb = t(b);
          if (device === "cpu") return { run: () => void ta.mm(tb) };
          return { run: () => read(ta.mm(tb).narrow(0, 0, 1).narrow(1, 0, 1)) };
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
          const weights = Object.entries(state).map(([key, a]) => [
            key,
            torch.tensor(new Float32Array(a.data)).reshape(a.shape),
          ]);
          model.loadStateDict(Object.fromEntries(weights));
          model.to(device);
          const optimizer = new torch.optim.Adam(model.parameters(), { lr: c.lr });
          const n = images.shape[0] as number;
          return {
            async run() {
              let total = 0;
              for (let start = 0; start < n; start += c.batchSize) {
                const size = Math.min(c.batchSize, n - start);
                const logits = model.forward(images.narrow(0, start, size));
                const loss = torch.nn.functional.crossEntropy(logits, labels.narrow(0, start, size));
                optimizer.zeroGrad();
                loss.backward();
                optimizer.step();
                total += Number(await read(loss));
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
            return read(x);
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
              return read(loss);
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
}

/** torchlet on the CPU. */
export const peer = torchletPeer("torchlet", "cpu");

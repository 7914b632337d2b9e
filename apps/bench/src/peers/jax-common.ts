import type * as Jax from "@jax-js/jax";
import {
  DIGITS_PEERS_ONLY,
  type InProcessPeer,
  type NotAvailable,
  type PeerId,
  type RunValue,
  type Task,
} from "../peer.js";
import { adapterName, webgpu } from "../webgpu.js";
import type { Array32, ChainData, CrossEntropyData, PairData, TrainData } from "../workloads.js";

type JaxModule = typeof Jax;
type Arr = Jax.Array;
type Params = { w1: Arr; b1: Arr; w2: Arr; b2: Arr };

/**
 * jax-js on its `wasm` device or its `webgpu` one. jax-js counts references: every function consumes
 * its array arguments, so arrays used again are passed as `x.ref`. Results are awaited with
 * `blockUntilReady` (or read back when a scalar) before the clock stops; on webgpu `blockUntilReady`
 * submits the pending kernels and maps a zero-byte copy queued after them, so it waits for them.
 * `jit` compiles the whole step (forward, backward, update) into fused kernels; eager runs op by op.
 */
export function jaxPeer(id: PeerId, useJit: boolean, device: "wasm" | "webgpu" = "wasm"): InProcessPeer {
  let jax: JaxModule | undefined;
  let adapter: string | undefined;
  return {
    kind: "in-process",
    id,
    async init(): Promise<NotAvailable | undefined> {
      const mod = await import("@jax-js/jax");
      if (device === "webgpu") {
        // jax-js finds WebGPU only as navigator.gpu: installed from Dawn in Node.
        const gpu = await webgpu();
        if ("na" in gpu) return gpu;
        adapter = await adapterName(gpu, "high-performance");
      }
      // init() with no argument probes WebGPU through `navigator`, which Node 20 lacks.
      const devices = await mod.init(device);
      if (!devices.includes(device)) return { na: `no ${device} device in jax-js` };
      jax = mod;
      return undefined;
    },
    describe: () =>
      adapter
        ? `webgpu on ${adapter}; timed until blockUntilReady resolves (or the loss is read back)`
        : undefined,
    prepare(c, data): Task | NotAvailable {
      const { numpy: np, nn, jit, valueAndGrad, blockUntilReady, tree } = jax as JaxModule;
      // A scalar read back: `item()` reads synchronously, which jax-js's webgpu device cannot in Node.
      const read = (a: Arr): RunValue | Promise<RunValue> =>
        device === "wasm" ? a.item() : a.data().then((d) => d[0]);
      // One process may hold jax peers on both devices: each case's arrays go to its peer's device.
      (jax as JaxModule).defaultDevice(device);
      const t = (a: Array32): Arr => np.array(new Float32Array(a.data)).reshape(a.shape);
      const maybeJit = <F extends (...args: Arr[]) => Arr>(f: F) => (useJit ? jit(f) : f);
      switch (c.kind) {
        case "digits":
          return DIGITS_PEERS_ONLY;
        case "train": {
          const d = data as TrainData;
          const x = t(d.x);
          const y = t(d.y);
          let params: Params = { w1: t(d.w1), b1: t(d.b1), w2: t(d.w2), b2: t(d.b2) };
          const loss = (p: Params, xs: Arr, ys: Arr): Arr => {
            const pred = np.matmul(nn.relu(np.matmul(xs, p.w1).add(p.b1)), p.w2).add(p.b2);
            const err = pred.sub(ys);
            return err.ref.mul(err).mean();
          };
          const step = (p: Params, xs: Arr, ys: Arr): [Arr, Params] => {
            const [value, grads] = valueAndGrad(loss)(tree.ref(p), xs, ys);
            const next = tree.map((w: Arr, g: Arr) => w.sub(g.mul(c.lr)), p, grads) as Params;
            return [value, next];
          };
          const update = useJit ? jit(step) : step;
          return {
            run() {
              const [value, next] = update(params, x.ref, y.ref);
              params = next;
              // Reading the loss waits for it, and for the update computed in the same step.
              return blockUntilReady(params).then(() => read(value));
            },
            dispose: () => tree.dispose([x, y, params]),
          };
        }
        case "matmul": {
          const { a, b } = data as PairData;
          const ta = t(a);
          const tb = t(b);
          const mm = maybeJit((p: Arr, q: Arr) => np.matmul(p, q));
          return {
            run: () => blockUntilReady(mm(ta.ref, tb.ref)).then((out) => void out.dispose()),
            dispose: () => tree.dispose([ta, tb]),
          };
        }
        case "elementwise": {
          const { a, b } = data as PairData;
          const ta = t(a);
          const tb = t(b);
          const dispose = () => tree.dispose([ta, tb]);
          if (c.op === "sum") {
            const sum = maybeJit((p: Arr) => np.sum(p));
            return { run: () => read(sum(ta.ref)), dispose };
          }
          if (c.op === "relu") {
            const relu = maybeJit((p: Arr) => nn.relu(p));
            return { run: () => blockUntilReady(relu(ta.ref)).then((out) => void out.dispose()), dispose };
          }
          const add = maybeJit((p: Arr, q: Arr) => np.add(p, q));
          return {
            run: () => blockUntilReady(add(ta.ref, tb.ref)).then((out) => void out.dispose()),
            dispose,
          };
        }
        case "conv":
          return { na: "not measured" };
        case "chain": {
          if (c.grad) return { na: "no tape" };
          if (useJit) return { na: "fused by jit" };
          const d = data as ChainData;
          const start = t(d.start);
          const step = t(d.step);
          return {
            run() {
              let x = start.ref;
              for (let i = 0; i < c.length; i++) x = x.add(step.ref);
              return read(x);
            },
            dispose: () => tree.dispose([start, step]),
          };
        }
        case "crossEntropy": {
          // Each row's pick as a sum against a one-hot mask: takeAlongAxis (torch.gather's form) and
          // take differentiate through a scatter that does not compile under jit here.
          const d = data as CrossEntropyData;
          const x = t(d.logits);
          const target = np.array(Int32Array.from(d.target.data));
          const loss = (logits: Arr, picks: Arr): Arr =>
            nn.logSoftmax(logits, 1).mul(nn.oneHot(picks, c.classes)).sum(1).mean().neg();
          const step = valueAndGrad(loss);
          const update = useJit ? jit(step) : step;
          return {
            run() {
              const [value, grad] = update(x.ref, target.ref);
              return blockUntilReady(grad).then((g) => {
                g.dispose();
                return read(value);
              });
            },
            dispose: () => tree.dispose([x, target]),
          };
        }
      }
    },
  };
}

import type * as TF from "@tensorflow/tfjs-core";
import {
  DIGITS_PEERS_ONLY,
  type InProcessPeer,
  type NotAvailable,
  type PeerId,
  type RunValue,
  type Task,
} from "../peer.js";
import { adapterName, webgpu } from "../webgpu.js";
import type {
  Array32,
  ChainData,
  ConvData,
  CrossEntropyData,
  DigitsCase,
  DigitsData,
  PairData,
  TrainData,
} from "../workloads.js";

type Tf = typeof TF;
type Backend = "cpu" | "wasm" | "webgpu";

/**
 * Reads a scalar back and disposes it. The cpu and wasm kernels have run by the time an op returns,
 * so `dataSync` costs no wait; webgpu queues its kernels, and `data()` resolves once they have run.
 */
function readScalar(backend: Backend, s: TF.Tensor): RunValue | Promise<RunValue> {
  if (backend !== "webgpu") {
    const v = s.dataSync()[0];
    s.dispose();
    return v;
  }
  return s.data().then((d) => {
    s.dispose();
    return d[0];
  });
}

/**
 * TensorFlow.js on one backend. The backends share tfjs-core's engine, so `prepare` switches the
 * active backend. The cpu and wasm kernels run synchronously inside the op call (neither backend has
 * a queue), so a returned op is a finished op; scalar results are read back with `dataSync` all the same.
 * `wasmPaths` is where a page serves the backend's .wasm files (the browser bench); with it tfjs
 * picks its threaded SIMD build where the page is cross-origin isolated, and runs XNNPACK on
 * hardwareConcurrency / 2 threads (it assumes two hyperthreads per core; setThreadsCount cannot go
 * above that), so one thread on a 2-core machine. The webgpu backend queues its kernels: its runs end
 * by reading a result back (the loss, or one element of a product), which waits for them.
 */
export function tfjsPeer(id: PeerId, backend: Backend, wasmPaths?: string): InProcessPeer {
  let tf: Tf | undefined;
  let threads: (() => number) | undefined;
  let adapter: string | undefined;
  const read = (s: TF.Tensor) => readScalar(backend, s);
  return {
    kind: "in-process",
    id,
    async init(): Promise<NotAvailable | undefined> {
      const core = await import("@tensorflow/tfjs-core");
      // tfjs-core alone registers no gradients: the @tensorflow/tfjs umbrella imports this module.
      await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
      await import("@tensorflow/tfjs-backend-cpu");
      if (backend === "wasm") {
        const wasm = await import("@tensorflow/tfjs-backend-wasm");
        if (wasmPaths) wasm.setWasmPaths(wasmPaths);
        threads = wasm.getThreadsCount;
      }
      if (backend === "webgpu") {
        // It registers itself only where navigator.gpu exists when it is imported.
        const gpu = await webgpu();
        if ("na" in gpu) return gpu;
        await import("@tensorflow/tfjs-backend-webgpu");
        adapter = await adapterName(gpu, "high-performance");
      }
      // tfjs-cpu prints a banner recommending tfjs-node on its first tensor in Node (tfjs-node, native
      // TensorFlow, is not a peer here): create one while console.warn is silenced.
      const warn = console.warn;
      console.warn = () => {};
      try {
        if (!(await core.setBackend(backend))) return { na: `tfjs ${backend} backend failed to start` };
        core.dispose(core.scalar(0));
      } finally {
        console.warn = warn;
      }
      if (backend === "wasm" && !(await core.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) {
        return { na: "no Wasm SIMD" };
      }
      tf = core;
      return undefined;
    },
    describe: () =>
      adapter
        ? `webgpu on ${adapter}; timed until a result is read back with data() (the loss, or one element of the product)`
        : threads
          ? `${threads()} thread${threads() === 1 ? "" : "s"} (XNNPACK)`
          : "pure-JS kernels",
    async prepare(c, data): Promise<Task | NotAvailable> {
      const tfjs = tf as Tf;
      await tfjs.setBackend(backend);
      const t = (a: Array32) => tfjs.tensor(a.data, a.shape, "float32");
      switch (c.kind) {
        case "train": {
          const d = data as TrainData;
          const x = t(d.x);
          const y = t(d.y);
          const params = [d.w1, d.b1, d.w2, d.b2].map((a) => tfjs.variable(t(a)));
          const [w1, b1, w2, b2] = params as [TF.Variable, TF.Variable, TF.Variable, TF.Variable];
          // Functional ops: the chained methods (x.matMul) exist only after importing tfjs's register_all_chained_ops.
          const loss = () => {
            const hidden = tfjs.relu(tfjs.add(tfjs.matMul(x, w1), b1));
            return tfjs.mean(tfjs.square(tfjs.sub(tfjs.add(tfjs.matMul(hidden, w2), b2), y))) as TF.Scalar;
          };
          return {
            run() {
              const value = tfjs.tidy(() => {
                const { value, grads } = tfjs.variableGrads(loss, params);
                for (const w of params) w.assign(tfjs.sub(w, tfjs.mul(grads[w.name] as TF.Tensor, c.lr)));
                return value;
              });
              return read(value);
            },
            dispose: () => tfjs.dispose([x, y, ...params]),
          };
        }
        case "digits":
          if (backend === "cpu") return DIGITS_PEERS_ONLY;
          // tfjs-wasm 4.22 has no kernels for the convolution's gradients (Conv2DBackpropFilter/Input).
          if (c.model === "cnn" && !tfjs.getKernel("Conv2DBackpropFilter", backend)) {
            return { na: "no conv2d gradient kernels" };
          }
          return digitsTask(tfjs, c, data as DigitsData, read);
        case "matmul": {
          const { a, b } = data as PairData;
          const ta = t(a);
          const tb = t(b);
          const dispose = () => tfjs.dispose([ta, tb]);
          if (backend !== "webgpu") return { run: () => void tfjs.matMul(ta, tb).dispose(), dispose };
          return {
            run: () => read(tfjs.tidy(() => tfjs.slice(tfjs.matMul(ta, tb), [0, 0], [1, 1]))),
            dispose,
          };
        }
        case "elementwise": {
          const { a, b } = data as PairData;
          const ta = t(a);
          const tb = t(b);
          const dispose = () => tfjs.dispose([ta, tb]);
          if (c.op === "add") return { run: () => void tfjs.add(ta, tb).dispose(), dispose };
          if (c.op === "relu") return { run: () => void tfjs.relu(ta).dispose(), dispose };
          return { run: () => read(tfjs.sum(ta)), dispose };
        }
        case "conv": {
          // tfjs-wasm registers no Conv2DBackpropFilter/Input kernels
          if (backend === "wasm") return { na: "no conv2d gradient kernels" };
          // tfjs convolves NHWC inputs with [kh, kw, in, out] filters: the same data, transposed once here
          const d = data as ConvData;
          const x = tfjs.transpose(t(d.x), [0, 2, 3, 1]);
          const w = tfjs.transpose(t(d.w), [2, 3, 1, 0]);
          const b = t(d.b);
          const g = tfjs.transpose(t(d.g), [0, 2, 3, 1]);
          const layer = (input: TF.Tensor4D, filter: TF.Tensor4D, bias: TF.Tensor) =>
            tfjs.add(tfjs.conv2d(input, filter, 1, "valid"), bias) as TF.Tensor4D;
          const step = c.inputGrad
            ? tfjs.grads((input: TF.Tensor, filter: TF.Tensor, bias: TF.Tensor) =>
                layer(input as TF.Tensor4D, filter as TF.Tensor4D, bias),
              )
            : tfjs.grads((filter: TF.Tensor, bias: TF.Tensor) =>
                layer(x as TF.Tensor4D, filter as TF.Tensor4D, bias),
              );
          const inputs = c.inputGrad ? [x, w, b] : [w, b];
          return {
            run() {
              tfjs.dispose(step(inputs, g));
              return undefined;
            },
            dispose: () => tfjs.dispose([x, w, b, g]),
          };
        }
        case "chain": {
          if (c.grad) return { na: "no tape" };
          const d = data as ChainData;
          const start = t(d.start);
          const step = t(d.step);
          return {
            run() {
              const out = tfjs.tidy(() => {
                let x: TF.Tensor = start;
                for (let i = 0; i < c.length; i++) x = tfjs.add(x, step);
                return x;
              });
              return read(out);
            },
            dispose: () => tfjs.dispose([start, step]),
          };
        }
        case "crossEntropy": {
          // Each row's pick as a sum against a one-hot mask (tf.losses.softmaxCrossEntropy's form):
          // gather with batchDims 1 (torch.gather's form) differentiates by splitting x into one
          // tensor per row, and gather's gradient (UnsortedSegmentSum) has no wasm kernel.
          const d = data as CrossEntropyData;
          const x = t(d.logits);
          const target = tfjs.tensor(Int32Array.from(d.target.data), [c.rows], "int32");
          const loss = (logits: TF.Tensor) =>
            tfjs.neg(
              tfjs.mean(tfjs.sum(tfjs.mul(tfjs.logSoftmax(logits, 1), tfjs.oneHot(target, c.classes)), 1)),
            ) as TF.Scalar;
          const valueAndGrad = tfjs.valueAndGrad(loss);
          return {
            run() {
              const { value, grad } = valueAndGrad(x);
              grad.dispose();
              return read(value);
            },
            dispose: () => tfjs.dispose([x, target]),
          };
        }
      }
    },
  };
}

/**
 * One epoch of the digits model built from tfjs ops, with PyTorch's initial weights moved into
 * tfjs's layouts: tfjs convolves NHWC images (a reshape here, as there is one channel) with
 * [kh, kw, in, out] filters, and the final linear layer's weight columns are permuted from PyTorch's
 * (channel, row, column) order of the flattened features to NHWC's (row, column, channel). Adam with
 * PyTorch's epsilon (tfjs's default is 1e-7).
 */
function digitsTask(
  tf: Tf,
  c: DigitsCase,
  data: DigitsData,
  read: (s: TF.Tensor) => RunValue | Promise<RunValue>,
): Task {
  const { images: x, labels: y } = data;
  const t = (a: Array32) => tf.tensor(a.data, a.shape, "float32");
  const param = (key: string) => t(data[key] as Array32);
  const n = x.shape[0] as number;
  const images = tf.tensor(x.data, c.model === "mlp" ? [n, 28 * 28] : [n, 28, 28, 1], "float32");
  const labels = tf.oneHot(tf.tensor(y.data, [n], "int32"), 10);
  const keep = (e: TF.Tensor) => tf.tidy(() => e);
  const linearWeight = (key: string) => keep(tf.transpose(param(key)));
  const filter = (key: string) => keep(tf.transpose(param(key), [2, 3, 1, 0]));
  const featuresWeight = (key: string) =>
    keep(tf.reshape(tf.transpose(tf.reshape(param(key), [10, 32, 7, 7]), [2, 3, 1, 0]), [32 * 7 * 7, 10]));
  const weights: Record<string, TF.Tensor> =
    c.model === "mlp"
      ? {
          w1: linearWeight("1.weight"),
          b1: param("1.bias"),
          w2: linearWeight("3.weight"),
          b2: param("3.bias"),
        }
      : {
          f1: filter("0.weight"),
          b1: param("0.bias"),
          f2: filter("3.weight"),
          b2: param("3.bias"),
          w3: featuresWeight("7.weight"),
          b3: param("7.bias"),
        };
  const v = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, tf.variable(w)])) as Record<
    string,
    TF.Variable
  >;
  tf.dispose(Object.values(weights));
  const w = (key: string) => v[key] as TF.Tensor;
  const forward = (xb: TF.Tensor): TF.Tensor => {
    if (c.model === "mlp") {
      const hidden = tf.relu(tf.add(tf.matMul(xb, w("w1")), w("b1")));
      return tf.add(tf.matMul(hidden, w("w2")), w("b2"));
    }
    const block = (input: TF.Tensor, f: string, b: string): TF.Tensor4D =>
      tf.maxPool(
        tf.relu(tf.add(tf.conv2d(input as TF.Tensor4D, w(f) as TF.Tensor4D, 1, "same"), w(b))) as TF.Tensor4D,
        2,
        2,
        "valid",
      ) as TF.Tensor4D;
    const features = block(block(xb, "f1", "b1"), "f2", "b2");
    return tf.add(tf.matMul(tf.reshape(features, [xb.shape[0] as number, 32 * 7 * 7]), w("w3")), w("b3"));
  };
  const optimizer = tf.train.adam(c.lr, 0.9, 0.999, 1e-8);
  return {
    async run() {
      let total = 0;
      let batches = 0;
      for (let start = 0; start < n; start += c.batchSize, batches++) {
        const size = Math.min(c.batchSize, n - start);
        const loss = optimizer.minimize(() => {
          const xb = tf.slice(images, start, size);
          const yb = tf.slice(labels, start, size);
          return tf.losses.softmaxCrossEntropy(yb, forward(xb)) as TF.Scalar;
        }, true) as TF.Scalar;
        total += (await read(loss)) as number;
      }
      return total / batches;
    },
    dispose: () => {
      optimizer.dispose();
      tf.dispose([images, labels, ...Object.values(v)]);
    },
  };
}

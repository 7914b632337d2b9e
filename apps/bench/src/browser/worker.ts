/**
 * The browser bench's worker (bundled by tsup into dist/browser/worker.js): runs the same loop as
 * `pnpm bench` (run.ts) on the browser peers and posts progress lines and the results to the page.
 * A worker, because torchlet's matmul helpers need a thread that may block in Atomics.wait; tfjs-wasm
 * and jax-js start their own thread pools from here as they would from a page. The GPU peers find
 * WebGPU as the worker's `navigator.gpu`.
 */
import type { PeerId } from "../peer.js";
import { jaxPeer } from "../peers/jax-common.js";
import { tfjsPeer } from "../peers/tfjs-common.js";
import { peer as torchlet, torchletPeer } from "../peers/torchlet.js";
import { type BenchOptions, runBench } from "../run.js";
import type { BrowserMessage } from "./protocol.js";

async function loadPeer(id: PeerId) {
  switch (id) {
    case "torchlet":
      return torchlet;
    case "tfjs-wasm":
      return tfjsPeer("tfjs-wasm", "wasm", "/tfjs/");
    case "jax-eager":
      return jaxPeer("jax-eager", false);
    case "jax-jit":
      return jaxPeer("jax-jit", true);
    case "torchlet-webgpu":
      return torchletPeer(id, "webgpu");
    case "tfjs-webgpu":
      return tfjsPeer(id, "webgpu");
    case "jax-eager-webgpu":
      return jaxPeer(id, false, "webgpu");
    case "jax-jit-webgpu":
      return jaxPeer(id, true, "webgpu");
    default:
      throw new Error(`${id} does not run in the browser bench`);
  }
}

const post = (message: BrowserMessage) =>
  (self as unknown as { postMessage(m: unknown): void }).postMessage(message);

self.onmessage = async (event: MessageEvent<BenchOptions>) => {
  try {
    const { results, notes } = await runBench(event.data, (line) => post({ log: line }), loadPeer);
    const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
    notes.unshift(
      `browser worker: crossOriginIsolated ${g.crossOriginIsolated === true}, hardwareConcurrency ${g.navigator?.hardwareConcurrency}`,
    );
    post({
      done: { results: results.map((r) => ({ id: r.c.id, outcomes: [...r.outcomes] })), notes },
    });
  } catch (error) {
    post({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
  }
};

/**
 * `pnpm bench --browser`: serves the bench worker (dist/browser/worker.js) from a cross-origin
 * isolated page on 127.0.0.1, drives Debian's Chromium through playwright-core (no browser download),
 * relays the worker's progress lines and returns its results, as the Node runner would have.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { BenchOptions, BenchRun, Log } from "../run.js";
import { allCases, type Device } from "../workloads.js";
import type { BrowserMessage } from "./protocol.js";

type DoneMessage = Extract<BrowserMessage, { done: unknown }>["done"];

export const CHROMIUM = "/usr/bin/chromium";

// Launch flags that keep Chromium off the network (this machine reaches none) and its profile fresh.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];

/**
 * The GPU flags of each device's run: none for the CPU, WebGPU on SwiftShader (Chromium's CPU
 * emulation, the adapter this machine has; a page from 127.0.0.1 is a secure context) for webgpu.
 */
const GPU_ARGS: Record<Device, string[]> = {
  cpu: ["--disable-gpu"],
  webgpu: ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"],
};

/** The page: starts the bench worker and hands its messages to the host's exposed `benchMessage`. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>torchlet bench</title>
<script type="module">
const worker = new Worker("./worker.js", { type: "module" });
worker.onmessage = (event) => window.benchMessage(event.data);
worker.onerror = (event) => window.benchMessage({ error: event.message || "worker failed to load" });
window.startBench = (options) => worker.postMessage(options);
</script>
`;

/** dist/browser/worker.js, found from src/browser (tests) or dist (the bundle). */
export function workerBundle(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "dist", "browser", "worker.js");
    if (existsSync(candidate)) return candidate;
    const sibling = join(dir, "browser", "worker.js");
    if (existsSync(sibling)) return sibling;
    dir = dirname(dir);
  }
  return undefined;
}

/** The tfjs-wasm backend's .wasm files (tfjs fetches the one it picks from /tfjs/). */
function tfjsWasmDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
}

/**
 * A static server on 127.0.0.1 whose every response carries COOP/COEP: the page is cross-origin
 * isolated, so its workers get SharedArrayBuffer and Atomics.wait (torchlet's helpers, tfjs's
 * pthreads and jax-js's pool all need them).
 */
function serve(worker: string): Promise<{ server: Server; url: string }> {
  const wasmDir = tfjsWasmDir();
  const files: Record<string, () => [string, Buffer | string]> = {
    "/": () => ["text/html", PAGE],
    "/worker.js": () => ["text/javascript", readFileSync(worker)],
    "/favicon.ico": () => ["image/x-icon", ""],
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    let body: [string, Buffer | string] | undefined = files[path]?.();
    const wasm = path.startsWith("/tfjs/") ? basename(path) : undefined;
    if (!body && wasm?.endsWith(".wasm") && existsSync(join(wasmDir, wasm))) {
      body = ["application/wasm", readFileSync(join(wasmDir, wasm))];
    }
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": body[0] }).end(body[1]);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** Runs the bench in Chromium; `browser` is its version string. */
export async function runInBrowser(options: BenchOptions, log: Log): Promise<BenchRun & { browser: string }> {
  const worker = workerBundle();
  if (!worker)
    throw new Error("dist/browser/worker.js is missing: run `pnpm bench --browser` (it builds it)");
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (as root)`);
  }
  const { server, url } = await serve(worker);
  const profile = mkdtempSync(join(tmpdir(), "torchlet-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...ARGS, ...GPU_ARGS[options.device]],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    let settle: { resolve(r: DoneMessage): void; reject(e: Error): void } | undefined;
    const done = new Promise<DoneMessage>((resolve, reject) => {
      settle = { resolve, reject };
    });
    done.catch(() => {}); // awaited below; a failure before that must not count as unhandled
    page.on("pageerror", (e) => settle?.reject(new Error(`page error: ${e.message}`)));
    page.on("console", (m) => {
      if (m.type() === "error") log(`browser console: ${m.text()}\n`);
    });
    await page.exposeFunction("benchMessage", (message: BrowserMessage) => {
      if ("log" in message) log(message.log);
      else if ("error" in message) settle?.reject(new Error(`bench worker: ${message.error}`));
      else settle?.resolve(message.done);
    });
    await page.goto(url);
    await page.waitForFunction(() => typeof (window as { startBench?: unknown }).startBench === "function");
    await page.evaluate(
      (o) => (window as unknown as { startBench(o: unknown): void }).startBench(o),
      options,
    );
    const result = await done;
    const byId = new Map(allCases(options.device, options.matmulSizes).map((c) => [c.id, c]));
    const results = result.results.map((r) => {
      const c = byId.get(r.id);
      if (!c) throw new Error(`bench worker: unknown case ${r.id}`);
      return { c, outcomes: new Map(r.outcomes) };
    });
    const browser = `Chromium ${context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent))}`;
    return { results, notes: [`${browser}, headless, from ${CHROMIUM}`, ...result.notes], browser };
  } finally {
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

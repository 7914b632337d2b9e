/**
 * Finds a WebGPU implementation: the browser's `navigator.gpu`, else in Node the optional `webgpu`
 * package (Dawn). Returns null where neither exists, so that `init()` can answer false.
 */
export async function findGpu(): Promise<GPU | null> {
  const browser = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (browser) return browser;
  if (typeof process === "undefined" || !process.versions?.node) return null;
  try {
    // A specifier in a variable keeps bundlers from resolving this optional, Node-only package.
    const name = "webgpu";
    const dawn = (await import(/* @vite-ignore */ name)) as { create: (options: string[]) => GPU };
    return dawn.create([]);
  } catch {
    return null;
  }
}

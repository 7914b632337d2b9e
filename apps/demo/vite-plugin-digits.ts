// Serves the mnist package's digits to the Digits page's worker as one compact asset (see
// src/digits/packed-digits.ts): `import url from "virtual:mnist-digits"` gives its URL. Bundling the
// package itself would put its 21 MB of JSON numbers into the worker's JavaScript.
import { createRequire } from "node:module";
import type { Plugin } from "vite";
import { packDigits } from "./src/digits/packed-digits.js";

const ID = "virtual:mnist-digits";
const RESOLVED = `\0${ID}`;
const FILE = "mnist-digits.bin";
/** Where the dev server answers with the asset (a build emits it into assets/ instead). */
const DEV_PATH = `/@torchlet/${FILE}`;

/** The mnist package's digits: `raw` holds every sample of one class, 784 pixels each. */
type Mnist = readonly { raw: readonly number[] }[];

async function packed(): Promise<Uint8Array> {
  // Read with require: the package is CommonJS and ships no types.
  const mnist = createRequire(import.meta.url)("mnist") as Mnist;
  return packDigits(mnist.map((digit) => digit.raw));
}

export function mnistDigits(): Plugin {
  let serving = false;
  return {
    name: "torchlet-mnist-digits",
    configResolved(config) {
      serving = config.command === "serve";
    },
    configureServer(server) {
      server.middlewares.use(DEV_PATH, (_req, res) => {
        packed().then(
          (bytes) => {
            res.setHeader("Content-Type", "application/octet-stream");
            res.end(bytes);
          },
          (error) => {
            res.statusCode = 500;
            res.end(String(error));
          },
        );
      });
    },
    resolveId(id) {
      return id === ID ? RESOLVED : undefined;
    },
    async load(id) {
      if (id !== RESOLVED) return undefined;
      if (serving) return `export default ${JSON.stringify(DEV_PATH)};`;
      const ref = this.emitFile({ type: "asset", name: FILE, source: await packed() });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}

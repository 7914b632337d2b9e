// torchlet's webgpu device in a browser: headless Chromium with SwiftShader as its WebGPU adapter
// loads test/webgpu-page/ from 127.0.0.1 (WebGPU needs a secure context), and the page trains the
// chapter's 3-32-1 network on webgpu. Its losses must be PyTorch's. Where Chromium or its adapter is
// missing the test skips and says which; where the page trains, a wrong loss fails.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { createServer, defaultClientConditions, type ViteDevServer } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { type Browser, CHROMIUM, freePort, launchChromium, WEBGPU } from "./chromium.js";
import type { ChapterRun } from "./webgpu-page/chapter.js";

/** PyTorch's losses for `torchlet train` with no options: seed 42, 200 epochs, every 10th logged. */
const pytorch = (
  JSON.parse(readFileSync(new URL("../../cli/fixtures/chapter.json", import.meta.url), "utf8")) as {
    cases: { args: string[]; losses: { epoch: number; loss: number }[] }[];
  }
).cases.find((c) => c.args.length === 0)?.losses as { epoch: number; loss: number }[];

let server: ViteDevServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let skipReason: string | null = null;

/** Serves the page (compiled from torchlet's sources as the demo is) and opens it in Chromium. */
async function openPage(): Promise<Page> {
  server = await createServer({
    configFile: false,
    root: fileURLToPath(new URL("./webgpu-page/", import.meta.url)),
    logLevel: "warn",
    resolve: { conditions: ["@torchlet/source", ...defaultClientConditions] },
    server: { host: "127.0.0.1", port: await freePort(), strictPort: true },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error("webgpu e2e: vite reported no local URL");
  browser = await launchChromium(WEBGPU);
  const opened = await browser.context.newPage();
  await opened.goto(url);
  await opened.waitForFunction(() => "trainChapter" in window, null, { timeout: 30_000 });
  return opened;
}

function train(on: Page, epochs: number, logEvery: number): Promise<ChapterRun> {
  return on.evaluate(
    ([e, l]) =>
      (window as unknown as { trainChapter(e: number, l: number): Promise<ChapterRun> }).trainChapter(e, l),
    [epochs, logEvery] as const,
  );
}

// Decided before the tests are collected, so that a skip carries its reason in the suite's name. A
// Chromium that exists but fails to start or to serve the page throws here: the file fails.
if (!existsSync(CHROMIUM)) {
  skipReason = `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
} else {
  page = await openPage();
  const probe = await train(page, 0, 1);
  if (!probe.available) skipReason = `Chromium has no WebGPU adapter: ${probe.reason}`;
}
if (skipReason) console.warn(`webgpu in Chromium skipped: ${skipReason}`);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 20_000);

describe.skipIf(skipReason !== null)(
  `the chapter on webgpu in headless Chromium${skipReason ? ` [skipped: ${skipReason}]` : ""}`,
  () => {
    it("trains the 3-32-1 network to PyTorch's losses within 1e-4 relative (200 epochs, every 10th read)", async () => {
      const run = await train(page as Page, 200, 10);
      expect(run.available && run.adapter).toMatch(/swiftshader/i);
      expect(run.losses?.map((l) => l.epoch)).toEqual(pytorch.map((l) => l.epoch));
      for (const [i, want] of pytorch.entries()) {
        const got = run.losses?.[i]?.loss as number;
        expect(
          Math.abs(got - want.loss) / want.loss,
          `epoch ${want.epoch}: ${got} vs ${want.loss}`,
        ).toBeLessThan(1e-4);
      }
    }, 60_000);
  },
);

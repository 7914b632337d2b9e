// End-to-end: build the demo (unless an up-to-date build exists), serve it with vite's preview server,
// and drive Debian's Chromium through playwright-core, as a visitor would.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("..", import.meta.url));
const configFile = join(root, "vite.config.ts");
const dist = join(root, "dist");
const outDir = join(root, "test-output");
const NODE_NAMES = [
  "MmBackward0",
  "AddBackward0",
  "ReluBackward0",
  "SubBackward0",
  "PowBackward0",
  "MeanBackward0",
];

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) => {
      const path = join(dir, e.name);
      return e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

/** turbo's build task usually made dist already; rebuild when it is missing or older than the sources. */
async function ensureBuild(): Promise<void> {
  const index = join(dist, "index.html");
  const packages = join(root, "..", "..", "packages");
  const sources = Math.max(
    newestMtime(join(root, "src")),
    statSync(join(root, "index.html")).mtimeMs,
    statSync(configFile).mtimeMs,
    // The page bundles torchlet from its sources, so a change there makes dist stale too.
    ...readdirSync(packages).map((p) =>
      existsSync(join(packages, p, "src")) ? newestMtime(join(packages, p, "src")) : 0,
    ),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await build({ root, configFile, logLevel: "warn" });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let server: PreviewServer | undefined;
let context: BrowserContext | undefined;
let page: Page;
let profile: string | undefined;
const problems: string[] = [];

async function text(testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? "";
}
async function epoch(): Promise<number> {
  return Number(await text("epoch"));
}
async function loss(): Promise<number> {
  return Number(await text("loss"));
}

async function openPage(): Promise<void> {
  // Build first: the bundle test below needs dist/ even where no browser is installed.
  await ensureBuild();
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `e2e: no Chromium at ${CHROMIUM}. Install Debian's package (apt-get install -y chromium); these tests must not be skipped.`,
    );
  }
  server = await preview({
    root,
    configFile,
    logLevel: "warn",
    preview: { host: "127.0.0.1", port: await freePort(), strictPort: true, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error("e2e: vite preview reported no local URL");

  profile = mkdtempSync(join(tmpdir(), "torchlet-demo-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  await page.goto(url);
}

describe("demo in Chromium", () => {
  // Set-up failures are kept and rethrown by every test, so a missing Chromium shows as failed tests
  // with this message (vitest reports tests of a suite whose beforeAll threw as skipped).
  let setupError: unknown = null;
  const ready = (): void => {
    if (setupError) throw setupError;
  };

  beforeAll(async () => {
    try {
      await openPage();
    } catch (error) {
      setupError = error;
    }
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 20_000);

  it("loads and shows the untrained network: epoch 0, a loss and the autograd graph", async () => {
    ready();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="loss"]')?.textContent !== "–",
      null,
      {
        timeout: 15_000,
      },
    );
    expect(await epoch()).toBe(0);
    expect(await loss()).toBeGreaterThan(0);
    const graph = await text("graph");
    for (const name of [...NODE_NAMES, "AccumulateGrad"]) expect(graph).toContain(name);
    expect(await text("code")).toContain("loss.backward();");
    expect(problems).toEqual([]);
  }, 20_000);

  it("is cross-origin isolated, so its worker runs large matmuls on helper threads, checked", async () => {
    ready();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="backend"]')?.textContent !== "…",
      null,
      {
        timeout: 15_000,
      },
    );
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const status = await text("backend");
    expect(status).toMatch(/^Wasm SIMD, /);
    if (cores > 1) expect(status).toMatch(/^Wasm SIMD, \d+ helper threads? \(checked\)$/);
    expect(problems).toEqual([]);
  }, 20_000);

  it("trains: the epoch advances and the loss decreases", async () => {
    ready();
    const startLoss = await loss();
    await page.getByTestId("train").click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="epoch"]')?.textContent) >= 30,
      null,
      {
        timeout: 20_000,
      },
    );
    expect(await loss()).toBeLessThan(startLoss);
    expect(await page.getByTestId("loss-chart").locator("polyline").count()).toBe(1);
    // After a backward pass the diagram reports each parameter's gradient magnitude.
    expect(await text("graph")).toContain("‖grad‖");
  }, 30_000);

  it("pauses, then steps exactly one epoch", async () => {
    ready();
    await page.getByTestId("pause").click();
    await page.waitForFunction(() => document.body.dataset.state === "paused", null, { timeout: 5_000 });
    const paused = await epoch();
    await page.waitForTimeout(400);
    expect(await epoch()).toBe(paused);

    await page.getByTestId("step").click();
    await page.waitForFunction(
      (e) => Number(document.querySelector('[data-testid="epoch"]')?.textContent) === e + 1,
      paused,
      {
        timeout: 5_000,
      },
    );
    await page.waitForFunction(() => document.body.dataset.state === "paused", null, { timeout: 5_000 });
    await page.waitForTimeout(300);
    expect(await epoch()).toBe(paused + 1);
  }, 20_000);

  it("shows the chosen style's code beside its live loss curve: modules, optim.SGD, optim.Adam, raw", async () => {
    ready();
    const styles = [
      ["modules", "model.zeroGrad();", "0.0001"],
      ["optim", "new torch.optim.SGD(model.parameters(), { lr: 0.0001 });", "0.0001"],
      ["adam", "new torch.optim.Adam(model.parameters(), { lr: 0.01 });", "0.01"],
      ["raw", "w1.sub_(w1.grad!.mul(lr));", "0.0001"],
    ] as const;
    for (const [style, line, lr] of styles) {
      await page.selectOption("#style", style);
      // The reset shows the untrained network again: epoch 0 and its loss.
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="epoch"]')?.textContent === "0" &&
          document.body.dataset.state === "idle" &&
          document.querySelector('[data-testid="loss"]')?.textContent !== "–",
        null,
        { timeout: 10_000 },
      );
      expect(await text("code"), style).toContain(line);
      expect(await page.inputValue("#lr"), style).toBe(lr);
      const startLoss = await loss();
      await page.getByTestId("train").click();
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="epoch"]')?.textContent) >= 20,
        null,
        { timeout: 20_000 },
      );
      await page.getByTestId("pause").click();
      await page.waitForFunction(() => document.body.dataset.state === "paused", null, { timeout: 5_000 });
      expect(await loss(), style).toBeLessThan(startLoss);
      expect(await page.getByTestId("loss-chart").locator("polyline").count(), style).toBe(1);
    }
    expect(problems).toEqual([]);
  }, 90_000);

  it("starts from a PyTorch model file: its loss on the data is PyTorch's, and a bad file is refused", async () => {
    ready();
    const fixtures = join(root, "test", "fixtures");
    const expected = JSON.parse(readFileSync(join(fixtures, "chapter-model.json"), "utf8"));
    await page.selectOption("#style", "raw");
    await page.selectOption("#dataset", "chapter");
    await page.fill("#seed", "42");
    await page.getByTestId("model-file").setInputFiles(join(fixtures, "chapter-model.pt"));
    await page.waitForFunction(
      () => /loaded/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ""),
      null,
      { timeout: 15_000 },
    );
    expect(await text("model-status")).toContain("Linear(3, 8), ReLU, Linear(8, 1) loaded");
    expect(await page.inputValue("#hidden")).toBe(String(expected.hidden));
    await page.waitForFunction(() => document.querySelector('[data-testid="epoch"]')?.textContent === "0");
    expect(Math.abs((await loss()) - expected.loss) / expected.loss).toBeLessThan(1e-4);
    await page.getByTestId("model-file").setInputFiles({
      name: "notes.pt",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("not a model"),
    });
    await page.waitForFunction(
      () => /cannot be used/.test(document.querySelector('[data-testid="model-status"]')?.textContent ?? ""),
      null,
      { timeout: 15_000 },
    );
    expect(await text("model-status")).toMatch(
      /^notes.pt cannot be used: safetensors.load: invalid safetensors file/,
    );
    expect(problems).toEqual([]);
  }, 40_000);

  it("fits a laptop and a phone screen; screenshots go to test-output/", async () => {
    ready();
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, "demo.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(outDir, "demo-phone.png"), fullPage: true });
    expect(problems).toEqual([]);
    // Errors inside the worker are reported on the page, not in the console: none may show.
    expect(await page.locator("#state").textContent()).not.toMatch(/error|failed/);
  }, 20_000);

  it("ships a browser bundle without Node built-ins, with torchlet built from source into the worker only", () => {
    const assets = join(dist, "assets");
    const files = readdirSync(assets);
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      const code = readFileSync(join(assets, file), "utf8");
      expect(code, file).not.toMatch(
        /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](?:node:|fs["']|path["']|os["'])/,
      );
    }
    const sourcesOf = (prefix: string): string[] => {
      const map = files.find((f) => f.startsWith(prefix) && f.endsWith(".js.map"));
      if (!map) throw new Error(`e2e: no ${prefix}*.js.map in dist/assets`);
      return JSON.parse(readFileSync(join(assets, map), "utf8")).sources as string[];
    };
    // The "@torchlet/source" condition reached the worker's bundle: torchlet's TypeScript, not its dist.
    expect(sourcesOf("worker").some((s) => s.includes("packages/autograd/src/tensor.ts"))).toBe(true);
    expect(sourcesOf("worker").some((s) => s.includes("/dist/"))).toBe(false);
    // The page itself only draws: no tensors on the main thread.
    expect(sourcesOf("index").some((s) => s.includes("packages/"))).toBe(false);
  });
});

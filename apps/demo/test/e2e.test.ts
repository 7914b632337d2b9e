// End-to-end: build the demo (unless an up-to-date build exists), serve it with vite's preview server,
// and drive Debian's Chromium through playwright-core, as a visitor would.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { build, type PreviewServer, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { type Browser, CHROMIUM, freePort, launchChromium, WEBGPU } from "./chromium.js";

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
    ...["index.html", "digits.html", "vite-plugin-digits.ts"].map((f) => statSync(join(root, f)).mtimeMs),
    statSync(configFile).mtimeMs,
    // The page bundles torchlet from its sources, so a change there makes dist stale too.
    ...readdirSync(packages).map((p) =>
      existsSync(join(packages, p, "src")) ? newestMtime(join(packages, p, "src")) : 0,
    ),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await build({ root, configFile, logLevel: "warn" });
}

let server: PreviewServer | undefined;
let browser: Browser | undefined;
let baseUrl = "";
let page: Page;
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

/** Builds (if needed) and serves the demo, and starts Chromium. */
async function launch(): Promise<void> {
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
  baseUrl = server.resolvedUrls?.local[0] ?? "";
  if (!baseUrl) throw new Error("e2e: vite preview reported no local URL");

  browser = await launchChromium();
}

/** The page's note on WebGPU, once its worker has looked for an adapter. */
async function webgpuNote(on: Page): Promise<string> {
  await on.waitForFunction(
    () => !/^Looking/.test(document.querySelector('[data-testid="device-note"]')?.textContent ?? "Looking"),
    null,
    { timeout: 30_000 },
  );
  return (await on.getByTestId("device-note").textContent()) ?? "";
}

/** Opens one of the demo's pages, its console errors and warnings collected in `found`. */
async function openPage(path: string, found: string[]): Promise<Page> {
  if (!browser) throw new Error("e2e: no browser");
  const opened = await browser.context.newPage();
  opened.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") found.push(`console.${m.type()}: ${m.text()}`);
  });
  opened.on("pageerror", (e) => found.push(`page error: ${e.message}`));
  await opened.goto(new URL(path, baseUrl).href);
  return opened;
}

// Set-up failures are kept and rethrown by every test, so a missing Chromium shows as failed tests
// with this message (vitest reports tests of a suite whose beforeAll threw as skipped).
let setupError: unknown = null;
const ready = (): void => {
  if (setupError) throw setupError;
};

beforeAll(async () => {
  try {
    await launch();
  } catch (error) {
    setupError = error;
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 20_000);

describe("demo in Chromium", () => {
  beforeAll(async () => {
    if (!setupError) page = await openPage("./", problems);
  }, 60_000);

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

  it("shows the device that trains, cpu, and why WebGPU is not offered (this browser has no adapter)", async () => {
    ready();
    const note = await webgpuNote(page);
    expect(await text("device")).toMatch(/^cpu \(Wasm SIMD, (one thread|\d+ helper threads?)\)$/);
    expect(note).toBe(
      "WebGPU is not available: the browser offers no WebGPU adapter (no usable GPU, or WebGPU is switched off).",
    );
    expect(await page.locator('#device option[value="webgpu"]').isDisabled()).toBe(true);
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

  it("ships a browser bundle without Node built-ins, with torchlet built from source into the workers only", () => {
    const assets = join(dist, "assets");
    const files = readdirSync(assets);
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      const code = readFileSync(join(assets, file), "utf8");
      expect(code, file).not.toMatch(
        /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](?:node:|fs["']|path["']|os["'])/,
      );
    }
    const maps = files.filter((f) => f.endsWith(".js.map"));
    const sourcesOf = (map: string): string[] =>
      JSON.parse(readFileSync(join(assets, map), "utf8")).sources as string[];
    // Two workers (the chapter's and the digits'), each with torchlet's TypeScript, not its dist.
    const workers = maps.filter((f) => f.startsWith("worker-"));
    expect(workers.length).toBe(2);
    for (const map of workers) {
      expect(
        sourcesOf(map).some((s) => s.includes("packages/autograd/src/tensor.ts")),
        map,
      ).toBe(true);
      expect(
        sourcesOf(map).some((s) => s.includes("/dist/")),
        map,
      ).toBe(false);
    }
    // The chapter's worker carries the webgpu device; the Digits worker, which trains on the CPU,
    // only asks the browser for an adapter.
    const carriesWebgpu = (map: string) => sourcesOf(map).some((s) => s.includes("packages/webgpu/src/"));
    const digitsWorker = workers.filter((map) =>
      sourcesOf(map).some((s) => s.includes("src/digits/worker.ts")),
    );
    expect(digitsWorker.length).toBe(1);
    for (const map of workers) expect(carriesWebgpu(map), map).toBe(!digitsWorker.includes(map));
    // The digits worker reads the packed asset: the mnist package's JSON is in no bundle.
    expect(maps.flatMap(sourcesOf).some((s) => /\/mnist\/src\//.test(s))).toBe(false);
    // The pages themselves only draw: no tensors on the main thread.
    for (const map of maps.filter((f) => !f.startsWith("worker-"))) {
      expect(
        sourcesOf(map).some((s) => s.includes("packages/")),
        map,
      ).toBe(false);
    }
  });
});

describe("the Digits page in Chromium", () => {
  let digits: Page;
  const found: string[] = [];
  const read = async (testId: string) => (await digits.getByTestId(testId).textContent()) ?? "";
  const accuracy = async () => Number.parseFloat(await read("accuracy")) / 100;
  /** The drawing's class probabilities, as the page holds them (full precision). */
  const probabilities = () =>
    digits.$$eval('[data-testid="probabilities"] li', (items) =>
      items.map((li) => Number((li as HTMLElement).dataset.probability)),
    );
  const stroke = async (points: [number, number][]) => {
    const box = await digits.getByTestId("pad").boundingBox();
    if (!box) throw new Error("e2e: the drawing pad is not shown");
    const at = ([x, y]: [number, number]) =>
      [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
    await digits.mouse.move(...at(points[0] as [number, number]));
    await digits.mouse.down();
    for (const p of points.slice(1)) await digits.mouse.move(...at(p), { steps: 4 });
    await digits.mouse.up();
  };

  beforeAll(async () => {
    if (!setupError) digits = await openPage("./digits.html", found);
  }, 60_000);

  it("loads the 10,000 digits and shows the untrained model on the test split", async () => {
    ready();
    await digits.waitForFunction(() => document.body.dataset.state === "idle", null, { timeout: 60_000 });
    expect(await read("state")).toBe("ready");
    expect(await digits.locator("#data-size").textContent()).toBe("8,000 train, 2,000 test");
    expect(await digits.locator("#model option").allTextContents()).toEqual([
      "MLP 784-128-10",
      "CNN: 2 convolutions, pooling, linear",
    ]);
    // 100 test digits, each labelled with the prediction; the confusion matrix counts all 2,000.
    expect(await digits.locator('[data-testid="samples"] figure canvas').count()).toBe(100);
    await digits.waitForFunction(
      () => !document.querySelector('[data-testid="samples"] figcaption')?.textContent?.includes("?"),
    );
    const cells = await digits.locator('[data-testid="confusion"] td').allTextContents();
    expect(cells.length).toBe(100);
    expect(cells.reduce((n, c) => n + Number(c), 0)).toBe(2000);
    // The first layer of the MLP: 128 hidden units, each drawn as a 28 x 28 image of its weights.
    expect(await digits.locator('[data-testid="filters"] canvas').count()).toBe(128);
    expect(await accuracy()).toBeLessThan(0.3);
    // Digits trains on the CPU, and says why WebGPU is not used (this browser has no adapter).
    expect(await webgpuNote(digits)).toMatch(/^WebGPU is not available: /);
    await digits.waitForFunction(() => document.querySelector('[data-testid="device"]')?.textContent !== "…");
    expect(await read("device")).toMatch(/^cpu \(Wasm SIMD, (one thread|\d+ helper threads?)\)$/);
    expect(found).toEqual([]);
  }, 70_000);

  it("classifies a drawing as it is drawn: the probabilities sum to 1 and change with the strokes", async () => {
    ready();
    expect(await probabilities()).toEqual(Array(10).fill(Number.NaN));
    // A vertical stroke: a "1".
    await stroke([
      [140, 40],
      [140, 140],
      [138, 240],
    ]);
    await digits.waitForFunction(() =>
      document.querySelector('[data-testid="probabilities"] li')?.hasAttribute("data-probability"),
    );
    const first = await probabilities();
    expect(first.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(first.every((p) => p >= 0 && p <= 1)).toBe(true);
    // A bar across the top turns it into a "7".
    await stroke([
      [60, 40],
      [200, 40],
    ]);
    await digits.waitForFunction(
      (before) =>
        Array.from(document.querySelectorAll('[data-testid="probabilities"] li')).some(
          (li, i) => Number((li as HTMLElement).dataset.probability) !== before[i],
        ),
      first,
    );
    const second = await probabilities();
    expect(second).not.toEqual(first);
    expect(second.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(found).toEqual([]);
  }, 30_000);

  it("trains: the loss curve grows, the test accuracy rises past 80% within an epoch, the drawing is re-classified", async () => {
    ready();
    const untrained = await accuracy();
    const drawing = await probabilities();
    await digits.getByTestId("train").click();
    await digits.waitForFunction(
      () => Number(document.querySelector('[data-testid="epoch"]')?.textContent) >= 1,
      null,
      { timeout: 90_000 },
    );
    await digits.getByTestId("pause").click();
    await digits.waitForFunction(() => document.body.dataset.state === "paused", null, { timeout: 10_000 });
    const trained = await accuracy();
    expect(trained).toBeGreaterThan(untrained);
    expect(trained).toBeGreaterThan(0.8);
    // Five evaluations per epoch, each a point of the accuracy curve.
    const points = await digits.getByTestId("accuracy-chart").locator("polyline").getAttribute("points");
    expect(points?.split(" ").length).toBeGreaterThanOrEqual(5);
    expect(await digits.getByTestId("loss-chart").locator("polyline").count()).toBe(1);
    expect(await probabilities()).not.toEqual(drawing);
    // Mistakes in the grid name the true label.
    for (const label of await digits
      .locator('[data-testid="samples"] figure.wrong figcaption')
      .allTextContents())
      expect(label).toMatch(/^\d \(\d\)$/);
    expect(found).toEqual([]);
  }, 120_000);

  it("switches to the CNN: its 16 first-layer kernels drawn as 3 x 3 images, the drawing classified by it", async () => {
    ready();
    const mlp = await probabilities();
    await digits.selectOption("#model", "cnn");
    await digits.waitForFunction(
      () =>
        document.body.dataset.state === "idle" &&
        document.querySelectorAll('[data-testid="filters"] canvas').length === 16,
      null,
      { timeout: 60_000 },
    );
    expect(await digits.locator("#filters-note").textContent()).toBe(
      "(the 16 kernels of the first convolution, 3 × 3)",
    );
    expect(await read("epoch")).toBe("0");
    await digits.waitForFunction(
      (before) =>
        Array.from(document.querySelectorAll('[data-testid="probabilities"] li')).some(
          (li, i) => Number((li as HTMLElement).dataset.probability) !== before[i],
        ),
      mlp,
      { timeout: 30_000 },
    );
    expect((await probabilities()).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(found).toEqual([]);
  }, 100_000);

  it("fits a laptop and a phone screen; screenshots go to test-output/", async () => {
    ready();
    mkdirSync(outDir, { recursive: true });
    await digits.screenshot({ path: join(outDir, "digits.png"), fullPage: true });
    await digits.setViewportSize({ width: 390, height: 844 });
    await digits.waitForTimeout(200);
    const overflow = await digits.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await digits.screenshot({ path: join(outDir, "digits-phone.png"), fullPage: true });
    expect(await read("state")).not.toMatch(/error|failed/);
    expect(found).toEqual([]);
  }, 20_000);
});

describe("the chapter's page on WebGPU (Chromium with SwiftShader as its adapter)", () => {
  let gpuBrowser: Browser | undefined;
  let gpu: Page;
  const found: string[] = [];
  const read = async (testId: string) => (await gpu.getByTestId(testId).textContent()) ?? "";
  /** The loss shown, in full (the readout rounds it to 5 digits). */
  const fullLoss = async () => Number(await gpu.getByTestId("loss").getAttribute("data-value"));
  const until = (state: string) =>
    gpu.waitForFunction((s) => document.body.dataset.state === s, state, { timeout: 30_000 });

  beforeAll(async () => {
    if (setupError) return;
    gpuBrowser = await launchChromium(WEBGPU);
    const opened = await gpuBrowser.context.newPage();
    opened.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") found.push(`console.${m.type()}: ${m.text()}`);
    });
    opened.on("pageerror", (e) => found.push(`page error: ${e.message}`));
    await opened.goto(baseUrl);
    gpu = opened;
  }, 60_000);
  afterAll(() => gpuBrowser?.close(), 20_000);

  /** Skips the test, saying why, where this Chromium offers no adapter; else the page's note. */
  async function needAdapter(context: TestContext): Promise<string> {
    const note = await webgpuNote(gpu);
    if (/not available/.test(note)) context.skip(`Chromium has no WebGPU adapter here: ${note}`);
    return note;
  }

  /** Chooses the device (a reset), then trains 20 epochs: 3 single steps, then the rest; the losses seen. */
  async function trainOn(device: "cpu" | "webgpu"): Promise<number[]> {
    await gpu.selectOption("#device", device);
    await gpu.waitForFunction(
      (d) =>
        document.body.dataset.state === "idle" &&
        document.querySelector('[data-testid="epoch"]')?.textContent === "0" &&
        document.querySelector('[data-testid="device"]')?.textContent?.startsWith(d),
      device,
      { timeout: 30_000 },
    );
    const losses = [await fullLoss()];
    for (let epoch = 1; epoch <= 3; epoch++) {
      await gpu.getByTestId("step").click();
      await gpu.waitForFunction(
        (e) =>
          document.body.dataset.state === "paused" &&
          document.querySelector('[data-testid="epoch"]')?.textContent === String(e),
        epoch,
        { timeout: 30_000 },
      );
      losses.push(await fullLoss());
    }
    await gpu.getByTestId("train").click();
    await until("done");
    expect(await read("epoch")).toBe("20");
    losses.push(await fullLoss());
    return losses;
  }

  it("offers WebGPU, names the adapter that trains, and the code reads the loss asynchronously", async (context) => {
    ready();
    const note = await needAdapter(context);
    expect(note).toMatch(/^WebGPU adapter: .*swiftshader/);
    expect(await gpu.locator('#device option[value="webgpu"]').isDisabled()).toBe(false);
    await gpu.selectOption("#device", "webgpu");
    await gpu.waitForFunction(
      () => document.querySelector('[data-testid="device"]')?.textContent?.startsWith("webgpu"),
      null,
      { timeout: 30_000 },
    );
    expect(await read("device")).toMatch(/^webgpu \(.*swiftshader.*\)$/);
    expect(await read("code")).toContain("await loss.itemAsync();");
    expect(await read("code")).toContain('{ device: "webgpu", requiresGrad: true }');
    // The optimizer styles train on webgpu too (torch.optim updates device parameters).
    await gpu.selectOption("#style", "adam");
    await gpu.waitForFunction(
      () => document.querySelector('[data-testid="device"]')?.textContent?.startsWith("webgpu"),
      null,
      { timeout: 30_000 },
    );
    await gpu.selectOption("#style", "raw");
    expect(found).toEqual([]);
  }, 60_000);

  it("Digits names the adapter and says it trains on the CPU", async (context) => {
    ready();
    await needAdapter(context);
    const digits = await gpuBrowser?.context.newPage();
    if (!digits) throw new Error("e2e: no browser");
    digits.on("pageerror", (e) => found.push(`page error: ${e.message}`));
    await digits.goto(new URL("./digits.html", baseUrl).href);
    expect(await webgpuNote(digits)).toMatch(
      /^WebGPU adapter: .*swiftshader.*\. Digits trains on the CPU: its trainer reads results synchronously\.$/,
    );
    await digits.waitForFunction(() => document.querySelector('[data-testid="device"]')?.textContent !== "…");
    expect(await digits.getByTestId("device").textContent()).toMatch(/^cpu \(Wasm SIMD/);
    await digits.close();
    expect(found).toEqual([]);
  }, 60_000);

  it("trains 20 epochs on webgpu to the CPU's losses within 1e-4 relative", async (context) => {
    ready();
    await needAdapter(context);
    await gpu.selectOption("#speed", "100000");
    await gpu.fill("#epochs", "20");
    await gpu.locator("#epochs").dispatchEvent("change");
    const cpu = await trainOn("cpu");
    const webgpu = await trainOn("webgpu");
    expect(webgpu).toHaveLength(cpu.length);
    for (const [i, want] of cpu.entries())
      expect(
        Math.abs((webgpu[i] as number) - want) / want,
        `loss ${i}: ${webgpu[i]} vs ${want}`,
      ).toBeLessThan(1e-4);
    // Training lowered the loss on both.
    expect(webgpu.at(-1)).toBeLessThan(webgpu[0] as number);
    expect(await gpu.locator("#state").textContent()).not.toMatch(/error|failed/);
    expect(found).toEqual([]);
  }, 60_000);
});

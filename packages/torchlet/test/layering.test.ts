import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The layers of ARCHITECTURE.md, bottom first: a package may import only packages of a lower rank.
const RANK: Record<string, number> = {
  "@torchlet/storage": 0,
  "@torchlet/ops": 1,
  "@torchlet/autograd": 2,
  // the WebGPU device implements the ops layer's backend seam; autograd reaches it through ops
  "@torchlet/webgpu": 2,
  "@torchlet/data": 3,
  "@torchlet/io": 3,
  // nn and optim are side by side above data: neither needs the other.
  "@torchlet/nn": 4,
  "@torchlet/optim": 4,
  // vision (torchvision's part) sits beside the umbrella, which does not re-export it: its digits
  // are a 21 MB dependency that programs without images should not install.
  "@torchlet/vision": 5,
  torchlet: 5,
  "@torchlet/cli": 6,
  "@torchlet/demo": 6,
  "@torchlet/bench": 6,
};

const root = resolve(__dirname, "../../..");

interface PackageInfo {
  name: string;
  dir: string;
  dependencies: string[];
  imports: { file: string; specifier: string }[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory())
      return entry === "node_modules" || entry === "dist" ? [] : sourceFiles(path);
    return /\.(ts|tsx|mts)$/.test(entry) ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

// Comments may quote imports (`import * as torch from "torchlet"`) without making them.
const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");

function readPackage(dir: string): PackageInfo {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  // Tests count too: a test that needs a higher layer belongs to that layer.
  const folders = ["src", "test"]
    .map((f) => join(dir, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false }));
  const imports = folders.flatMap(sourceFiles).flatMap((file) =>
    [...withoutComments(readFileSync(file, "utf8")).matchAll(IMPORT)].map((m) => ({
      file: relative(root, file),
      specifier: (m[1] ?? m[2]) as string,
    })),
  );
  return { name: pkg.name, dir, dependencies: Object.keys(pkg.dependencies ?? {}), imports };
}

/** Every import or dependency that points at a package of the same or a higher layer, or escapes src. */
export function layerViolations(pkgs: readonly PackageInfo[]): string[] {
  const problems: string[] = [];
  for (const pkg of pkgs) {
    const own = RANK[pkg.name];
    if (own === undefined) {
      problems.push(`${pkg.name}: not in the layer table`);
      continue;
    }
    const check = (target: string, where: string) => {
      const rank = RANK[target];
      if (rank !== undefined && target !== pkg.name && rank >= own)
        problems.push(`${where}: ${pkg.name} may not depend on ${target}`);
    };
    for (const dep of pkg.dependencies) check(dep, `${pkg.name}/package.json`);
    for (const { file, specifier } of pkg.imports) {
      const target = specifier.startsWith("@torchlet/")
        ? specifier.split("/").slice(0, 2).join("/")
        : specifier.split("/")[0];
      check(target as string, file);
      if (
        specifier.startsWith("../") &&
        !resolve(join(root, file), "..", specifier).startsWith(join(pkg.dir, "src"))
      ) {
        const escapesToPackageJson = specifier.endsWith("package.json");
        if (!escapesToPackageJson)
          problems.push(`${file}: relative import ${specifier} leaves the package's src`);
      }
      // Tests may import their own package by name, as users do; its source may not.
      if (target === pkg.name && file.includes("/src/"))
        problems.push(`${file}: imports its own package by name (${specifier})`);
    }
  }
  return problems;
}

const workspace = ["packages", "apps"].flatMap((group) =>
  readdirSync(join(root, group))
    .map((d) => join(root, group, d))
    .filter((d) => statSync(join(d, "package.json"), { throwIfNoEntry: false })?.isFile()),
);

describe("layering (ARCHITECTURE.md: dependencies point only down the layers)", () => {
  it("finds every workspace package", () => {
    const names = workspace.map((d) => readPackage(d).name);
    expect(names).toEqual(
      expect.arrayContaining([
        "@torchlet/storage",
        "@torchlet/ops",
        "@torchlet/autograd",
        "@torchlet/data",
        "@torchlet/nn",
        "@torchlet/optim",
        "@torchlet/vision",
        "torchlet",
        "@torchlet/cli",
      ]),
    );
  });

  it("has no package importing one of its own or a higher layer", () => {
    expect(layerViolations(workspace.map(readPackage))).toEqual([]);
  });

  it("reports an upward import and an upward dependency", () => {
    const bad: PackageInfo = {
      name: "@torchlet/ops",
      dir: join(root, "packages/ops"),
      dependencies: ["@torchlet/autograd"],
      imports: [{ file: "packages/ops/src/x.ts", specifier: "torchlet" }],
    };
    expect(layerViolations([bad])).toEqual([
      "@torchlet/ops/package.json: @torchlet/ops may not depend on @torchlet/autograd",
      "packages/ops/src/x.ts: @torchlet/ops may not depend on torchlet",
    ]);
  });

  it("reports a dependency between the side-by-side nn and optim", () => {
    const optim: PackageInfo = {
      name: "@torchlet/optim",
      dir: join(root, "packages/optim"),
      dependencies: [],
      imports: [{ file: "packages/optim/src/x.ts", specifier: "@torchlet/nn" }],
    };
    expect(layerViolations([optim])).toEqual([
      "packages/optim/src/x.ts: @torchlet/optim may not depend on @torchlet/nn",
    ]);
  });
});

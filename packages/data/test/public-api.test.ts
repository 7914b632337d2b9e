import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";
import { ulpOf, ulpsApart } from "./support/ulps.js";

// Replays fixtures/api/api.json (fixtures/api/gen_api.py, PyTorch 1.13 on an AVX2 CPU) through the
// umbrella package, as a user calls it.

type FloatDType = "float32" | "float64";
interface Call {
  call:
    | "manual_seed"
    | "generator"
    | "randn"
    | "rand"
    | "normal"
    | "randint"
    | "randperm"
    | "randn_like"
    | "rand_like";
  seed?: string | null;
  id?: number;
  gen?: number;
  shape?: number[];
  dtype?: FloatDType | "int32" | "int64";
  mean?: number;
  std?: number;
  low?: number;
  high?: number;
  n?: number;
  values?: number[];
}
interface Fixture {
  torch: string;
  programs: { name: string; calls: Call[] }[];
  regression: { seed: number; n: number; features: number; x: number[]; y: number[] }[];
  curves: { name: "makeSine" | "makeCubic"; seed: number; n: number; x: number[]; y: number[] }[];
  chapter: { x: number[]; y: number[]; w1: number[]; w2: number[] };
}

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/api/api.json", import.meta.url), "utf8"),
) as Fixture;

// Seeds within 2^53 go in as numbers, larger ones as bigints: both spellings are public.
const seedOf = (s: string): number | bigint => (Math.abs(Number(s)) <= 2 ** 53 ? Number(s) : BigInt(s));

/** How far each kind of value may be from PyTorch's, and how many were not bit-identical. */
const tally = { exact: 0, exactMisses: 0, normals: 0, normalMisses: 0 };

/**
 * Uniform and integer draws must be bit-identical, and so must float32 normals: the AVX2 block path
 * is exact, and the under-16 path rounds a double to float32, which hides the double's last-digit
 * differences (it could show one only at a float32 rounding boundary; no fixture value is at one).
 * Float64 normals go through libm (V8's log/sin/cos against glibc's): allowed 4 ulps of the standard
 * sample n, measured at the scale of n * std (at most |value| + |mean|), as adding a mean can cancel
 * digits.
 */
function expectValues(
  t: torch.Tensor,
  expected: number[],
  normal: { mean: number } | null,
  label: string,
): void {
  const got = Array.from(t.toTypedArray(), Number);
  expect(got.length, label).toBe(expected.length);
  const float32 = t.dtype !== "float64";
  const maxUlps = normal && !float32 ? 4 : 0;
  got.forEach((g, i) => {
    const e = expected[i] as number;
    const identical = Object.is(g, e);
    if (normal) {
      tally.normals++;
      if (!identical) tally.normalMisses++;
    } else {
      tally.exact++;
      if (!identical) tally.exactMisses++;
    }
    const allowed = maxUlps * ulpOf(Math.abs(e) + Math.abs(normal?.mean ?? 0), float32);
    if (!identical && !(Math.abs(g - e) <= allowed)) {
      expect.fail(`${label}[${i}]: got ${g}, PyTorch gives ${e} (${ulpsApart(g, e, float32)} ulps apart)`);
    }
  });
}

function replay(calls: Call[]): void {
  const gens = new Map<number, torch.Generator>();
  calls.forEach((c, k) => {
    const label = `call ${k} (${c.call})`;
    const options = c.gen === undefined ? {} : { generator: gens.get(c.gen) as torch.Generator };
    const shape = c.shape ?? [];
    const dtype = c.dtype ?? "float32";
    let t: torch.Tensor;
    switch (c.call) {
      case "manual_seed":
        torch.manualSeed(seedOf(c.seed as string));
        return;
      case "generator":
        gens.set(
          c.id as number,
          c.seed == null ? new torch.Generator() : new torch.Generator().manualSeed(seedOf(c.seed)),
        );
        return;
      case "randn":
      case "rand": {
        const f = c.call === "randn" ? torch.randn : torch.rand;
        // The spread form where no options are needed, the array form otherwise.
        t = c.gen === undefined && dtype === "float32" ? f(...shape) : f(shape, { dtype, ...options });
        break;
      }
      case "normal":
        t = torch.normal(c.mean as number, c.std as number, shape, { dtype, ...options });
        break;
      case "randn_like":
        t = torch.randnLike(torch.zeros(shape, { dtype }));
        break;
      case "rand_like":
        t = torch.randLike(torch.zeros(shape, { dtype }));
        break;
      case "randint":
        // Without a dtype in the fixture, PyTorch's default (int64) is what torchlet must give too.
        t = torch.randint(
          c.low as number,
          c.high as number,
          shape,
          c.dtype ? { ...options, dtype: c.dtype } : options,
        );
        break;
      case "randperm":
        t = torch.randperm(c.n as number, options);
        expect(t.dtype, label).toBe("int64");
        expect(t.shape, label).toEqual([c.n]);
        expectValues(t, c.values ?? [], null, label);
        return;
    }
    expect(t.shape, label).toEqual(shape);
    expect(t.dtype, label).toBe(c.call === "randint" ? (c.dtype ?? "int64") : dtype);
    const normalDraw = c.call === "randn" || c.call === "normal" || c.call === "randn_like";
    expectValues(t, c.values ?? [], normalDraw ? { mean: c.mean ?? 0 } : null, label);
  });
}

describe(`the public random API matches PyTorch ${fixture.torch}`, () => {
  it.each(fixture.programs.map((p) => [p.name, p] as const))("%s", (_name, p) => {
    replay(p.calls);
  });

  afterAll(() => {
    // Runs once every program has been replayed; a failure here fails the file.
    expect(tally.exact).toBeGreaterThan(1000);
    expect(tally.exactMisses).toBe(0);
    expect(tally.normals).toBeGreaterThan(3000);
    expect(tally.normalMisses / tally.normals).toBeLessThan(0.05);
  });
});

/** Results of float32 arithmetic beyond the draws (matmul's summation order, sin): a few ulps. */
function expectClose(t: torch.Tensor, expected: number[], label: string): void {
  const got = Array.from(t.toTypedArray(), Number);
  expect(got.length, label).toBe(expected.length);
  got.forEach((g, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(g - e) <= 1e-6 + 1e-6 * Math.abs(e)))
      expect.fail(`${label}[${i}]: got ${g}, PyTorch gives ${e}`);
  });
}

describe("data sets draw what the equivalent PyTorch program draws", () => {
  it.each(fixture.regression.map((r) => [`seed ${r.seed}, n ${r.n}, features ${r.features}`, r] as const))(
    "makeRegression %s",
    (_name, r) => {
      torch.manualSeed(r.seed);
      const global = torch.makeRegression({ n: r.n, features: r.features });
      const own = torch.makeRegression({
        n: r.n,
        features: r.features,
        generator: new torch.Generator(r.seed),
      });
      for (const { x, y } of [global, own]) {
        expect(x.shape).toEqual([r.n, r.features]);
        expect(y.shape).toEqual([r.n, 1]);
        expectValues(x, r.x, { mean: 0 }, "x");
        expectClose(y, r.y, "y");
      }
    },
  );

  it.each(fixture.curves.map((c) => [`${c.name} seed ${c.seed}, n ${c.n}`, c] as const))("%s", (_name, c) => {
    torch.manualSeed(c.seed);
    const make = c.name === "makeSine" ? torch.makeSine : torch.makeCubic;
    const { x, y } = make({ n: c.n });
    expect(x.shape).toEqual([c.n, 1]);
    expectClose(x, c.x, "x");
    expectClose(y, c.y, "y");
  });

  it("the chapter's seed-42 sequence gives PyTorch's x, y, w1 and w2", () => {
    torch.manualSeed(42);
    const { x, y } = torch.makeRegression();
    const w1 = torch.randn([3, 32], { requiresGrad: true });
    const w2 = torch.randn([32, 1], { requiresGrad: true });
    expectValues(x, fixture.chapter.x, { mean: 0 }, "x");
    expectClose(y, fixture.chapter.y, "y");
    // 96 and 32 elements: the AVX2 block path, bit-identical.
    expect(Array.from(w1.toTypedArray(), Number)).toEqual(fixture.chapter.w1);
    expect(Array.from(w2.toTypedArray(), Number)).toEqual(fixture.chapter.w2);
  });
});

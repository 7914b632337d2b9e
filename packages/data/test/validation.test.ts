import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

// Every bad argument throws a TorchletError that names the function and the offending value, and
// draws nothing: neither the global generator nor the one passed in moves.

const g = new torch.Generator(3);
const withGen = { generator: g };
const intTensor = torch.tensor([1, 2], { dtype: "int32" });

const cases: [string, () => unknown, RegExp][] = [
  // Seeds: integers in [-2^63, 2^64), numbers only up to 2^53.
  ["manualSeed(1.5)", () => torch.manualSeed(1.5), /manualSeed: .*integer.*1\.5/],
  ["manualSeed(NaN)", () => torch.manualSeed(Number.NaN), /manualSeed: .*NaN/],
  ["manualSeed(2^60 as a number)", () => torch.manualSeed(2 ** 60), /manualSeed: .*bigint/],
  [
    "manualSeed(2^64)",
    () => torch.manualSeed(2n ** 64n),
    /manualSeed: .*\[-2\^63, 2\^64\).*18446744073709551616/,
  ],
  ["manualSeed(-2^63 - 1)", () => torch.manualSeed(-(2n ** 63n) - 1n), /manualSeed: .*-9223372036854775809/],
  ["manualSeed('3')", () => torch.manualSeed("3" as unknown as number), /manualSeed: .*3/],
  ["Generator.manualSeed(0.5)", () => g.manualSeed(0.5), /Generator\.manualSeed: .*0\.5/],
  ["new Generator(2^64)", () => new torch.Generator(2n ** 64n), /Generator: .*18446744073709551616/],
  ["setState(10 bytes)", () => g.setState(new Uint8Array(10)), /Generator\.setState: .*10/],
  // Shapes.
  ["randn(-1)", () => torch.randn(-1), /randn: invalid shape \[-1\]/],
  ["randn([2.5])", () => torch.randn([2.5], withGen), /randn: invalid shape \[2\.5\]/],
  ["rand(NaN)", () => torch.rand(Number.NaN), /rand: invalid shape \[NaN\]/],
  ["normal(0, 1, [-3])", () => torch.normal(0, 1, [-3], withGen), /normal: invalid shape \[-3\]/],
  [
    "normal(0, 1, 3)",
    () => torch.normal(0, 1, 3 as unknown as number[]),
    /normal: shape must be an array, got 3/,
  ],
  ["randint(0, 5, [1.5])", () => torch.randint(0, 5, [1.5], withGen), /randint: invalid shape \[1\.5\]/],
  [
    "randint(0, 5) without a shape",
    () => (torch.randint as (...a: unknown[]) => unknown)(0, 5),
    /randint: .*shape/,
  ],
  // Dtypes.
  ["randn int32", () => torch.randn([3], { dtype: "int32", ...withGen }), /randn: .*floating point.*"int32"/],
  ["rand bool", () => torch.rand([3], { dtype: "bool" }), /rand: .*floating point.*"bool"/],
  ["normal int32", () => torch.normal(0, 1, [3], { dtype: "int32" }), /normal: .*floating point.*"int32"/],
  [
    "randnLike(int tensor)",
    () => torch.randnLike(intTensor, withGen),
    /randnLike: .*floating point.*"int32"/,
  ],
  ["randLike(int tensor)", () => torch.randLike(intTensor), /randLike: .*floating point.*"int32"/],
  [
    "randnLike(not a tensor)",
    () => torch.randnLike([1, 2] as unknown as torch.Tensor),
    /randnLike: expected a Tensor, got \[1,2\]/,
  ],
  ["randint bool", () => torch.randint(0, 2, [3], { dtype: "bool" }), /randint: .*"bool"/],
  ["randint int16", () => torch.randint(0, 2, [3], { dtype: "int16" as "int32" }), /randint: .*"int16"/],
  ["randperm bool", () => torch.randperm(5, { dtype: "bool", ...withGen }), /randperm: .*"bool"/],
  [
    "randint requiresGrad",
    () => torch.randint(0, 2, [3], { requiresGrad: true }),
    /randint: .*gradients.*int64/,
  ],
  ["randperm requiresGrad", () => torch.randperm(3, { requiresGrad: true }), /randperm: .*gradients.*int64/],
  // Bounds and parameters.
  ["randint low >= high", () => torch.randint(5, 5, [3], withGen), /randint: .*low=5 >= high=5/],
  ["randint(0, [3])", () => torch.randint(0, [3]), /randint: .*low=0 >= high=0/],
  ["randint non-integer bound", () => torch.randint(0.5, 3, [2]), /randint: .*integers.*low 0\.5/],
  [
    "randint beyond int32",
    () => torch.randint(0, 2 ** 31 + 1, [2], { dtype: "int32" }),
    /randint: \[0, 2147483649\) does not fit in int32/,
  ],
  [
    "randint beyond float32",
    () => torch.randint(0, 2 ** 25, [2], { dtype: "float32" }),
    /randint: .*float32/,
  ],
  ["randperm(-1)", () => torch.randperm(-1, withGen), /randperm: n must be .*got -1/],
  ["randperm(2.5)", () => torch.randperm(2.5), /randperm: n must be .*got 2\.5/],
  ["randperm(2^31)", () => torch.randperm(2 ** 31), /randperm: .*2147483648/],
  [
    "normal std < 0",
    () => torch.normal(0, -1, [3], withGen),
    /normal: std must be a finite number >= 0, got -1/,
  ],
  ["normal std Infinity", () => torch.normal(0, Number.POSITIVE_INFINITY, [3]), /normal: std .*Infinity/],
  ["normal mean NaN", () => torch.normal(Number.NaN, 1, [3]), /normal: mean .*NaN/],
  // Generators.
  [
    "generator: {}",
    () => torch.randn([2], { generator: {} as torch.Generator }),
    /randn: generator must be a torch\.Generator, got Object/,
  ],
  [
    "generator: 42",
    () => torch.randperm(3, { generator: 42 as unknown as torch.Generator }),
    /randperm: generator .*42/,
  ],
  // Data sets.
  [
    "makeRegression n 0",
    () => torch.makeRegression({ n: 0, ...withGen }),
    /makeRegression: n must be an integer >= 1, got 0/,
  ],
  [
    "makeRegression features 1.5",
    () => torch.makeRegression({ features: 1.5 }),
    /makeRegression: features .*1\.5/,
  ],
  [
    "makeRegression coefficient count",
    () => torch.makeRegression({ coefficients: [1, 2] }),
    /makeRegression: 2 coefficients given for 3 features/,
  ],
  [
    "makeRegression NaN coefficient",
    () => torch.makeRegression({ coefficients: [1, Number.NaN, 2] }),
    /makeRegression: coefficients\[1\] .*NaN/,
  ],
  [
    "makeRegression noise -1",
    () => torch.makeRegression({ noise: -1 }),
    /makeRegression: noise .*>= 0, got -1/,
  ],
  [
    "makeRegression int32",
    () => torch.makeRegression({ dtype: "int32" as "float32" }),
    /makeRegression: .*"int32"/,
  ],
  ["makeSine n -5", () => torch.makeSine({ n: -5, ...withGen }), /makeSine: n .*got -5/],
  ["makeCubic noise NaN", () => torch.makeCubic({ noise: Number.NaN }), /makeCubic: noise .*NaN/],
  [
    "makeCubic bad generator",
    () => torch.makeCubic({ generator: {} as torch.Generator }),
    /makeCubic: generator/,
  ],
];

describe("bad arguments throw TorchletError and draw nothing", () => {
  it.each(cases)("%s", (_name, call, message) => {
    torch.manualSeed(11);
    torch.randn([1]); // leaves a cached normal sample, part of the state too
    g.manualSeed(3);
    torch.randn([1], withGen);
    const globalBefore = torch.defaultGenerator.getState();
    const ownBefore = g.getState();
    expect(call).toThrow(torch.TorchletError);
    expect(call).toThrow(message);
    expect(torch.defaultGenerator.getState()).toEqual(globalBefore);
    expect(g.getState()).toEqual(ownBefore);
  });

  it("a rejected manualSeed keeps the generator's seed and stream", () => {
    const h = new torch.Generator(5);
    expect(() => h.manualSeed(1.5)).toThrow(torch.TorchletError);
    expect(h.initialSeed()).toBe(5n);
    expect(h.random()).toBe(new torch.Generator(5).random());
  });

  it("accepts the extreme seeds PyTorch accepts", () => {
    expect(torch.manualSeed(-(2n ** 63n)).initialSeed()).toBe(2n ** 63n);
    expect(torch.manualSeed(2n ** 64n - 1n).initialSeed()).toBe(2n ** 64n - 1n);
    expect(torch.manualSeed(-(2 ** 53 - 1)).initialSeed()).toBe(2n ** 64n - 2n ** 53n + 1n);
  });
});

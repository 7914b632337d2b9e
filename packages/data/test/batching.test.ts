import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

// x row i is [10 i, 10 i + 5] and y row i is [i], so every gathered row shows where it came from.
function data(n: number, dtype: "float32" | "float64" = "float32") {
  const x = torch
    .arange(2 * n, { dtype })
    .reshape([n, 2])
    .mul(5);
  const y = torch.arange(n, { dtype: "int32" }).reshape([n, 1]);
  return { x, y };
}

const rowIds = (y: torch.Tensor): number[] => Array.from(y.toTypedArray(), Number);

function expectPaired(x: torch.Tensor, y: torch.Tensor): void {
  const ids = rowIds(y);
  expect(x.tolist()).toEqual(ids.map((i) => [10 * i, 10 * i + 5]));
}

const permutation = (n: number, seed: number): number[] =>
  Array.from(torch.randperm(n, { generator: new torch.Generator(seed) }).toTypedArray(), Number);

describe("trainTestSplit", () => {
  it("holds out ceil(testFraction * n) rows picked by torch.randperm(n) from the generator", () => {
    const { x, y } = data(10);
    const split = torch.trainTestSplit(x, y, { testFraction: 0.25, generator: new torch.Generator(4) });
    const perm = permutation(10, 4);
    expect(split.xTest.shape).toEqual([3, 2]);
    expect(split.xTrain.shape).toEqual([7, 2]);
    expect(rowIds(split.yTest)).toEqual(perm.slice(0, 3));
    expect(rowIds(split.yTrain)).toEqual(perm.slice(3));
    expectPaired(split.xTest, split.yTest);
    expectPaired(split.xTrain, split.yTrain);
  });

  it("defaults to a quarter of the rows, shuffled from the global generator", () => {
    const { x, y } = data(8);
    torch.manualSeed(9);
    const split = torch.trainTestSplit(x, y);
    torch.manualSeed(9);
    const perm = Array.from(torch.randperm(8).toTypedArray(), Number);
    expect(rowIds(split.yTest)).toEqual(perm.slice(0, 2));
  });

  it("takes the last rows as the test set without shuffling, drawing nothing", () => {
    const { x, y } = data(6, "float64");
    const g = new torch.Generator(1);
    const before = g.getState();
    const split = torch.trainTestSplit(x, y, { testSize: 2, shuffle: false, generator: g });
    expect(rowIds(split.yTrain)).toEqual([0, 1, 2, 3]);
    expect(rowIds(split.yTest)).toEqual([4, 5]);
    expect(split.xTest.dtype).toBe("float64");
    expect(split.yTest.dtype).toBe("int32");
    expectPaired(split.xTest, split.yTest);
    expect(g.getState()).toEqual(before);
  });

  it("copies: the parts are new contiguous tensors outside the graph", () => {
    const x = torch.randn([5, 3], { requiresGrad: true });
    const y = torch.randn([5, 1]);
    const { xTrain } = torch.trainTestSplit(x, y, { testSize: 1, shuffle: false });
    expect(xTrain.requiresGrad).toBe(false);
    expect(xTrain.gradFn).toBeNull();
    xTrain.fill_(0);
    expect(x.toTypedArray().some((v) => v !== 0)).toBe(true);
  });

  it.each([
    [
      "rows differ",
      () => torch.trainTestSplit(torch.zeros(4, 2), torch.zeros(5, 1)),
      /shapes \[4,2\] and \[5,1\]/,
    ],
    [
      "scalar x",
      () => torch.trainTestSplit(torch.tensor(1), torch.zeros(1)),
      /x must have at least one dimension/,
    ],
    [
      "both sizes",
      () => torch.trainTestSplit(torch.zeros(4), torch.zeros(4), { testFraction: 0.5, testSize: 1 }),
      /not both/,
    ],
    [
      "fraction 0",
      () => torch.trainTestSplit(torch.zeros(4), torch.zeros(4), { testFraction: 0 }),
      /testFraction must lie in \(0, 1\), got 0/,
    ],
    ["fraction 1", () => torch.trainTestSplit(torch.zeros(4), torch.zeros(4), { testFraction: 1 }), /got 1/],
    [
      "fraction NaN",
      () => torch.trainTestSplit(torch.zeros(4), torch.zeros(4), { testFraction: Number.NaN }),
      /got NaN/,
    ],
    [
      "fraction leaves nothing",
      () => torch.trainTestSplit(torch.zeros(2), torch.zeros(2), { testFraction: 0.9 }),
      /leaves no training rows/,
    ],
    [
      "testSize n",
      () => torch.trainTestSplit(torch.zeros(4), torch.zeros(4), { testSize: 4 }),
      /testSize 4 leaves no training rows of 4/,
    ],
    [
      "testSize 1.5",
      () => torch.trainTestSplit(torch.zeros(4), torch.zeros(4), { testSize: 1.5 }),
      /testSize must be an integer >= 1, got 1\.5/,
    ],
    [
      "not a tensor",
      () => torch.trainTestSplit([1, 2] as unknown as torch.Tensor, torch.zeros(2)),
      /x must be a Tensor/,
    ],
  ] as const)("rejects %s without drawing", (_name, call, message) => {
    torch.manualSeed(2);
    const before = torch.defaultGenerator.getState();
    expect(call).toThrow(torch.TorchletError);
    expect(call).toThrow(new RegExp(`trainTestSplit: .*${message.source}`));
    expect(torch.defaultGenerator.getState()).toEqual(before);
  });
});

describe("batches", () => {
  it("walks the rows in order without shuffling, the last batch partial", () => {
    const { x, y } = data(10);
    const loader = torch.batches(x, y, { batchSize: 4 });
    const seen = [...loader];
    expect(loader.length).toBe(3);
    expect(seen.map((b) => rowIds(b.y))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    for (const b of seen) expectPaired(b.x, b.y);
    expect(seen[2]?.x.shape).toEqual([2, 2]);
  });

  it("drops the short last batch with dropLast", () => {
    const { x, y } = data(10);
    const loader = torch.batches(x, y, { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map((b) => b.y.shape[0])).toEqual([4, 4]);
    expect(torch.batches(x, y, { batchSize: 5, dropLast: true }).length).toBe(2);
  });

  it("reshuffles each pass with torch.randperm(n) drawn from the generator", () => {
    const { x, y } = data(11);
    const loader = torch.batches(x, y, { batchSize: 3, shuffle: true, generator: new torch.Generator(21) });
    const reference = new torch.Generator(21);
    const epochs = [0, 1, 2].map(() => [...loader].flatMap((b) => rowIds(b.y)));
    for (const order of epochs) {
      expect(order).toEqual(Array.from(torch.randperm(11, { generator: reference }).toTypedArray(), Number));
    }
    expect(epochs[0]).not.toEqual(epochs[1]);
    for (const b of loader) expectPaired(b.x, b.y);
  });

  it("shuffles from the global generator by default and keeps rows of any rank", () => {
    const x = torch.arange(0, 24).reshape([4, 2, 3]);
    const y = torch.arange(4, { dtype: "int32" });
    torch.manualSeed(5);
    const [first] = torch.batches(x, y, { batchSize: 4, shuffle: true });
    torch.manualSeed(5);
    const perm = Array.from(torch.randperm(4).toTypedArray(), Number);
    expect(rowIds(first?.y as torch.Tensor)).toEqual(perm);
    expect(first?.x.shape).toEqual([4, 2, 3]);
    const rows = x.tolist() as number[][][];
    expect(first?.x.tolist()).toEqual(perm.map((i) => rows[i]));
  });

  it.each([
    [
      "batchSize 0",
      () => torch.batches(torch.zeros(4), torch.zeros(4), { batchSize: 0 }),
      /batchSize must be an integer >= 1, got 0/,
    ],
    ["batchSize 2.5", () => torch.batches(torch.zeros(4), torch.zeros(4), { batchSize: 2.5 }), /got 2\.5/],
    [
      "no options",
      () => (torch.batches as (...a: unknown[]) => unknown)(torch.zeros(4), torch.zeros(4)),
      /batchSize .*got undefined/,
    ],
    [
      "rows differ",
      () => torch.batches(torch.zeros(3, 2), torch.zeros(2), { batchSize: 1 }),
      /shapes \[3,2\] and \[2\]/,
    ],
    [
      "bad generator",
      () => torch.batches(torch.zeros(3), torch.zeros(3), { batchSize: 1, generator: {} as torch.Generator }),
      /generator must be a torch\.Generator/,
    ],
  ] as const)("rejects %s without drawing", (_name, call, message) => {
    torch.manualSeed(2);
    const before = torch.defaultGenerator.getState();
    expect(call).toThrow(torch.TorchletError);
    expect(call).toThrow(new RegExp(`batches: .*${message.source}`));
    expect(torch.defaultGenerator.getState()).toEqual(before);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

// fixtures/loader/gen_loader.py: batches of DataLoader(TensorDataset(arange(n), arange(n) * 10)) over
// a few passes, then torch.randn(2): the orders and the generators' positions must be PyTorch's.
interface LoaderCase {
  n: number;
  epochs: number;
  seed: number;
  loaderSeed: number | null;
  options: { batch_size?: number; shuffle?: boolean; drop_last?: boolean };
  length: number;
  passes: number[][][];
  after: number[];
}
const cases: LoaderCase[] = JSON.parse(
  readFileSync(join(__dirname, "../fixtures/loader/loader.json"), "utf8"),
).cases;

const { DataLoader, TensorDataset } = torch.utils.data;

describe("DataLoader: PyTorch's batches, orders and generator use", () => {
  it.each(
    cases.map((c) => [JSON.stringify({ ...c.options, seed: c.seed, generator: c.loaderSeed }), c] as const),
  )("%s", (_, c) => {
    torch.manualSeed(c.seed);
    const generator = c.loaderSeed === null ? undefined : new torch.Generator().manualSeed(c.loaderSeed);
    const ids = torch.arange(c.n);
    const loader = new DataLoader(new TensorDataset(ids, ids.mul(10)), {
      batchSize: c.options.batch_size,
      shuffle: c.options.shuffle,
      dropLast: c.options.drop_last,
      generator,
    });
    expect(loader.length).toBe(c.length);
    for (const expected of c.passes) {
      const batches = [...loader];
      expect(batches.map(([x]) => (x as torch.Tensor).tolist())).toEqual(expected);
      expect(batches.map(([, y]) => (y as torch.Tensor).tolist())).toEqual(
        batches.map(([x]) => (x as torch.Tensor).mul(10).tolist()),
      );
    }
    expect([...torch.randn(2).toTypedArray()]).toEqual(c.after);
  });

  it("works with for...of and keeps each dataset tensor's row shape and dtype", () => {
    const ds = new TensorDataset(torch.zeros(5, 2, 3), torch.ones([5], { dtype: "int32" }));
    const shapes: number[][][] = [];
    for (const [x, y] of new DataLoader(ds, { batchSize: 2 })) {
      shapes.push([[...(x as torch.Tensor).shape], [...(y as torch.Tensor).shape]]);
      expect((y as torch.Tensor).dtype).toBe("int32");
    }
    expect(shapes).toEqual([
      [[2, 2, 3], [2]],
      [[2, 2, 3], [2]],
      [[1, 2, 3], [1]],
    ]);
  });

  it("TensorDataset.get returns one row of each tensor", () => {
    const ds = new TensorDataset(
      torch.tensor([
        [1, 2],
        [3, 4],
      ]),
      torch.tensor([5, 6]),
    );
    expect(ds.get(1).map((t) => t.tolist())).toEqual([[3, 4], 6]);
    expect(() => ds.get(2)).toThrow(/TensorDataset.get: index 2 is out of range for 2 rows/);
  });

  it("refuses bad input, naming it", () => {
    expect(() => new TensorDataset(torch.zeros(3), torch.zeros(4))).toThrow(
      /TensorDataset: size mismatch between tensors: shapes \[3\], \[4\]/,
    );
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(torch.tensor(1))).toThrow(/argument 0 is a scalar/);
    const ds = new TensorDataset(torch.zeros(3));
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(
      /DataLoader: batchSize must be an integer >= 1, got 0/,
    );
    expect(() => new DataLoader(ds, { generator: 3 as unknown as torch.Generator })).toThrow(
      /DataLoader: generator must be a torch.Generator/,
    );
    expect(() => new DataLoader([] as unknown as InstanceType<typeof TensorDataset>)).toThrow(
      /must be a TensorDataset/,
    );
  });
});

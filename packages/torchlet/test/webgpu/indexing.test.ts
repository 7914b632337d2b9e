import { afterAll, describe, expect, it } from "vitest";
import * as torch from "../../src/index.js";
import { available, skipNote } from "./adapter.js";
import { expectLike, expectNoFallback, gpu } from "./compare.js";

const int64 = (values: number[] | number[][] | number[][][]) => torch.tensor(values, { dtype: "int64" });

describe.skipIf(!available)(
  `gather, scatter and indexSelect on webgpu${skipNote}`,
  { timeout: 120_000 },
  () => {
    // SwiftShader compiles a pipeline per kernel on the first call: seconds on a busy machine
    afterAll(() => expectNoFallback(["gather", "scatter", "scatterAdd", "indexSelect"]));

    it("gather: any dim (negative too), strided input and index, every dtype", async () => {
      torch.manualSeed(1);
      const x = torch.randn([4, 5, 3]);
      const index = int64([[[0, 1, 2]], [[3, 3, 0]]]);
      for (const dim of [0, 1, -1, -2]) {
        const i = dim === 0 || dim === -3 ? index : index.clamp(0, 2);
        await expectLike(gpu(x).gather(dim, gpu(i)), x.gather(dim, i));
      }
      const t = x.transpose(0, 2); // [3, 5, 4], strided
      const it2 = int64([
        [
          [3, 0],
          [1, 1],
        ],
        [
          [2, 2],
          [0, 3],
        ],
      ]).transpose(1, 2);
      await expectLike(
        gpu(x)
          .transpose(0, 2)
          .gather(
            2,
            gpu(
              int64([
                [
                  [3, 0],
                  [1, 1],
                ],
                [
                  [2, 2],
                  [0, 3],
                ],
              ]),
            ).transpose(1, 2),
          ),
        t.gather(2, it2),
      );
      for (const dtype of ["int32", "int64", "bool"] as const) {
        const a = torch
          .tensor([
            [1, 0, 3],
            [4, 5, 0],
          ])
          .to(dtype);
        const i = int64([
          [2, 2],
          [0, 1],
        ]);
        await expectLike(gpu(a).gather(1, gpu(i)), a.gather(1, i));
      }
    });

    it("indexSelect: int32 and int64 indices, negative dims, strided input, duplicates", async () => {
      torch.manualSeed(2);
      const x = torch.randn([3, 4, 5]);
      for (const dtype of ["int32", "int64"] as const) {
        const index = torch.tensor([4, 0, 0, 2], { dtype });
        await expectLike(gpu(x).indexSelect(-1, gpu(index)), x.indexSelect(-1, index));
        await expectLike(gpu(x).indexSelect(1, gpu(index.clamp(0, 3))), x.indexSelect(1, index.clamp(0, 3)));
      }
      const index = int64([2, 0, 1, 0, 2, 1]).narrow(0, 1, 4); // offset view
      const strided = gpu(x).permute([2, 0, 1]);
      await expectLike(strided.indexSelect(1, gpu(index)), x.permute([2, 0, 1]).indexSelect(1, index));
    });

    it("scatter and scatterAdd: tensors and numbers, duplicate indices in the CPU's order", async () => {
      torch.manualSeed(3);
      const a = torch.randn([3, 5]);
      const src = torch.randn([4, 5]);
      const index = int64([
        [0, 1, 2, 0, 0],
        [2, 0, 0, 1, 0],
        [0, 0, 2, 1, 2],
        [1, 1, 0, 1, 0],
      ]);
      // float32 sums of duplicates equal the CPU's exactly: the kernel adds in the CPU's order
      await expectLike(gpu(a).scatterAdd(0, gpu(index), gpu(src)), a.scatterAdd(0, index, src));
      await expectLike(gpu(a).scatter(0, gpu(index), gpu(src)), a.scatter(0, index, src));
      await expectLike(gpu(a).scatter(0, gpu(index), 7.25), a.scatter(0, index, 7.25));
      const idx1 = index.narrow(0, 0, 3).transpose(0, 1).remainder(3).narrow(0, 0, 3); // [3, 3], strided
      await expectLike(gpu(a).scatterAdd(-1, gpu(idx1), gpu(src).t()), a.scatterAdd(-1, idx1, src.t()));
      const ai = torch.tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { dtype: "int32" },
      );
      const si = torch.tensor(
        [
          [2147483647, 10, 20],
          [1, -7, 9],
        ],
        { dtype: "int32" },
      );
      const ii = int64([
        [0, 1, 1],
        [0, 1, 0],
      ]);
      // int32 sums wrap around as the CPU's
      await expectLike(gpu(ai).scatterAdd(0, gpu(ii), gpu(si)), ai.scatterAdd(0, ii, si));
      const al = ai.to("int64");
      await expectLike(gpu(al).scatter(1, gpu(ii), -3), al.scatter(1, ii, -3));
      await expectLike(gpu(al).scatter(1, gpu(ii), gpu(si.to("int64"))), al.scatter(1, ii, si.to("int64")));
      const ab = torch.tensor([true, false, true]);
      await expectLike(gpu(ab).scatter(0, gpu(int64([1, 0])), 1), ab.scatter(0, int64([1, 0]), 1));
    });

    it("gradients: gather's backward is scatterAdd, indexSelect's too", async () => {
      torch.manualSeed(4);
      const x = torch.randn([4, 3], { requiresGrad: true });
      const xg = gpu(x.detach()).requiresGrad_(true);
      const index = int64([
        [0, 0, 1],
        [3, 0, 0],
        [3, 3, 3],
      ]);
      const weights = torch.randn([3, 3]);
      x.gather(0, index).mul(weights).sum().backward();
      xg.gather(0, gpu(index)).mul(gpu(weights)).sum().backward();
      await expectLike(xg.grad as torch.Tensor, x.grad as torch.Tensor);
      const picks = int64([2, 0, 2, 2]);
      const y = torch.randn([3, 4], { requiresGrad: true });
      const yg = gpu(y.detach()).requiresGrad_(true);
      y.indexSelect(1, picks).mul(torch.arange(12).reshape(3, 4)).sum().backward();
      yg.indexSelect(1, gpu(picks))
        .mul(gpu(torch.arange(12).reshape(3, 4)))
        .sum()
        .backward();
      await expectLike(yg.grad as torch.Tensor, y.grad as torch.Tensor);
    });

    it("an index out of range raises at the next read, naming the op, the index and the dim", async () => {
      const x = gpu(torch.arange(6).to("float32").reshape(2, 3));
      const bad = x.gather(
        1,
        gpu(
          int64([
            [0, 5, 9],
            [1, 2, 7],
          ]),
        ),
      );
      expect(bad.shape).toEqual([2, 3]); // the call itself returns
      await expect(bad.data()).rejects.toThrow(
        /gather: index 5 is out of bounds for dimension 1 with size 3 \(raised at this read/,
      );
      // the error is reported once; the device keeps working
      await expectLike(x.indexSelect(0, gpu(int64([1]))), torch.tensor([[3, 4, 5]]));
      x.indexSelect(0, gpu(int64([0, -1])));
      await expect(x.sum().itemAsync()).rejects.toThrow(
        /indexSelect: index -1 is out of bounds for dimension 0 with size 2/,
      );
      x.scatterAdd(0, gpu(int64([[0, 2]])), x);
      await expect(x.data()).rejects.toThrow(
        /scatterAdd: index 2 is out of bounds for dimension 0 with size 2/,
      );
      // value-independent errors are raised at the call, as on the CPU
      expect(() => x.gather(0, gpu(int64([0, 1])))).toThrow(
        /gather: Index tensor must have the same number of dimensions/,
      );
    });
  },
);

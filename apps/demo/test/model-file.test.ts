import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "torchlet";
import { describe, expect, it } from "vitest";
import { CHAPTER_CONFIG } from "../src/dataset-info.js";
import { chapterWeights } from "../src/model-file.js";
import { Trainer } from "../src/trainer.js";

const fixtures = join(__dirname, "fixtures");
const bytes = () => new Uint8Array(readFileSync(join(fixtures, "chapter-model.pt")));
const expected = JSON.parse(readFileSync(join(fixtures, "chapter-model.json"), "utf8"));
const config = { ...CHAPTER_CONFIG, epochs: 10 };

describe("a dropped model file", () => {
  it("starts every style from PyTorch's weights, with PyTorch's loss on the chapter's data", async () => {
    const weights = chapterWeights(bytes(), 3);
    if (typeof weights === "string") throw new Error(weights);
    expect(weights.w1.shape).toEqual([3, 8]);
    for (const style of ["raw", "modules", "optim", "adam"] as const) {
      const trainer = await Trainer.create({ ...config, style, hidden: 8 }, weights);
      const loss = (await trainer.snapshot()).loss as number;
      expect(Math.abs(loss - expected.loss) / expected.loss).toBeLessThan(1e-5);
    }
  });

  it("also in safetensors", () => {
    const sd = torch.load(bytes()) as Record<string, torch.Tensor>;
    const weights = chapterWeights(torch.safetensors.save(sd), 3);
    if (typeof weights === "string") throw new Error(weights);
    expect(weights.b1.shape).toEqual([1, 8]);
  });

  it.each([
    ["another width of data", bytes(), 1, /are not Linear\(1, h\), Linear\(h, 1\)/],
    [
      "another network",
      torch.save({ "0.weight": torch.ones([2, 3]) }),
      3,
      /expected the keys 0.weight, 0.bias, 2.weight, 2.bias/,
    ],
    ["a damaged file", bytes().subarray(0, 500), 3, /load: not a valid zip archive/],
    ["a tensor, not a state dict", torch.save(torch.ones([2])), 3, /holds no state dict/],
  ])("refuses %s, saying why", (_what, file, features, message) => {
    expect(chapterWeights(file, features)).toMatch(message);
  });
});

import { readFileSync } from "node:fs";

/** Written by fixtures/gen_chapter.py with PyTorch 1.13: the losses PyTorch prints for each command line. */
interface ChapterFixture {
  torch: string;
  cases: { args: string[]; dtype: "float32" | "float64"; losses: { epoch: number; loss: number }[] }[];
  graph: { depth: number; name: string; shape?: number[] }[];
}
export const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/chapter.json", import.meta.url), "utf8"),
) as ChapterFixture;

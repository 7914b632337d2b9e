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

/** What `torchlet train` prints with the defaults; the root README quotes these lines. */
export const CHAPTER_LINES = `Epoch: 10   Loss: 112.5338
Epoch: 20   Loss: 100.7936
Epoch: 30   Loss: 90.5817
Epoch: 40   Loss: 81.60378
Epoch: 50   Loss: 73.7961
Epoch: 60   Loss: 66.86034
Epoch: 70   Loss: 60.70282
Epoch: 80   Loss: 55.21679
Epoch: 90   Loss: 50.34354
Epoch: 100   Loss: 46.00172
Epoch: 110   Loss: 42.07995
Epoch: 120   Loss: 38.55568
Epoch: 130   Loss: 35.39259
Epoch: 140   Loss: 32.50253
Epoch: 150   Loss: 29.88411
Epoch: 160   Loss: 27.50691
Epoch: 170   Loss: 25.3314
Epoch: 180   Loss: 23.39965
Epoch: 190   Loss: 21.64512
Epoch: 200   Loss: 20.04058
`;

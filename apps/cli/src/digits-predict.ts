import { DIGIT_SIZE } from "@torchlet/vision";
import * as torch from "torchlet";
import { UsageError } from "./args.js";
import { exactNumber } from "./format-number.js";

/**
 * Classifies each row of 784 pixels with a digits model and prints the most likely digit and its
 * probability (`7 (p = 0.9812)`), or `{"prediction":7,"probabilities":[...]}` per row with `json`.
 */
export function predictDigits(model: torch.nn.Module, rows: number[][], json: boolean): number {
  const pixels = DIGIT_SIZE * DIGIT_SIZE;
  const width = (rows[0] as number[]).length;
  if (width !== pixels)
    throw new UsageError(`the model expects ${pixels} values per row (a 28x28 image), got ${width}`);
  const images = torch.tensor(rows).reshape([rows.length, 1, DIGIT_SIZE, DIGIT_SIZE]);
  model.eval();
  const probabilities = torch.noGrad(() => model.forward(images).softmax(1)).tolist() as number[][];
  for (const p of probabilities) {
    const prediction = p.indexOf(Math.max(...p));
    process.stdout.write(
      json
        ? `${JSON.stringify({ prediction, probabilities: p.map((v) => exactNumber(v, "float32")) })}\n`
        : `${prediction} (p = ${(p[prediction] as number).toFixed(4)})\n`,
    );
  }
  return 0;
}

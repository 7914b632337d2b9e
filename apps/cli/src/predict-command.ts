import { readFileSync } from "node:fs";
import * as torch from "torchlet";
import { describeFlags, numberRows, parseFlags, parseNumberRows, text, toggle, UsageError } from "./args.js";
import { forward } from "./chapter.js";
import type { Command } from "./commands.js";
import { readDigitImage } from "./digit-image.js";
import { loadDigitsModel } from "./digits-model-file.js";
import { predictDigits } from "./digits-predict.js";
import { exactNumber, formatR } from "./format-number.js";
import { firstNonFinite, loadModel } from "./model-file.js";
import { reason } from "./system-error.js";

const flags = {
  model: text("the model file written by torchlet train --save"),
  input: numberRows('rows to predict: values by commas, rows by semicolons, e.g. "0.5,-1,2;1,0,0"'),
  inputFile: text('read the rows from FILE (one per line, values by commas or spaces; "-" is stdin)'),
  image: text("a 28x28 PNG of a digit (white on black, as MNIST's) for a model of torchlet digits --save"),
  json: toggle('print one JSON object per row ({"input":[...],"prediction":1.234}) instead'),
};

const usage =
  "usage: torchlet predict --model FILE (--input ROWS | --input-file FILE | --image PNG) [--json]";

export const predictCommand: Command = {
  summary: "load a model saved by train --save or digits --save and predict new rows or images",
  usage,
  help: () => `Loads the parameters written by "torchlet train --save FILE", runs the network's forward pass on
the given rows of x (one value per input feature) and prints one prediction per row.

With a model written by "torchlet digits --save FILE" it classifies digits instead: a 28x28 PNG
(--image) or rows of 784 pixels in [0, 1] (--input, --input-file), printing the most likely digit
and its probability ({"prediction":7,"probabilities":[...]} with --json).

${usage}

options:
${describeFlags(flags)}

examples:
  torchlet train --save model.json && torchlet predict --model model.json --input "0.5,-1,2;1,0,0"
  torchlet digits --save digits.pt && torchlet predict --model digits.pt --image seven.png

Exit codes: 0 done, 2 bad options, an unreadable or malformed model file, or rows of the wrong width.
`,
  async run(argv) {
    const opts = parseFlags(argv, flags);
    if (opts.model === undefined) throw new UsageError("--model FILE is required");
    if (opts.image !== undefined) {
      if (opts.input !== undefined || opts.inputFile !== undefined)
        throw new UsageError("give the digits with exactly one of --image, --input and --input-file");
    } else if ((opts.input === undefined) === (opts.inputFile === undefined))
      throw new UsageError("give the rows with exactly one of --input and --input-file");
    const digits = loadDigitsModel(opts.model);
    if (digits) {
      const rows =
        opts.image !== undefined
          ? [await readDigitImage(opts.image)]
          : (opts.input ?? readRows(opts.inputFile as string));
      return predictDigits(digits.model, rows, opts.json);
    }
    const model = loadModel(opts.model);
    if (opts.image !== undefined)
      throw new UsageError(
        `--image takes a model written by torchlet digits --save; ${opts.model} holds the chapter's network`,
      );
    const rows = opts.input ?? readRows(opts.inputFile as string);
    const width = (rows[0] as number[]).length;
    if (width !== model.features)
      throw new UsageError(`the model expects ${model.features} values per row, got ${width}`);

    const x = torch.tensor(rows, { dtype: model.dtype });
    const over = firstNonFinite(x);
    if (over >= 0) {
      const row = Math.floor(over / width);
      throw new UsageError(
        `row ${row + 1} has ${rows[row]?.[over % width]}, beyond the range of the model's ${model.dtype}`,
      );
    }
    const predictions = torch.noGrad(() => forward(x, model.net)).toTypedArray();
    rows.forEach((input, i) => {
      const prediction = predictions[i] as number;
      process.stdout.write(
        opts.json
          ? `${JSON.stringify({ input, prediction: exactNumber(prediction, model.dtype) })}\n`
          : `${formatR(prediction)}\n`,
      );
    });
    return 0;
  },
};

function readRows(path: string): number[][] {
  let content: string;
  try {
    content = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --input-file ${path}: ${reason(error)}`);
  }
  return parseNumberRows(content, `--input-file ${path}`);
}

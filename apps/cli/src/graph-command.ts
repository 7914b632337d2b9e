import { once } from "node:events";
import type * as torch from "torchlet";
import { describeFlags, parseFlags, toggle } from "./args.js";
import { CHAPTER_DEFAULTS, forward, mseLoss, setup } from "./chapter.js";
import type { Command } from "./commands.js";
import { autogradGraph, graphDot, graphText } from "./graph.js";
import { networkConfig, networkFlags } from "./network-flags.js";

const flags = {
  ...networkFlags,
  dot: toggle("print Graphviz DOT (render with: torchlet graph --dot | dot -Tsvg > graph.svg)"),
};

const usage =
  "usage: torchlet graph [--seed N] [--dataset NAME] [--n N] [--features N] [--hidden N[,N...]] [--dtype NAME] [--dot]";

export const graphCommand: Command = {
  summary: "print the autograd graph of one forward pass and loss",
  usage,
  help: () => `Runs one forward pass of the chapter's network and its loss, and prints the graph that backward
would walk: the grad_fn nodes from MeanBackward0 down to the leaves w1, b1, ... with their shapes,
as PyTorch names them. Text by default; --dot prints Graphviz DOT.

${usage}

options:
${describeFlags(flags)}
`,
  async run(argv) {
    const opts = parseFlags(argv, flags);
    const config = networkConfig(opts, { epochs: 1, lr: CHAPTER_DEFAULTS.lr });
    const run = setup(config);
    const loss = mseLoss(forward(run.x, run.net), run.y);
    const names = new Map<torch.Tensor, string>();
    run.net.weights.forEach((w, i) => {
      names.set(w, `w${i + 1}`);
      names.set(run.net.biases[i] as torch.Tensor, `b${i + 1}`);
    });
    const graph = autogradGraph(loss, names);
    if (opts.dot) {
      process.stdout.write(graphDot(graph, loss));
    } else {
      const shape = (t: torch.Tensor) => `[${t.shape.join(", ")}]`;
      await writeLines(graphText(graph, loss));
      process.stdout.write(
        `\nx ${shape(run.x)} and y ${shape(run.y)} need no gradient, so they are not in the graph.\n`,
      );
    }
    return 0;
  },
};

/**
 * Writes lines to stdout in chunks of about 64 KB, waiting whenever the reader is behind: a deep
 * graph's text is never held in memory all at once.
 */
async function writeLines(lines: Iterable<string>): Promise<void> {
  let chunk = "";
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= 65536) {
      if (!process.stdout.write(chunk)) await once(process.stdout, "drain");
      chunk = "";
    }
  }
  process.stdout.write(chunk);
}

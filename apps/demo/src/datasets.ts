// The data sets a visitor can train on. "chapter" is the chapter's own regression problem, drawn with
// the chapter's own lines; the 1-D curves come from @torchlet/data, because a fitted curve over the
// points shows what the hidden ReLUs do far better than a predicted-vs-target scatter can.
import * as torch from "torchlet";
import type { DatasetName } from "./protocol.js";

export interface Dataset {
  x: torch.Tensor;
  y: torch.Tensor;
}

/** Draws the data set; call after `torch.manualSeed` so the same seed gives the same data. */
export function makeDataset(name: DatasetName): Dataset {
  switch (name) {
    case "chapter": {
      // Written out rather than torch.makeRegression() so the page can show exactly these lines.
      const x = torch.randn(100, 3);
      const y = x
        .matmul(torch.tensor([0.2, -1.3, -0.5]))
        .unsqueeze(1)
        .add(torch.randn(100, 1));
      return { x, y };
    }
    case "sine":
      return torch.makeSine();
    case "cubic":
      return torch.makeCubic();
  }
}

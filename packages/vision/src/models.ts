import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from "@torchlet/nn";
import { TorchletError } from "@torchlet/storage";

/** The models `digitsModel` builds. */
export const DIGITS_MODELS = ["mlp", "cnn"] as const;
/** A name of `DIGITS_MODELS`. */
export type DigitsModelName = (typeof DIGITS_MODELS)[number];

/**
 * The multilayer perceptron 784-128-10 for digits [N, 1, 28, 28] in [0, 1]: PyTorch's
 * `nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))`, with its
 * state-dict keys ("1.weight", "1.bias", "3.weight", "3.bias") and, after the same seed, its
 * initial weights. It returns logits [N, 10].
 *
 * @example
 * manualSeed(0);
 * const model = digitsMLP();
 * model.forward(torch.zeros(2, 1, 28, 28)).shape; // [2, 10]
 */
export function digitsMLP(): Sequential {
  return new Sequential(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
}

/**
 * A small convolutional network for digits [N, 1, 28, 28] in [0, 1]: two 3x3 convolutions (16 and 32
 * channels, padding 1) each followed by ReLU and 2x2 max pooling, then one linear layer from the
 * 32x7x7 features to the 10 logits. PyTorch's `nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
 * nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
 * nn.Linear(1568, 10))`, with its state-dict keys ("0.weight", "0.bias", "3.weight", "3.bias",
 * "7.weight", "7.bias") and, after the same seed, its initial weights.
 *
 * @example
 * manualSeed(0);
 * const model = digitsCNN();
 * model.forward(torch.zeros(2, 1, 28, 28)).shape; // [2, 10]
 */
export function digitsCNN(): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(32 * 7 * 7, 10),
  );
}

/**
 * The model of that name, freshly initialised from the global generator.
 *
 * @example
 * digitsModel("mlp").parameters().length; // 4
 */
export function digitsModel(name: DigitsModelName): Sequential {
  if (name === "mlp") return digitsMLP();
  if (name === "cnn") return digitsCNN();
  throw new TorchletError(
    `digitsModel: unknown model ${JSON.stringify(name)} (the models are ${DIGITS_MODELS.join(", ")})`,
  );
}

import { Flatten, Linear, ReLU, Sequential } from "@torchlet/nn";
import { TorchletError } from "@torchlet/storage";

/** The models `digitsModel` builds. */
export const DIGITS_MODELS = ["mlp"] as const;
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
 * The model of that name, freshly initialised from the global generator.
 *
 * @example
 * digitsModel("mlp").parameters().length; // 4
 */
export function digitsModel(name: DigitsModelName): Sequential {
  if (name === "mlp") return digitsMLP();
  throw new TorchletError(
    `digitsModel: unknown model ${JSON.stringify(name)} (the models are ${DIGITS_MODELS.join(", ")})`,
  );
}

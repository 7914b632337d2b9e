import { fromArray, type Tensor } from "@torchlet/autograd";
import { StridedArray, TorchletError } from "@torchlet/storage";

/**
 * `torchvision.transforms.Normalize`: `(x - mean[c]) / std[c]` for each channel c of images
 * [..., C, H, W] (one image or a batch). `mean` and `std` are one number for every channel or one per
 * channel. Returns a new tensor; autograd records it as the subtraction and division it is.
 *
 * @example
 * const { train } = await loadDigits();
 * const x = normalize(train.images, DIGITS_MEAN, DIGITS_STD); // mean 0, std 1 over the train split
 */
export function normalize(
  images: Tensor,
  mean: number | readonly number[],
  std: number | readonly number[],
): Tensor {
  const op = "normalize";
  if (images.ndim < 3)
    throw new TorchletError(`${op}: expected images [..., C, H, W], got shape [${images.shape.join(", ")}]`);
  if (images.dtype !== "float32" && images.dtype !== "float64")
    throw new TorchletError(`${op}: expected float32 or float64 images, got ${images.dtype}`);
  const channels = images.shape[images.ndim - 3] as number;
  const perChannel = (name: string, v: number | readonly number[]) => {
    const values = typeof v === "number" ? Array.from({ length: channels }, () => v) : [...v];
    if (values.length !== channels)
      throw new TorchletError(
        `${op}: ${name} has ${values.length} values for images of ${channels} channels (shape [${images.shape.join(", ")}])`,
      );
    if (values.some((x) => !Number.isFinite(x)))
      throw new TorchletError(`${op}: ${name} must be finite, got [${values.join(", ")}]`);
    const data = images.dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
    return fromArray(StridedArray.fromFlat(data, [channels, 1, 1]));
  };
  const m = perChannel("mean", mean);
  const s = perChannel("std", std);
  if (typeof std === "number" ? std === 0 : std.includes(0))
    throw new TorchletError(`${op}: std must not be 0, got ${JSON.stringify(std)}`);
  return images.sub(m).div(s);
}

/**
 * Each image of a batch [N, ...] as one row [N, C*H*W] (a view where the batch is contiguous), the
 * input an MLP takes.
 *
 * @example
 * flatten(torch.zeros(64, 1, 28, 28)).shape; // [64, 784]
 */
export function flatten(images: Tensor): Tensor {
  if (images.ndim < 2)
    throw new TorchletError(`flatten: expected a batch [N, ...], got shape [${images.shape.join(", ")}]`);
  const [n, ...rest] = images.shape as [number, ...number[]];
  return images.reshape([n, rest.reduce((a, b) => a * b, 1)]);
}

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as torch from "torchlet";
import { UsageError } from "./args.js";
import { AtomicFile } from "./atomic-file.js";
import type { ChapterConfig, Network } from "./chapter.js";
import { exactNumber } from "./format-number.js";
import { networkFromStateDict, pytorchBytes, pytorchFormat } from "./pytorch-model.js";
import { reason } from "./system-error.js";

/** Marks the JSON as ours, so that `predict` can refuse any other JSON file with a clear message. */
export const MODEL_FORMAT = "torchlet-chapter-model";
export const MODEL_VERSION = 1;

type FloatType = "float32" | "float64";

/** One tensor in a model file: its shape and dtype, and its values flattened in row-major order. */
export interface TensorRecord {
  shape: number[];
  dtype: FloatType;
  data: number[];
}

/**
 * What `train --save` writes: the layers of the raw-tensor network (weight [in, out] and bias [1, out]
 * each, ReLU between layers), and how it was trained, for the record.
 */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  dtype: FloatType;
  activation: "relu";
  layers: { weight: TensorRecord; bias: TensorRecord }[];
  /** The seed is a JSON number up to 2^53 and a string of digits above, where a number would round. */
  training: Omit<ChapterConfig, "dtype" | "seed"> & { seed: number | string; finalLoss: number };
}

/** A model read back: the network as tensors, and the file's description of it. */
export interface LoadedModel {
  net: Network;
  dtype: FloatType;
  /** Input features: the rows of the first weight matrix. */
  features: number;
}

/** A seed as JSON: a number up to 2^53, a string of digits above, where a number would round. */
export const jsonSeed = (seed: bigint): number | string =>
  seed <= Number.MAX_SAFE_INTEGER ? Number(seed) : String(seed);

/** A tensor as JSON: its shape, dtype and values, each the shortest decimal that reads back the same. */
export function record(t: torch.Tensor, dtype: FloatType): TensorRecord {
  const data = Array.from(t.detach().contiguous().toTypedArray() as Float32Array | Float64Array, (v) =>
    exactNumber(v, dtype),
  );
  return { shape: [...t.shape], dtype, data };
}

export function modelFile(net: Network, config: ChapterConfig, finalLoss: number): ModelFile {
  const { dtype, seed, ...training } = config;
  return {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    dtype,
    activation: "relu",
    layers: net.weights.map((w, i) => ({
      weight: record(w, dtype),
      bias: record(net.biases[i] as torch.Tensor, dtype),
    })),
    training: {
      seed: jsonSeed(seed),
      ...training,
      finalLoss: exactNumber(finalLoss, dtype),
    },
  };
}

/**
 * Fails before training when the model could not be saved afterwards (a missing folder, a path that
 * is a folder or a device, a folder that takes no new file), so a long run is never lost to a typo in
 * --save: the file the save will write is created and removed here.
 */
export function checkSavePath(path: string): AtomicFile {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new UsageError(`--save: the folder ${folder} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`--save: ${path} is a folder, not a file`);
  // Renaming over /dev/null or a pipe would replace it by a plain file.
  if (existsSync(path) && !statSync(path).isFile())
    throw new UsageError(`--save: ${path} is not a regular file`);
  const file = new AtomicFile(path);
  try {
    file.probe();
  } catch (error) {
    throw new UsageError(`--save: cannot write ${path}: ${createReason(error)}`);
  }
  return file;
}

/**
 * Writes the model in place of the file all at once (on failure the previous file is untouched): as a
 * PyTorch state dict for a `.pt`/`.pth` or `.safetensors` path, else as torchlet's JSON model file.
 */
export function saveModel(file: AtomicFile, net: Network, config: ChapterConfig, finalLoss: number): void {
  const format = pytorchFormat(file.path);
  try {
    file.write(format ? pytorchBytes(net, format) : `${JSON.stringify(modelFile(net, config, finalLoss))}\n`);
  } catch (error) {
    throw new UsageError(`--save: cannot write ${file.path}: ${createReason(error)}`);
  }
}

/**
 * Reads and checks a model file (torchlet's JSON, a `torch.save`d state dict, or safetensors); every
 * problem is a UsageError naming the file and the field.
 */
export function loadModel(path: string): LoadedModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read model file ${path}: ${reason(error)}`);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return fromStateDict(path, () => torch.load(bytes));
  if (pytorchFormat(path) === "safetensors") return fromStateDict(path, () => torch.safetensors.load(bytes));
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`model file ${path} is not valid JSON (${reason(error)})`);
  }
  const bad = (what: string) => new UsageError(`model file ${path}: ${what}`);
  if (!isObject(json) || json.format !== MODEL_FORMAT)
    throw bad(
      `not a torchlet model (expected "format": "${MODEL_FORMAT}"; write one with torchlet train --save)`,
    );
  if (json.version !== MODEL_VERSION)
    throw bad(
      `version ${JSON.stringify(json.version)} is not supported (this torchlet reads ${MODEL_VERSION})`,
    );
  const dtype = json.dtype;
  if (dtype !== "float32" && dtype !== "float64")
    throw bad(`"dtype" must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  // A model with another activation would run as a ReLU network and print wrong numbers.
  if (json.activation !== "relu")
    throw bad(
      json.activation === undefined
        ? `"activation" is missing (the chapter's network has "relu")`
        : `"activation" must be "relu", got ${JSON.stringify(json.activation)}`,
    );
  if (!Array.isArray(json.layers) || json.layers.length === 0)
    throw bad(`"layers" must be a non-empty array`);

  const net: Network = { weights: [], biases: [] };
  let width: number | undefined;
  json.layers.forEach((layer: unknown, i: number) => {
    if (!isObject(layer)) throw bad(`layers[${i}] must be an object with "weight" and "bias"`);
    const weight = readTensor(layer.weight, `layers[${i}].weight`, dtype, bad);
    const bias = readTensor(layer.bias, `layers[${i}].bias`, dtype, bad);
    const [rows, cols] = weight.shape as [number, number];
    if (width !== undefined && rows !== width)
      throw bad(`layers[${i}].weight has ${rows} rows but layers[${i - 1}] has ${width} outputs`);
    if (bias.shape[0] !== 1 || bias.shape[1] !== cols)
      throw bad(`layers[${i}].bias has shape [${bias.shape.join(", ")}], expected [1, ${cols}]`);
    net.weights.push(weight);
    net.biases.push(bias);
    width = cols;
  });
  if (width !== 1) throw bad(`the last layer has ${width} outputs; the chapter's network predicts 1`);
  return { net, dtype, features: (net.weights[0] as torch.Tensor).shape[0] as number };
}

/** A model from a PyTorch state dict that `read` decodes (torch.load or safetensors). */
function fromStateDict(path: string, read: () => unknown): LoadedModel {
  let dict: unknown;
  try {
    dict = read();
  } catch (error) {
    throw new UsageError(
      `model file ${path}: ${error instanceof torch.TorchletError ? error.message : reason(error)}`,
    );
  }
  const net = networkFromStateDict(dict);
  if (typeof net === "string") throw new UsageError(`model file ${path}: ${net}`);
  const last = net.weights[net.weights.length - 1] as torch.Tensor;
  if (last.shape[1] !== 1)
    throw new UsageError(
      `model file ${path}: the last layer has ${last.shape[1]} outputs; the chapter's network predicts 1`,
    );
  for (const [i, t] of [...net.weights, ...net.biases].entries()) {
    const over = firstNonFinite(t);
    if (over >= 0) throw new UsageError(`model file ${path}: tensor ${i} holds a value that is not finite`);
  }
  const dtype = (net.weights[0] as torch.Tensor).dtype as FloatType;
  return { net, dtype, features: (net.weights[0] as torch.Tensor).shape[0] as number };
}

function readTensor(
  value: unknown,
  where: string,
  dtype: FloatType,
  bad: (what: string) => UsageError,
): torch.Tensor {
  if (!isObject(value)) throw bad(`${where} must be an object with "shape", "dtype" and "data"`);
  const { shape, data } = value;
  if (
    !Array.isArray(shape) ||
    shape.length !== 2 ||
    !shape.every((s) => Number.isSafeInteger(s) && (s as number) > 0)
  )
    throw bad(`${where}.shape must be two positive integers, got ${JSON.stringify(shape)}`);
  if (value.dtype !== dtype)
    throw bad(`${where}.dtype is ${JSON.stringify(value.dtype)} but the model is ${dtype}`);
  const [rows, cols] = shape as [number, number];
  if (!Array.isArray(data) || data.length !== rows * cols)
    throw bad(`${where}.data must hold ${rows * cols} numbers for shape [${rows}, ${cols}]`);
  const at = data.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
  if (at >= 0) throw bad(`${where}.data[${at}] is ${JSON.stringify(data[at])}, not a finite number`);
  const t = torch.tensor(data as number[], { dtype });
  const over = firstNonFinite(t);
  if (over >= 0) throw bad(`${where}.data[${over}] is ${data[over]}, beyond the range of ${dtype}`);
  return t.reshape([rows, cols]);
}

/**
 * The index of the first value that is not finite in the tensor's own dtype, or -1: 1e39 is a finite
 * number but an Inf as float32, so values are checked after the conversion.
 */
export function firstNonFinite(t: torch.Tensor): number {
  return (t.toTypedArray() as Float32Array | Float64Array).findIndex((v) => !Number.isFinite(v));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Why a file could not be created in a folder that exists (/proc says ENOENT). */
function createReason(error: unknown): string {
  return (error as NodeJS.ErrnoException).code === "ENOENT" ? "the folder takes no new files" : reason(error);
}

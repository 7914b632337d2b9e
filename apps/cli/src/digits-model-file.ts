import { readFileSync } from "node:fs";
import { DIGITS_MODELS, type DigitsModelName, digitsModel } from "@torchlet/vision";
import * as torch from "torchlet";
import { UsageError } from "./args.js";
import type { AtomicFile } from "./atomic-file.js";
import type { DigitsConfig } from "./digits-run.js";
import { firstNonFinite, jsonSeed, record, type TensorRecord } from "./model-file.js";
import { pytorchFormat } from "./pytorch-model.js";
import { reason } from "./system-error.js";

/** Marks the JSON of `torchlet digits --save model.json`, as MODEL_FORMAT marks the chapter's. */
export const DIGITS_FORMAT = "torchlet-digits-model";
export const DIGITS_VERSION = 1;

/** What `digits --save FILE.json` writes: the model's name, its state dict, and how it was trained. */
export interface DigitsModelFile {
  format: typeof DIGITS_FORMAT;
  version: typeof DIGITS_VERSION;
  model: DigitsModelName;
  stateDict: Record<string, TensorRecord>;
  training: Omit<DigitsConfig, "seed" | "model"> & { seed: number | string; testAccuracy: number };
}

/** A digits model read back: its name and the module holding the file's weights. */
export interface LoadedDigitsModel {
  name: DigitsModelName;
  model: torch.nn.Module;
}

/**
 * Writes the trained model all at once: its state dict (PyTorch's keys, loadable into the twin
 * nn.Sequential of fixtures/gen_digits.py) for .pt/.pth/.safetensors, else torchlet's JSON.
 */
export function saveDigitsModel(
  file: AtomicFile,
  config: DigitsConfig,
  model: torch.nn.Module,
  testAccuracy: number,
) {
  const dict = model.stateDict() as Record<string, torch.Tensor>;
  const format = pytorchFormat(file.path);
  const { seed, model: name, ...training } = config;
  const json: DigitsModelFile = {
    format: DIGITS_FORMAT,
    version: DIGITS_VERSION,
    model: name,
    stateDict: Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, record(t, "float32")])),
    training: {
      ...training,
      seed: jsonSeed(seed),
      testAccuracy,
    },
  };
  const bytes =
    format === "pt"
      ? torch.save(dict)
      : format === "safetensors"
        ? torch.safetensors.save(dict, { format: "pt" })
        : `${JSON.stringify(json)}\n`;
  try {
    file.write(bytes);
  } catch (error) {
    throw new UsageError(`--save: cannot write ${file.path}: ${reason(error)}`);
  }
}

/**
 * The digits model in the file at `path`, or null when the file holds something else (the chapter's
 * network, or nothing readable: `loadModel` then says what is wrong with it as it always has). A file
 * that is a digits model but a broken one is a UsageError naming the file and the problem.
 */
export function loadDigitsModel(path: string): LoadedDigitsModel | null {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  const bad = (what: string) => new UsageError(`model file ${path}: ${what}`);
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (isZip || pytorchFormat(path) === "safetensors") {
    let dict: unknown;
    try {
      dict = isZip ? torch.load(bytes) : torch.safetensors.load(bytes);
    } catch {
      return null;
    }
    if (typeof dict !== "object" || dict === null || Array.isArray(dict) || dict instanceof torch.Tensor)
      return null;
    const keys = Object.keys(dict).join(",");
    const name = DIGITS_MODELS.find((n) => Object.keys(digitsModel(n).stateDict()).join(",") === keys);
    return name ? withWeights(name, dict as Record<string, torch.Tensor>, bad) : null;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (!isObject(json) || json.format !== DIGITS_FORMAT) return null;
  if (json.version !== DIGITS_VERSION)
    throw bad(
      `version ${JSON.stringify(json.version)} is not supported (this torchlet reads ${DIGITS_VERSION})`,
    );
  const name = json.model as DigitsModelName;
  if (!DIGITS_MODELS.includes(name))
    throw bad(`"model" must be one of ${DIGITS_MODELS.join(", ")}, got ${JSON.stringify(json.model)}`);
  if (!isObject(json.stateDict)) throw bad(`"stateDict" must be an object of tensors`);
  const dict: Record<string, torch.Tensor> = {};
  for (const [key, value] of Object.entries(json.stateDict))
    dict[key] = tensorOf(value, `stateDict["${key}"]`, bad);
  return withWeights(name, dict, bad);
}

/** A fresh model of `name` holding `dict`'s weights, which must be finite and fit it exactly. */
function withWeights(
  name: DigitsModelName,
  dict: Record<string, torch.Tensor>,
  bad: (what: string) => UsageError,
): LoadedDigitsModel {
  const model = digitsModel(name);
  for (const [key, t] of Object.entries(dict)) {
    if (t.dtype !== "float32") throw bad(`"${key}" is ${t.dtype}; the digits models are float32`);
    if (firstNonFinite(t) >= 0) throw bad(`"${key}" holds a value that is not finite`);
  }
  try {
    model.loadStateDict(dict);
  } catch (error) {
    throw bad(error instanceof torch.TorchletError ? error.message : reason(error));
  }
  return { name, model };
}

function tensorOf(value: unknown, where: string, bad: (what: string) => UsageError): torch.Tensor {
  if (!isObject(value)) throw bad(`${where} must be an object with "shape", "dtype" and "data"`);
  const { shape, data } = value;
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && (s as number) >= 0))
    throw bad(`${where}.shape must be a list of sizes, got ${JSON.stringify(shape)}`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (value.dtype !== "float32")
    throw bad(`${where}.dtype must be "float32", got ${JSON.stringify(value.dtype)}`);
  if (!Array.isArray(data) || data.length !== size || !data.every((v) => typeof v === "number"))
    throw bad(`${where}.data must hold ${size} numbers for shape [${shape.join(", ")}]`);
  return torch.tensor(data as number[]).reshape(shape as number[]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

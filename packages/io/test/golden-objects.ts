import { arange, fromArray, type Tensor, tensor, zeros } from "@torchlet/autograd";
import type { Saveable } from "../src/index.js";
import type { Described } from "./fixtures.js";

/** Deterministic values (no generator involved), so the golden files never change by accident. */
const ramp = (rows: number, cols: number, scale: number) =>
  arange(rows * cols)
    .mul(scale)
    .sub(0.5)
    .reshape(rows, cols);

/** The objects whose `save` output is committed in fixtures/golden and read back by PyTorch. */
export function goldenObjects(): Record<string, Saveable> {
  const base = ramp(4, 6, 0.125);
  return {
    "tensor.pt": tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    "state_dict.pt": {
      "0.weight": ramp(16, 3, 0.01),
      "0.bias": ramp(1, 16, 0.02).reshape(16),
      "2.weight": ramp(1, 16, -0.03),
      "2.bias": tensor([0.25]),
    },
    "views.pt": {
      base,
      t: base.t(),
      block: fromArray(base._array.narrow(0, 1, 3).narrow(1, 2, 3)),
      row: fromArray(base._array.select(0, 2)),
    },
    "mixed.pt": {
      lr: 0.001,
      step: 7,
      big: 2n ** 62n,
      name: "chapter ü",
      flags: [true, false, null],
      float64: tensor([1 / 3, -2.5e-300, Number.NaN, -Infinity], { dtype: "float64" }),
      int32: tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: "int32" }),
      int64: tensor([-(2 ** 53 - 1), 2 ** 53 - 1, 0], { dtype: "int64" }),
      bool: tensor([true, false, true]),
      empty: zeros([0, 3]),
      scalar: tensor(2.5),
      requiresGrad: tensor([1, -1], { requiresGrad: true }),
      nested: [[tensor([0])], new Map<Saveable, Saveable>([[1, "one"]])],
    },
  };
}

/** The tensors of the committed safetensors golden file (name order, as `safetensors.save` lays them out). */
export function goldenSafetensors(): Record<string, Tensor> {
  return {
    a: ramp(2, 3, 0.5),
    b: tensor([1 / 3, -0], { dtype: "float64" }),
    c: tensor([7, -8], { dtype: "int32" }),
    i: tensor([2 ** 40, -3], { dtype: "int64" }),
    d: tensor([true, false]),
    e: zeros([0]),
    f: ramp(3, 2, 0.25).t(),
  };
}

/** The JSON form gen_io.py's `describe` gives for what PyTorch loads (tensors by storage, in order). */
export function describeSaveable(value: Saveable, storages = new Map<unknown, number>()): Described {
  if (value !== null && typeof value === "object" && "_array" in value) {
    const t = value as Tensor;
    const a = t._array;
    let storage = t.numel() === 0 ? null : storages.get(a.data);
    if (storage === undefined) {
      storage = storages.size;
      storages.set(a.data, storage);
    }
    const flat = Array.from(t.toTypedArray() as ArrayLike<number>, Number);
    return {
      tensor: {
        dtype: t.dtype,
        shape: [...t.shape],
        stride: [...a.strides],
        offset: a.offset,
        values: flat.map((v) =>
          t.dtype === "bool"
            ? v === 1
            : Number.isNaN(v)
              ? "nan"
              : v === Infinity
                ? "inf"
                : v === -Infinity
                  ? "-inf"
                  : v,
        ),
        requiresGrad: t.requiresGrad,
        storage,
      },
    };
  }
  if (Array.isArray(value)) return { list: value.map((v) => describeSaveable(v, storages)) };
  if (value instanceof Map)
    return { dict: [...value].map(([k, v]) => [k as string, describeSaveable(v, storages)]) };
  if (value !== null && typeof value === "object") {
    return { dict: Object.entries(value).map(([k, v]) => [k, describeSaveable(v as Saveable, storages)]) };
  }
  if (typeof value === "bigint") return { int: String(value) };
  return { value: value as number | string | boolean | null };
}

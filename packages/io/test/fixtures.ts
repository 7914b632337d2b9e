import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "@torchlet/autograd";
import { expect } from "vitest";

export const FIXTURES = join(__dirname, "..", "fixtures");

/** What gen_io.py says torch.load gives, in JSON. */
export type Described =
  | {
      tensor: {
        dtype: string;
        shape: number[];
        stride: number[];
        offset: number;
        values: (number | boolean | string)[];
        requiresGrad: boolean;
        storage: number | null;
      };
    }
  | { dict: [string | number, Described][] }
  | { list: Described[] }
  | { value: number | string | boolean | null }
  | { int: string };

export interface IoCase {
  name: string;
  file: string;
  expect?: Described;
  error?: string;
}

export const cases: IoCase[] = JSON.parse(readFileSync(join(FIXTURES, "io.json"), "utf8")).cases;

export const fixtureBytes = (file: string) => new Uint8Array(readFileSync(join(FIXTURES, file)));

const decode = (v: number | boolean | string) =>
  v === "nan" ? Number.NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;

/** Asserts `got` is what `described` says; storages shared in the file must be shared typed arrays. */
export function expectDescribed(
  got: unknown,
  described: Described,
  storages = new Map<number, unknown>(),
): void {
  if ("tensor" in described) {
    const d = described.tensor;
    expect(got).toBeInstanceOf(Tensor);
    const t = got as Tensor;
    expect(t.dtype).toBe(d.dtype);
    expect(t.shape).toEqual(d.shape);
    if (t.numel() > 0) {
      expect(t._array.strides).toEqual(d.stride);
      expect(t._array.offset).toBe(d.offset);
    }
    expect(t.requiresGrad).toBe(d.requiresGrad);
    const flat = Array.from(t.toTypedArray() as ArrayLike<number>, Number).map((v) =>
      d.dtype === "bool" ? v === 1 : v,
    );
    expect(flat).toEqual(d.values.map(decode));
    const shared = d.storage === null ? null : storages.get(d.storage);
    if (shared === undefined) storages.set(d.storage as number, t._array.data);
    else if (shared !== null) expect(t._array.data).toBe(shared);
  } else if ("dict" in described) {
    const keys = described.dict.map(([k]) => k);
    if (keys.every((k) => typeof k === "string")) {
      expect(Object.keys(got as object)).toEqual(keys);
      for (const [k, v] of described.dict) expectDescribed((got as Record<string, unknown>)[k], v, storages);
    } else {
      expect(got).toBeInstanceOf(Map);
      const map = got as Map<unknown, unknown>;
      expect([...map.keys()]).toEqual(keys);
      for (const [k, v] of described.dict) expectDescribed(map.get(k), v, storages);
    }
  } else if ("list" in described) {
    expect(Array.isArray(got)).toBe(true);
    const list = got as unknown[];
    expect(list.length).toBe(described.list.length);
    for (let i = 0; i < list.length; i++) expectDescribed(list[i], described.list[i] as Described, storages);
  } else if ("int" in described) {
    expect(got).toBe(BigInt(described.int));
  } else {
    expect(got).toEqual(decode(described.value as never));
  }
}

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { TorchletError } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { load, safetensors } from "../src/index.js";
import { unpickle } from "../src/pickle-read.js";
import { readZip } from "../src/zip-read.js";
import { FIXTURES, fixtureBytes } from "./fixtures.js";

/** A small seeded generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of `bytes` cut short, or with a few bytes flipped, or with a run of bytes overwritten. */
function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const kind = rand();
  if (kind < 0.3) return bytes.slice(0, Math.floor(rand() * bytes.length));
  const out = bytes.slice();
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(rand() * out.length);
    out[at] = kind < 0.7 ? (out[at] as number) ^ (1 << Math.floor(rand() * 8)) : Math.floor(rand() * 256);
  }
  return out;
}

/** Runs `read` on `count` mutations of `bytes`: each must succeed or throw a TorchletError, nothing else. */
function fuzz(bytes: Uint8Array, read: (b: Uint8Array) => unknown, seed: number, count: number): number {
  const rand = random(seed);
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const input = mutate(bytes, rand);
    try {
      read(input);
    } catch (error) {
      if (!(error instanceof TorchletError)) {
        throw new Error(
          `mutation ${i} of seed ${seed} threw ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
      refused++;
    }
  }
  return refused;
}

const torchFiles = readdirSync(join(FIXTURES, "torch")).filter((f) => f.endsWith(".pt"));

describe("hostile and damaged files are refused with a TorchletError, never another exception", () => {
  it.each(torchFiles)("torch.load of 300 mutations of %s", (name) => {
    const refused = fuzz(fixtureBytes(`torch/${name}`), load, name.length * 7919, 300);
    expect(refused).toBeGreaterThan(0);
  });

  // The CRC check stops most damage at the zip layer; the pickle reader also has to hold up alone.
  it.each(torchFiles.filter((f) => !f.startsWith("legacy")))(
    "the unpickler on 500 mutations of %s's data.pkl",
    (name) => {
      const entries = readZip("load", fixtureBytes(`torch/${name}`));
      const pickle = [...entries.values()].find((e) => e.name.endsWith("data.pkl"));
      if (!pickle) throw new Error("no data.pkl");
      const hooks = {
        globals: new Map([["collections.OrderedDict", () => ({})]]),
        persistentLoad: () => null,
      };
      fuzz(pickle.bytes, (b) => unpickle("load", b, hooks), name.length * 104729, 500);
    },
  );

  it.each(readdirSync(join(FIXTURES, "safetensors")).filter((f) => f.endsWith(".safetensors")))(
    "safetensors.load of 500 mutations of %s",
    (name) => {
      const refused = fuzz(fixtureBytes(`safetensors/${name}`), safetensors.load, name.length * 31, 500);
      expect(refused).toBeGreaterThan(0);
    },
  );
});

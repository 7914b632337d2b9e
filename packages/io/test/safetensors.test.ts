import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tensor } from "@torchlet/autograd";
import { TorchletError } from "@torchlet/storage";
import { describe, expect, it } from "vitest";
import { safetensors } from "../src/index.js";
import { type Described, expectDescribed, FIXTURES, fixtureBytes } from "./fixtures.js";
import { goldenSafetensors } from "./golden-objects.js";

const reference: { name: string; file: string; expect?: Described; error?: string }[] = JSON.parse(
  readFileSync(join(FIXTURES, "safetensors", "safetensors.json"), "utf8"),
).cases;

describe("safetensors.load reads the reference implementation's files", () => {
  for (const c of reference) {
    it(c.name, () => {
      const bytes = fixtureBytes(c.file);
      if (c.error) expect(() => safetensors.load(bytes)).toThrowError(new RegExp(c.error));
      else expectDescribed(safetensors.load(bytes), c.expect as Described);
    });
  }
});

describe("safetensors.save", () => {
  it("round-trips values, dtypes and shapes; views are stored row-major", () => {
    const tensors = goldenSafetensors();
    const back = safetensors.load(safetensors.save(tensors));
    expect(Object.keys(back)).toEqual(Object.keys(tensors).sort());
    for (const [k, t] of Object.entries(tensors)) {
      expect(back[k]?.dtype).toBe(t.dtype);
      expect(back[k]?.tolist()).toEqual(t.tolist());
    }
  });

  it("pads the header to 8 bytes and keeps metadata", () => {
    const bytes = safetensors.save({ x: tensor([1]) }, { format: "pt" });
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(n % 8).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))).__metadata__).toEqual({
      format: "pt",
    });
  });

  it("refuses non-tensors, a reserved name and non-string metadata", () => {
    expect(() => safetensors.save({ x: [1] as never })).toThrowError(/"x" is not a Tensor/);
    expect(() => safetensors.save({ __metadata__: tensor([1]) })).toThrowError(/reserved/);
    expect(() => safetensors.save({ x: tensor([1]) }, { n: 1 as never })).toThrowError(
      /metadata must map strings/,
    );
  });
});

/** A safetensors file with `header` (an object or raw text) and `data` bytes. */
function file(header: unknown, data = new Uint8Array(0), claimed?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, claimed ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("safetensors.load validates the header before reading any tensor", () => {
  const f32 = (shape: number[], offsets: number[]) => ({ dtype: "F32", shape, data_offsets: offsets });
  const eight = new Uint8Array(8);
  it.each([
    ["a file shorter than 8 bytes", new Uint8Array(3), /shorter than the 8-byte header length/],
    ["a header longer than the file", file({}, eight, 1000), /header length 1000 exceeds/],
    [
      "a 2^40-byte header",
      (() => {
        const b = file({});
        new DataView(b.buffer).setUint32(4, 256, true);
        return b;
      })(),
      /header length .* exceeds/,
    ],
    ["a header that is not JSON", file("{not json"), /not UTF-8 JSON/],
    ["a header that is an array", file("[]"), /header is not an object/],
    [
      "an unknown dtype",
      file({ x: { dtype: "F128", shape: [1], data_offsets: [0, 8] } }, eight),
      /unknown dtype "F128"/,
    ],
    ["a negative dim", file({ x: f32([-1], [0, 4]) }, eight), /has shape \[-1\]/],
    ["fractional offsets", file({ x: f32([1], [0, 4.5]) }, eight), /data_offsets \[0,4.5\]/],
    ["reversed offsets", file({ x: f32([0], [8, 0]) }, eight), /data_offsets \[8,0\]/],
    ["offsets past the end", file({ x: f32([4], [0, 16]) }, eight), /ends at byte 16 of a 8-byte/],
    [
      "a size that disagrees with the shape",
      file({ x: f32([3], [0, 8]) }, eight),
      /needs 12 bytes, its offsets give 8/,
    ],
    [
      "overlapping tensors",
      file({ x: f32([2], [0, 8]), y: f32([1], [4, 8]) }, eight),
      /starts at byte 4, expected 8/,
    ],
    ["a gap", file({ x: f32([1], [4, 8]) }, eight), /starts at byte 4, expected 0/],
    ["unused trailing bytes", file({ x: f32([1], [0, 4]) }, eight), /4 bytes no tensor uses/],
    ["non-string metadata", file({ __metadata__: { a: 1 } }), /__metadata__ must map strings to strings/],
  ])("%s", (_what, bytes, message) => {
    expect(() => safetensors.load(bytes)).toThrowError(TorchletError);
    expect(() => safetensors.load(bytes)).toThrowError(message);
  });

  it("a tensor named __proto__ is an ordinary key", () => {
    const t = safetensors.load(
      file(
        JSON.parse('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'),
        new Uint8Array(4),
      ),
    );
    expect(Object.keys(t)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
  });
});

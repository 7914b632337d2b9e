import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatStreamDouble } from "../src/gformat.js";
import { type DType, formatTensor, StridedArray } from "../src/index.js";
import { allocate } from "../src/internal.js";

/** One libtorch print from fixtures/print/print.json (written by print_oracle.cpp through gen.sh). */
interface PrintCase {
  name: string;
  dtype: DType;
  shape: number[];
  /** Row-major; non-finite values as "nan", "-nan" (sign bit set), "inf", "-inf"; bool as booleans. */
  values: (number | boolean | string)[];
  /** libtorch's `std::cout << tensor`. */
  printed: string;
}

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/print/print.json", import.meta.url), "utf8"),
) as { libtorch: string; cases: PrintCase[] };
const cases = fixture.cases;
const byName = new Map(cases.map((c) => [c.name, c]));

function fixtureCase(name: string): PrintCase {
  const c = byName.get(name);
  if (!c) throw new Error(`no fixture case ${name}`);
  return c;
}

/** Sets the sign bit of the NaN at data[index], which no JS arithmetic can do. */
function negateNaN(data: Float32Array | Float64Array, index: number): void {
  const words = new Int32Array(data.buffer, data.byteOffset, data.length * (data.BYTES_PER_ELEMENT / 4));
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const word = data instanceof Float32Array ? index : 2 * index + (littleEndian ? 1 : 0);
  words[word] = (words[word] as number) | 0x80000000;
}

/** Writes the case's values into `data` at storage positions `position(i)`. */
function fill(data: ReturnType<typeof allocate>, c: PrintCase, position: (i: number) => number): void {
  c.values.forEach((v, i) => {
    const p = position(i);
    if (typeof v === "boolean") data[p] = v ? 1 : 0;
    else if (typeof v === "number") data[p] = v;
    else if (v === "inf" || v === "-inf") data[p] = v === "inf" ? Infinity : -Infinity;
    else {
      data[p] = Number.NaN;
      if (v === "-nan") negateNaN(data as Float32Array | Float64Array, p);
    }
  });
}

function contiguousArray(c: PrintCase): StridedArray {
  const data = allocate(c.dtype, c.values.length);
  fill(data, c, (i) => i);
  return StridedArray.fromFlat(data, c.shape, c.dtype);
}

/**
 * The same tensor as a non-contiguous view: stored with its last two dims swapped, then transposed
 * back (1-d tensors: every other slot of a twice-as-long buffer).
 */
function transposedView(c: PrintCase): StridedArray {
  const n = c.values.length;
  if (c.shape.length === 1) {
    const data = allocate(c.dtype, 2 * n);
    fill(data, c, (i) => 2 * i);
    return new StridedArray(data, c.dtype, c.shape, [2]);
  }
  const rows = c.shape[c.shape.length - 2] as number;
  const cols = c.shape[c.shape.length - 1] as number;
  const data = allocate(c.dtype, n);
  // Element (.., r, c) of the case lives at (.., c, r) of the stored array.
  fill(data, c, (i) => {
    const matrix = rows * cols;
    const within = i % matrix;
    const r = Math.floor(within / cols);
    const col = within % cols;
    return i - within + col * rows + r;
  });
  const storedShape = [...c.shape.slice(0, -2), cols, rows];
  return StridedArray.fromFlat(data, storedShape, c.dtype).transpose(-2, -1);
}

const NOTE = "... [the output was truncated (use n=-1 to disable)]";

/** R torch's summary of libtorch's text: first `n` lines, the note, the footer (the last line). */
function truncated(printed: string, n: number): string {
  const lines = printed.split("\n");
  return ["torch_tensor", ...lines.slice(0, n), NOTE, lines[lines.length - 1]].join("\n");
}

describe("formatTensor against libtorch's operator<<", () => {
  it("has the oracle's cases", () => {
    expect(fixture.libtorch).toMatch(/^1\.13\./);
    expect(cases.length).toBeGreaterThanOrEqual(80);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(formatTensor(contiguousArray(c), { maxLines: -1 })).toBe(`torch_tensor\n${c.printed}`);
  });
});

describe("formatTensor on non-contiguous views", () => {
  const strided = cases.filter((c) => c.shape.length >= 1);

  it.each(strided.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const view = transposedView(c);
    const rows = c.shape[c.shape.length - 2] ?? 2;
    const cols = c.shape[c.shape.length - 1] as number;
    if (rows > 1 && cols > 1) expect(view.isContiguous()).toBe(false);
    const printed = formatTensor(view, { maxLines: -1 });
    expect(printed).toBe(`torch_tensor\n${c.printed}`);
    expect(printed).toBe(formatTensor(view.contiguous(), { maxLines: -1 }));
  });
});

describe("R torch's summary of long tensors", () => {
  it("keeps the first 30 lines by default, then the note and the footer", () => {
    const out = formatTensor(contiguousArray(fixtureCase("vec_long_100")));
    expect(out.split("\n")).toHaveLength(1 + 30 + 2);
    expect(out).toBe(truncated(fixtureCase("vec_long_100").printed, 30));
    expect(out.endsWith(`\n  7.2500\n${NOTE}\n[ CPUFloatType{100} ]`)).toBe(true);
  });

  it("writes out a small case by hand", () => {
    const a = StridedArray.fromFlat(new Float32Array([1, 2, 3, 4]), [4]);
    expect(formatTensor(a, { maxLines: 3 })).toBe(`torch_tensor\n 1\n 2\n 3\n${NOTE}\n[ CPUFloatType{4} ]`);
    expect(formatTensor(a, { maxLines: 5 })).toBe("torch_tensor\n 1\n 2\n 3\n 4\n[ CPUFloatType{4} ]");
  });

  it("counts the footer line: 29 values fit in 30 lines, 30 values do not", () => {
    const fits = fixtureCase("vec_long_29");
    expect(formatTensor(contiguousArray(fits))).toBe(`torch_tensor\n${fits.printed}`);
    // 30 values and the footer make 31 lines: R torch adds the note though no value is dropped.
    const over = fixtureCase("vec_long_30");
    const out = formatTensor(contiguousArray(over));
    expect(out).toBe(truncated(over.printed, 30));
    expect(out.endsWith(`\n 29\n${NOTE}\n[ CPUFloatType{30} ]`)).toBe(true);
  });

  it("counts the slice headers and blank lines of 3-d tensors", () => {
    const c = fixtureCase("t3d_long_10x3x5");
    const out = formatTensor(contiguousArray(c));
    expect(out).toBe(truncated(c.printed, 30));
    // Six slices of 5 lines: the 30th line is the blank line after slice (6,.,.).
    expect(out).toContain(`(6,.,.) = `);
    expect(out).not.toContain(`(7,.,.) = `);
    expect(out.endsWith(`\n\n${NOTE}\n[ CPUFloatType{10,3,5} ]`)).toBe(true);
  });

  it("cuts a column block mid-way", () => {
    const c = fixtureCase("mat_wide_3x30");
    expect(formatTensor(contiguousArray(c), { maxLines: 6 })).toBe(truncated(c.printed, 6));
  });

  it("is off for maxLines -1 and, as in R torch, for 0 and 1", () => {
    const c = fixtureCase("tall_100x1");
    for (const maxLines of [-1, 0, 1]) {
      expect(formatTensor(contiguousArray(c), { maxLines })).toBe(`torch_tensor\n${c.printed}`);
    }
  });

  it("prints the chapter's 100x1 output with its grad_fn after the summary", () => {
    const c = fixtureCase("tall_100x1");
    const out = formatTensor(contiguousArray(c), { gradFn: "AddBackward0" });
    const lines = out.split("\n");
    expect(lines).toHaveLength(1 + 30 + 2);
    expect(lines[0]).toBe("torch_tensor");
    expect(lines[1]).toBe("-5.0000");
    expect(lines[31]).toBe(NOTE);
    expect(lines[32]).toBe("[ CPUFloatType{100,1} ][ grad_fn = <AddBackward0> ]");
  });
});

describe("R torch's grad notes", () => {
  const a = StridedArray.fromFlat(new Float32Array([1.5, 2, 3, 4.25, 5, 6]), [2, 3]);
  const body = "torch_tensor\n 1.5000  2.0000  3.0000\n 4.2500  5.0000  6.0000\n";

  it("appends grad_fn to the footer line", () => {
    expect(formatTensor(a, { gradFn: "AddBackward0" })).toBe(
      `${body}[ CPUFloatType{2,3} ][ grad_fn = <AddBackward0> ]`,
    );
  });

  it("marks a leaf that requires grad", () => {
    expect(formatTensor(a, { requiresGrad: true })).toBe(
      `${body}[ CPUFloatType{2,3} ][ requires_grad = TRUE ]`,
    );
  });

  it("prefers grad_fn, and says nothing without either", () => {
    expect(formatTensor(a, { gradFn: "MmBackward0", requiresGrad: true })).toBe(
      `${body}[ CPUFloatType{2,3} ][ grad_fn = <MmBackward0> ]`,
    );
    expect(formatTensor(a, { gradFn: null, requiresGrad: false })).toBe(`${body}[ CPUFloatType{2,3} ]`);
    expect(formatTensor(a)).toBe(`${body}[ CPUFloatType{2,3} ]`);
  });

  it("works on scalars and empty tensors", () => {
    const scalar = StridedArray.fromFlat(new Float32Array([0.5]), []);
    expect(formatTensor(scalar, { requiresGrad: true })).toBe(
      "torch_tensor\n0.5\n[ CPUFloatType{} ][ requires_grad = TRUE ]",
    );
    const empty = StridedArray.zeros([2, 0], "float64");
    expect(formatTensor(empty, { gradFn: "ViewBackward0" })).toBe(
      "torch_tensor\n[ CPUDoubleType{2,0} ][ grad_fn = <ViewBackward0> ]",
    );
  });
});

describe("formatStreamDouble (printf through a C++ ostream)", () => {
  const fixed = { floatField: "fixed", precision: 4 } as const;
  const scientific = { floatField: "scientific", precision: 4 } as const;
  const general = { floatField: "defaultfloat", precision: 6 } as const;

  it("rounds exact ties to even", () => {
    expect(formatStreamDouble(0.03125, fixed)).toBe("0.0312");
    expect(formatStreamDouble(0.09375, fixed)).toBe("0.0938");
    expect(formatStreamDouble(12346.5, scientific)).toBe("1.2346e+04");
    expect(formatStreamDouble(1234565, general)).toBe("1.23456e+06");
  });

  it("writes at least two exponent digits", () => {
    expect(formatStreamDouble(1e-5, scientific)).toBe("1.0000e-05");
    expect(formatStreamDouble(1e-120, scientific)).toBe("1.0000e-120");
    expect(formatStreamDouble(1.5e-7, general)).toBe("1.5e-07");
  });

  it("strips %g's trailing zeros and keeps printf's signs", () => {
    expect(formatStreamDouble(42, general)).toBe("42");
    expect(formatStreamDouble(0.0001, { floatField: "defaultfloat", precision: 4 })).toBe("0.0001");
    expect(formatStreamDouble(-0.00004, fixed)).toBe("-0.0000");
    expect(formatStreamDouble(-0, general)).toBe("-0");
    expect(formatStreamDouble(-1e25, fixed)).toBe("-10000000000000000905969664.0000");
  });

  it("spells the non-finite values as C does", () => {
    expect(formatStreamDouble(Number.NaN, fixed)).toBe("nan");
    expect(formatStreamDouble(Number.NaN, fixed, true)).toBe("-nan");
    expect(formatStreamDouble(-Infinity, scientific)).toBe("-inf");
    expect(formatStreamDouble(Infinity, general)).toBe("inf");
  });
});

import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// The sweep of issue 18: every public tensor method and torch.* function called with hostile arguments
// (undefined, null, strings, arrays, objects, bigints, NaN dims, negative, fractional and huge sizes).
// Each call must throw a TorchletError (never a TypeError or RangeError from inside, never a result
// computed from a coerced value) and leave its input tensors as they were. Every case is also called
// with its valid arguments first, so a case cannot pass by being broken from the start.

/** The kinds of argument a public function takes, with the values that are not of that kind. */
const NOT_AN_OBJECT = [undefined, null, "1", "", [1, 2], 1n, Symbol("s"), () => 1];
const BAD = {
  /** Another tensor. */
  tensor: [...NOT_AN_OBJECT, {}, 2, true],
  /** A tensor, a number or a boolean (the right-hand side of arithmetic). */
  operand: [...NOT_AN_OBJECT, {}],
  /** A number or a boolean: a value to store. */
  scalar: [...NOT_AN_OBJECT, {}],
  /** A number or null (clamp's bounds, norm's p). */
  bound: ["1", [1], {}, 1n],
  /** arange's end: a finite number, within the size limit. */
  end: [...NOT_AN_OBJECT, {}, Number.NaN, Number.POSITIVE_INFINITY, 1e12],
  /** One dim of a 2-D tensor. */
  dim: [undefined, null, "0", [0], {}, 0n, Number.NaN, 0.5, 2, -3, Number.POSITIVE_INFINITY],
  /** One dim, a list of dims, or null / undefined for all of them. */
  dims: ["0", {}, 0n, Number.NaN, 0.5, 2, -3, [Number.NaN], ["0"], [0, 0]],
  /** A size or a count (non-negative integer). */
  size: [undefined, null, "2", [2], {}, 2n, Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY, 1e12],
  /** A shape (an array of sizes). */
  shape: [undefined, null, "2", {}, 2n, [Number.NaN], [-1, -1], [1.5], ["2"], [2n], [1e6, 1e6]],
  /** A boolean flag (keepdim, accumulate, requiresGrad). */
  flag: [null, "yes", 1, {}, 1n],
  /** A dtype name. */
  dtype: [undefined, null, "float16", "foo", 1, {}, ["float32"]],
  /** An options object ({ dtype, requiresGrad }). */
  options: [null, "float64", 1, [1], { dtype: "float16" }, { dtype: 1 }, { requiresGrad: "yes" }],
} as const;
type Kind = keyof typeof BAD;

const x = () =>
  torch.tensor([
    [1, -2, 3],
    [4, 5, -6],
  ]);
const i64 = (data: number[] | number[][]) => torch.tensor(data, { dtype: "int64" });

interface Case {
  /** The tensors the call is given (its input first); they must come through unchanged. */
  inputs: () => torch.Tensor[];
  /** The valid arguments, each with its kind and the values of that kind's BAD list it accepts (a
   * default: `undefined` for an optional dim). */
  args: [Kind, () => unknown, (readonly unknown[])?][];
  call: (inputs: torch.Tensor[], args: unknown[]) => unknown;
}

const self = (f: (t: torch.Tensor, ...args: unknown[]) => unknown): Case["call"] => {
  return (inputs, args) => f(inputs[0] as torch.Tensor, ...args);
};
// biome-ignore lint/suspicious/noExplicitAny: the sweep calls methods with values their types forbid
type Loose = any;
const m =
  (name: string) =>
  (t: torch.Tensor, ...args: unknown[]): unknown =>
    (t as Loose)[name](...args);

const tensorArg = (): [Kind, () => unknown] => ["tensor", () => x()];
const dimArg = (d = 1): [Kind, () => unknown] => ["dim", () => d];
/** A dim that may be omitted (undefined) or null for "all of them". */
const optionalDim = (d = 1): [Kind, () => unknown, unknown[]] => ["dim", () => d, [undefined, null]];
const defaultDim = (d = 0): [Kind, () => unknown, unknown[]] => ["dim", () => d, [undefined]];
const flagArg: [Kind, () => unknown] = ["flag", () => false];
/** Options of backward/grad: unrelated keys are ignored, as PyTorch's keyword arguments cannot be. */
const backwardOptions: [Kind, () => unknown, unknown[]] = [
  "options",
  () => ({ retainGraph: true }),
  BAD.options.filter((o) => typeof o === "object" && o !== null && !Array.isArray(o)),
];

const METHODS: Record<string, Case> = {
  ...Object.fromEntries(
    ["add", "sub", "mul", "div", "pow", "remainder", "eq", "ne", "gt", "ge", "lt", "le"].map((op) => [
      op,
      { inputs: () => [x()], args: [["operand", () => 2]], call: self(m(op)) } satisfies Case,
    ]),
  ),
  ...Object.fromEntries(
    ["add_", "sub_", "mul_", "div_"].map((op) => [
      op,
      { inputs: () => [x()], args: [["operand", () => 2]], call: self(m(op)) } satisfies Case,
    ]),
  ),
  ...Object.fromEntries(
    ["maximum", "minimum", "mm", "matmul"].map((op) => [
      op,
      {
        inputs: () => [x()],
        args: [["tensor", () => (op === "mm" || op === "matmul" ? x().t() : x())]],
        call: self(m(op)),
      } satisfies Case,
    ]),
  ),
  bmm: {
    inputs: () => [x().unsqueeze(0)],
    args: [["tensor", () => x().t().unsqueeze(0)]],
    call: self(m("bmm")),
  },
  dot: {
    inputs: () => [torch.tensor([1, 2])],
    args: [["tensor", () => torch.tensor([3, 4])]],
    call: self(m("dot")),
  },
  mv: { inputs: () => [x()], args: [["tensor", () => torch.tensor([1, 2, 3])]], call: self(m("mv")) },
  clamp: {
    inputs: () => [x()],
    args: [
      ["bound", () => 0],
      ["bound", () => 1],
    ],
    call: self(m("clamp")),
  },
  where: {
    inputs: () => [x()],
    args: [
      ["tensor", () => x().gt(0)],
      ["operand", () => 0],
    ],
    call: self(m("where")),
  },
  fill_: { inputs: () => [x()], args: [["scalar", () => 1]], call: self(m("fill_")) },
  ...Object.fromEntries(
    ["sum", "mean", "amax", "amin", "all", "any", "logsumexp"].map((op) => [
      op,
      { inputs: () => [x()], args: [["dims", () => 1], flagArg], call: self(m(op)) } satisfies Case,
    ]),
  ),
  ...Object.fromEntries(
    ["max", "min", "argmax", "argmin", "prod"].map((op) => [
      op,
      { inputs: () => [x()], args: [optionalDim(), flagArg], call: self(m(op)) } satisfies Case,
    ]),
  ),
  unbind: { inputs: () => [x()], args: [defaultDim()], call: self(m("unbind")) },
  size: { inputs: () => [x()], args: [defaultDim()], call: self(m("size")) },
  ...Object.fromEntries(
    ["softmax", "logSoftmax", "cumsum"].map((op) => [
      op,
      { inputs: () => [x()], args: [dimArg()], call: self(m(op)) } satisfies Case,
    ]),
  ),
  // unsqueeze and stack take one dim more than the input has; squeeze's input is 3-D
  unsqueeze: { inputs: () => [x()], args: [["dim", () => 1, [2, -3]]], call: self(m("unsqueeze")) },
  squeeze: { inputs: () => [x().unsqueeze(1)], args: [["dims", () => 1, [2, -3]]], call: self(m("squeeze")) },
  var: { inputs: () => [x()], args: [["dims", () => 1]], call: self(m("var")) },
  std: { inputs: () => [x()], args: [["dims", () => 1]], call: self(m("std")) },
  norm: {
    inputs: () => [x()],
    args: [["bound", () => 2], ["dims", () => 1], flagArg],
    call: self(m("norm")),
  },
  transpose: { inputs: () => [x()], args: [dimArg(0), dimArg(1)], call: self(m("transpose")) },
  select: { inputs: () => [x()], args: [dimArg(0), ["dim", () => 1]], call: self(m("select")) },
  narrow: {
    inputs: () => [x()],
    args: [dimArg(1), ["dim", () => 0, [-3]], ["size", () => 2]],
    call: self(m("narrow")),
  },
  // a piece (or a count) larger than the dim is one piece
  split: { inputs: () => [x()], args: [["size", () => 2, [1e12]], defaultDim(1)], call: self(m("split")) },
  chunk: { inputs: () => [x()], args: [["size", () => 2, [1e12]], defaultDim()], call: self(m("chunk")) },
  gather: {
    inputs: () => [x()],
    args: [dimArg(), ["tensor", () => i64([[0], [2]])]],
    call: self(m("gather")),
  },
  indexSelect: {
    inputs: () => [x()],
    args: [dimArg(), ["tensor", () => i64([0, 2])]],
    call: self(m("indexSelect")),
  },
  scatter: {
    inputs: () => [x()],
    args: [dimArg(0), ["tensor", () => i64([[1, 0, 1]])], ["operand", () => 9]],
    call: self(m("scatter")),
  },
  scatterAdd: {
    inputs: () => [x()],
    args: [dimArg(0), ["tensor", () => i64([[1, 0, 1]])], ["tensor", () => torch.ones(1, 3)]],
    call: self(m("scatterAdd")),
  },
  maskedFill: {
    inputs: () => [x()],
    args: [
      ["tensor", () => x().gt(0)],
      ["operand", () => 0],
    ],
    call: self(m("maskedFill")),
  },
  maskedSelect: { inputs: () => [x()], args: [["tensor", () => x().gt(0)]], call: self(m("maskedSelect")) },
  maskedScatter: {
    inputs: () => [x()],
    args: [
      ["tensor", () => x().gt(0)],
      ["tensor", () => torch.zeros(6)],
    ],
    call: self(m("maskedScatter")),
  },
  indexPut_: {
    inputs: () => [x()],
    args: [["operand", () => 7], flagArg],
    call: ([t], [values, accumulate]) => (t as Loose).indexPut_([0], values, accumulate),
  },
  view: { inputs: () => [x()], args: [["shape", () => [3, 2]]], call: self(m("view")) },
  reshape: { inputs: () => [x()], args: [["shape", () => [3, 2]]], call: self(m("reshape")) },
  expand: { inputs: () => [x().unsqueeze(0)], args: [["shape", () => [2, 2, 3]]], call: self(m("expand")) },
  permute: { inputs: () => [x()], args: [["shape", () => [1, 0]]], call: self(m("permute")) },
  to: { inputs: () => [x()], args: [["dtype", () => "float64"]], call: self(m("to")) },
  requiresGrad_: { inputs: () => [x()], args: [flagArg], call: self(m("requiresGrad_")) },
  backward: {
    inputs: () => [torch.tensor([1, 2], { requiresGrad: true })],
    args: [["tensor", () => torch.ones(2)], backwardOptions],
    call: ([t], [g, o]) => (t as torch.Tensor).mul(2).backward(g as torch.Tensor, o as torch.BackwardOptions),
  },
};

const FUNCTIONS: Record<string, Case> = {
  tensor: {
    inputs: () => [],
    args: [["options", () => ({ dtype: "int32" })]],
    call: (_, [o]) => torch.tensor([1, 2], o as Loose),
  },
  zeros: {
    inputs: () => [],
    args: [
      ["shape", () => [2, 3]],
      ["options", () => ({})],
    ],
    call: (_, a) => (torch.zeros as Loose)(...a),
  },
  ones: {
    inputs: () => [],
    args: [
      ["shape", () => [2, 3]],
      ["options", () => ({})],
    ],
    call: (_, a) => (torch.ones as Loose)(...a),
  },
  full: {
    inputs: () => [],
    args: [
      ["shape", () => [2]],
      ["scalar", () => 1],
      ["options", () => ({})],
    ],
    call: (_, a) => (torch.full as Loose)(...a),
  },
  zerosLike: {
    inputs: () => [],
    args: [tensorArg(), ["options", () => ({})]],
    call: (_, a) => (torch.zerosLike as Loose)(...a),
  },
  onesLike: {
    inputs: () => [],
    args: [tensorArg(), ["options", () => ({})]],
    call: (_, a) => (torch.onesLike as Loose)(...a),
  },
  fullLike: {
    inputs: () => [],
    args: [tensorArg(), ["scalar", () => 3], ["options", () => ({})]],
    call: (_, a) => (torch.fullLike as Loose)(...a),
  },
  arange: {
    inputs: () => [],
    args: [
      ["end", () => 5],
      ["options", () => ({})],
    ],
    call: (_, a) => (torch.arange as Loose)(...a),
  },
  linspace: {
    inputs: () => [],
    args: [
      ["scalar", () => 0],
      ["scalar", () => 1],
      ["size", () => 5],
      ["options", () => ({})],
    ],
    call: (_, a) => (torch.linspace as Loose)(...a),
  },
  eye: {
    inputs: () => [],
    args: [
      ["size", () => 2],
      ["size", () => 3, [undefined, {}]], // eye(n, options)
      ["options", () => ({})],
    ],
    call: (_, a) => (torch.eye as Loose)(...a),
  },
  cat: { inputs: () => [x(), x()], args: [defaultDim()], call: (t, [d]) => torch.cat(t, d as number) },
  stack: {
    inputs: () => [x(), x()],
    args: [["dim", () => 0, [undefined, 2, -3]]],
    call: (t, [d]) => torch.stack(t, d as number),
  },
  catTensors: {
    inputs: () => [],
    args: [["tensor", () => x()]],
    call: (_, [t]) => torch.cat([x(), t as torch.Tensor]),
  },
  "torch.where": {
    inputs: () => [x()],
    args: [
      ["tensor", () => x().gt(0)],
      ["operand", () => 0],
    ],
    call: ([t], [c, y]) => torch.where(c as torch.Tensor, t as torch.Tensor, y as number),
  },
  "autograd.grad": {
    inputs: () => [torch.tensor([1, 2], { requiresGrad: true })],
    args: [backwardOptions],
    call: ([t], [o]) => torch.autograd.grad((t as torch.Tensor).sum(), t as torch.Tensor, o as Loose),
  },
};

/** The functional forms torch.NAME(tensor, ...) of the methods: a hostile first argument. */
const FUNCTIONAL_FORMS = Object.keys(torch).filter(
  (name) =>
    typeof (torch as Loose)[name] === "function" && name in torch.Tensor.prototype && name !== "numel",
); // torch.numel is storage's numel(shape), not a form of Tensor.numel

const snapshot = (ts: torch.Tensor[]) =>
  ts.map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.tolist() }));

function expectRefused(c: Case, slot: number, bad: unknown): void {
  const inputs = c.inputs();
  const args = c.args.map(([, make]) => make());
  args[slot] = bad;
  const before = snapshot(inputs);
  let thrown: unknown = null;
  try {
    c.call(inputs, args);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "returned instead of throwing").toBeInstanceOf(torch.TorchletError);
  expect(snapshot(inputs)).toEqual(before);
}

/** A value as the test's name shows it (bigints, NaN and Infinity spelled out). */
const show = (v: unknown): string =>
  typeof v === "symbol" || typeof v === "function"
    ? String(v)
    : (JSON.stringify(v, (_, e) =>
        typeof e === "bigint" ? `${e}n` : typeof e === "number" && !Number.isFinite(e) ? `${e}` : e,
      ) ?? "undefined");

/** The tests of a table of cases: each runs with its valid arguments, and refuses every bad one. */
function sweep(cases: Record<string, Case>): void {
  it.each(Object.keys(cases))("%s runs with its valid arguments", (name) => {
    const c = cases[name] as Case;
    expect(() =>
      c.call(
        c.inputs(),
        c.args.map(([, make]) => make()),
      ),
    ).not.toThrow();
  });
  const rows = Object.entries(cases).flatMap(([name, c]) =>
    c.args.flatMap(([kind, , accepted = []], slot) =>
      BAD[kind]
        .filter((bad) => !accepted.some((a) => show(a) === show(bad)))
        .map((bad) => [`${name} arg ${slot} (${kind}) = ${show(bad)}`, c, slot, bad] as const),
    ),
  );
  it.each(rows)("%s", (_, c, slot, bad) => expectRefused(c, slot, bad));
}

describe("Tensor methods with hostile arguments throw a TorchletError and change nothing", () =>
  sweep(METHODS));
describe("torch functions with hostile arguments throw a TorchletError and change nothing", () =>
  sweep(FUNCTIONS));

describe("torch.NAME(input, ...) with an input that is not a Tensor", () => {
  it("covers the functional forms", () => expect(FUNCTIONAL_FORMS.length).toBeGreaterThan(50));
  const rows = FUNCTIONAL_FORMS.flatMap((name) =>
    BAD.tensor.map((bad) => [`${name}(${show(bad)})`, name, bad] as const),
  );
  it.each(rows)("%s", (_, name, bad) => {
    expect(() => (torch as Loose)[name](bad, 1)).toThrow(torch.TorchletError);
  });
});

describe("torch.nn.functional with hostile arguments", () => {
  const F = torch.nn.functional as Loose;
  const NN: Record<string, Case> = {
    ...Object.fromEntries(
      ["relu", "sigmoid", "tanh", "silu", "gelu", "dropout"].map((op) => [
        op,
        { inputs: () => [], args: [tensorArg()], call: (_, [t]) => F[op](t) } satisfies Case,
      ]),
    ),
    softmax: { inputs: () => [], args: [tensorArg(), dimArg()], call: (_, a) => F.softmax(...a) },
    logSoftmax: { inputs: () => [], args: [tensorArg(), dimArg()], call: (_, a) => F.logSoftmax(...a) },
    leakyRelu: {
      inputs: () => [],
      args: [tensorArg(), ["scalar", () => 0.1, [undefined]]],
      call: (_, a) => F.leakyRelu(...a),
    },
    elu: {
      inputs: () => [],
      args: [tensorArg(), ["scalar", () => 1, [undefined]]],
      call: (_, a) => F.elu(...a),
    },
    softplus: {
      inputs: () => [],
      args: [tensorArg(), ["scalar", () => 1, [undefined]], ["scalar", () => 20, [undefined]]],
      call: (_, a) => F.softplus(...a),
    },
    linear: {
      inputs: () => [],
      args: [
        tensorArg(),
        ["tensor", () => torch.ones(4, 3)],
        ["tensor", () => torch.ones(4), [null, undefined]],
      ],
      call: (_, a) => F.linear(...a),
    },
    mseLoss: { inputs: () => [], args: [tensorArg(), tensorArg()], call: (_, a) => F.mseLoss(...a) },
    l1Loss: { inputs: () => [], args: [tensorArg(), tensorArg()], call: (_, a) => F.l1Loss(...a) },
  };
  sweep(NN);
});

import { readFileSync } from "node:fs";
import * as torch from "torchlet";

// The rows of fixtures/promotion/promotion.json (PyTorch 1.13's result dtypes, written by
// fixtures/promotion/gen_promotion.py) and the ops they cover: promotion.test.ts checks them on the
// CPU, webgpu/promotion.test.ts on the GPU.

export interface Operand {
  kind: "tensor" | "0-d" | "number";
  dtype: torch.DType | "int" | "float";
}
export type Op = "add" | "mul" | "where" | "sub" | "div" | "pow" | "remainder" | "maximum" | "lt" | "add_";
export type Row = { a: Operand; b: Operand; resultType: torch.DType } & Record<
  Op,
  torch.DType | { error: string }
>;

export const rows = JSON.parse(
  readFileSync(new URL("../fixtures/promotion/promotion.json", import.meta.url), "utf8"),
) as Row[];

type Other = torch.Tensor | number;
export const OPS: Record<Op, (a: torch.Tensor, b: torch.Tensor | number | boolean) => torch.Tensor> = {
  add: (a, b) => torch.add(a, b as Other),
  mul: (a, b) => torch.mul(a, b as Other),
  where: (a, b) => torch.where(torch.tensor(true), a, b as Other),
  sub: (a, b) => torch.sub(a, b as Other),
  div: (a, b) => torch.div(a, b as Other),
  pow: (a, b) => torch.pow(a, b as Other),
  remainder: (a, b) => torch.remainder(a, b as Other),
  maximum: (a, b) => torch.maximum(a, b as torch.Tensor),
  lt: (a, b) => torch.lt(a, b as Other),
  add_: (a, b) => a.add_(b as Other),
};

const NUMBERS = { int: 2, float: 2.5, bool: true } as const;

/** An operand of a row: a number, or a tensor of ones on `device`. */
export function operand(
  o: Operand,
  shape: number[],
  device: torch.Device = "cpu",
): torch.Tensor | number | boolean {
  if (o.kind === "number") return NUMBERS[o.dtype as keyof typeof NUMBERS];
  return torch.ones(o.kind === "0-d" ? [] : shape, { dtype: o.dtype as torch.DType, device });
}

export const name = (o: Operand) => `${o.kind} ${o.dtype}`;

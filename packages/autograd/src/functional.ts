import type { DType } from "@torchlet/storage";
import type { Operand, ShapeArgs, Tensor } from "./tensor.js";

// torch.NAME(tensor, ...) forms of the Tensor methods, as PyTorch offers both spellings.

export const add = (a: Tensor, b: Operand): Tensor => a.add(b);
export const sub = (a: Tensor, b: Operand): Tensor => a.sub(b);
export const mul = (a: Tensor, b: Operand): Tensor => a.mul(b);
export const div = (a: Tensor, b: Operand): Tensor => a.div(b);
export const pow = (a: Tensor, exponent: Operand): Tensor => a.pow(exponent);
export const neg = (a: Tensor): Tensor => a.neg();
export const exp = (a: Tensor): Tensor => a.exp();
export const log = (a: Tensor): Tensor => a.log();
export const sqrt = (a: Tensor): Tensor => a.sqrt();
export const abs = (a: Tensor): Tensor => a.abs();
export const sign = (a: Tensor): Tensor => a.sign();
export const relu = (a: Tensor): Tensor => a.relu();
export const sigmoid = (a: Tensor): Tensor => a.sigmoid();
export const tanh = (a: Tensor): Tensor => a.tanh();
export const eq = (a: Tensor, b: Operand): Tensor => a.eq(b);
export const ne = (a: Tensor, b: Operand): Tensor => a.ne(b);
export const gt = (a: Tensor, b: Operand): Tensor => a.gt(b);
export const ge = (a: Tensor, b: Operand): Tensor => a.ge(b);
export const lt = (a: Tensor, b: Operand): Tensor => a.lt(b);
export const le = (a: Tensor, b: Operand): Tensor => a.le(b);
export const matmul = (a: Tensor, b: Tensor): Tensor => a.matmul(b);
export const mm = (a: Tensor, b: Tensor): Tensor => a.mm(b);
export const bmm = (a: Tensor, b: Tensor): Tensor => a.bmm(b);
export const dot = (a: Tensor, b: Tensor): Tensor => a.dot(b);
export const mv = (a: Tensor, b: Tensor): Tensor => a.mv(b);
export const sum = (a: Tensor, dim?: number | readonly number[] | null, keepdim?: boolean): Tensor =>
  a.sum(dim, keepdim);
export const mean = (a: Tensor, dim?: number | readonly number[] | null, keepdim?: boolean): Tensor =>
  a.mean(dim, keepdim);
export const max = (a: Tensor): Tensor => a.max();
export const min = (a: Tensor): Tensor => a.min();
export const reshape = (a: Tensor, ...shape: ShapeArgs): Tensor => a.reshape(...shape);
export const flatten = (a: Tensor): Tensor => a.flatten();
export const unsqueeze = (a: Tensor, dim: number): Tensor => a.unsqueeze(dim);
export const squeeze = (a: Tensor, dim?: number): Tensor => a.squeeze(dim);
export const transpose = (a: Tensor, dim0: number, dim1: number): Tensor => a.transpose(dim0, dim1);
export const t = (a: Tensor): Tensor => a.t();
export const permute = (a: Tensor, ...dims: ShapeArgs): Tensor => a.permute(...dims);
export const clone = (a: Tensor): Tensor => a.clone();
export const detach = (a: Tensor): Tensor => a.detach();
export const to = (a: Tensor, dtype: DType): Tensor => a.to(dtype);

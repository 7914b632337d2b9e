import * as torch from "torchlet";
import { describe, expect, it } from "vitest";

// One test per misuse: a TorchletError whose message names the op and the offending shapes, dtypes or
// values, thrown before anything is written, so every tensor involved is left as it was.

const f64 = (data: number[][] | number[], requiresGrad = false) =>
  torch.tensor(data, { dtype: "float64", requiresGrad });

interface ErrorCase {
  /** The tensors that must come through unchanged, and the call that must throw. */
  setup: () => { tensors: torch.Tensor[]; call: () => unknown };
  message: RegExp;
}

const CASES: Record<string, ErrorCase> = {
  "binary op on shapes that do not broadcast": {
    setup: () => {
      const a = torch.zeros(2, 3);
      const b = torch.zeros(4);
      return { tensors: [a, b], call: () => a.add(b) };
    },
    message: /^add: shapes \[2,3\] and \[4\] cannot be broadcast$/,
  },
  "comparison on shapes that do not broadcast": {
    setup: () => {
      const a = torch.zeros(3);
      return { tensors: [a], call: () => a.lt(torch.zeros(2)) };
    },
    message: /^lt: shapes \[3\] and \[2\] cannot be broadcast/,
  },
  "in-place op whose result would need a bigger shape": {
    setup: () => {
      const a = torch.ones(3);
      return { tensors: [a], call: () => a.mul_(torch.ones(2, 3)) };
    },
    message: /^mul_: output with shape \[3\] doesn't match the broadcast shape \[2,3\]/,
  },
  "in-place op whose result dtype cannot be stored": {
    setup: () => {
      const a = torch.tensor([1, 2], { dtype: "int32" });
      return { tensors: [a], call: () => a.div_(2) };
    },
    message: /^div_: result type CPUFloatType can't be cast to the desired output type CPUIntType/,
  },
  "in-place op on an expanded tensor (elements share memory)": {
    setup: () => {
      const base = torch.zeros(3, 1);
      const e = base.expand(3, 4);
      return { tensors: [base], call: () => e.add_(1) };
    },
    message:
      /^add_: more than one element of the written-to tensor \(shape \[3,4\], strides \[1,0\]\) refers to a single memory location/,
  },
  "integer tensor to a negative power": {
    setup: () => ({ tensors: [], call: () => torch.tensor([1, 2], { dtype: "int32" }).pow(-1) }),
    message: /^pow: integers to negative integer powers are not allowed \(int32 \[2\] to the power -1\)/,
  },
  "in-place op on a leaf that requires grad": {
    setup: () => {
      const w = f64([1, 2], true);
      return { tensors: [w], call: () => w.add_(1) };
    },
    message: /^add_: a leaf tensor that requires grad \(shape \[2\]\) is being used in an in-place operation/,
  },
  "in-place op on a view of a leaf that requires grad": {
    setup: () => {
      const w = f64([1, 2], true);
      const v = w.view(2, 1);
      return { tensors: [w], call: () => v.zero_() };
    },
    message:
      /^zero_: in-place changes to a view of a tensor that requires grad are not supported while recording \(shape \[2,1\]\)/,
  },
  "backward after an in-place change to a saved tensor": {
    setup: () => {
      const x = f64([1, 2], true);
      const y = x.exp();
      const loss = y.sum();
      y.mul_(2);
      return { tensors: [x], call: () => loss.backward() };
    },
    message:
      /ExpBackward0: one of the variables needed for gradient computation has been modified by an inplace operation: \[CPUDoubleType\[2\]\]/,
  },
  "backward through a freed graph": {
    setup: () => {
      const x = f64([1, 2], true);
      const loss = x.mul(x).sum();
      loss.backward();
      return { tensors: [x, x.grad as torch.Tensor], call: () => loss.backward() };
    },
    message: /^backward \(SumBackward0\): trying to backward through the graph a second time/,
  },
  "backward on a tensor that does not require grad": {
    setup: () => {
      const x = torch.ones(2, 2);
      return { tensors: [x], call: () => x.backward() };
    },
    message: /^backward: the tensor \(shape \[2,2\]\) does not require grad/,
  },
  "backward without a gradient on a non-scalar": {
    setup: () => {
      const x = f64([1, 2], true);
      const y = x.mul(2);
      return { tensors: [x, y], call: () => y.backward() };
    },
    message: /^backward: grad can be implicitly created only for scalar outputs, got shape \[2\]/,
  },
  "item of a tensor with more than one element": {
    setup: () => {
      const x = torch.zeros(2, 3);
      return { tensors: [x], call: () => x.item() };
    },
    message: /^item: a tensor with 6 elements \(shape \[2,3\]\) cannot be converted to a number/,
  },
  "ragged nested data": {
    setup: () => ({ tensors: [], call: () => torch.tensor([[1, 2], [3]]) }),
    message:
      /^tensor: ragged nested data: expected a sequence of length 2 at \[1\], got a sequence of length 1/,
  },
  "mm of shapes that do not chain": {
    setup: () => {
      const a = torch.zeros(2, 3);
      return { tensors: [a], call: () => a.mm(torch.zeros(2, 3)) };
    },
    message: /^mm: cannot multiply shapes \[2,3\] and \[2,3\]/,
  },
  "mm of a vector": {
    setup: () => ({ tensors: [], call: () => torch.zeros(3).mm(torch.zeros(3, 2)) }),
    message: /^mm: expects two 2-D matrices, got shapes \[3\] and \[3,2\]/,
  },
  "mm of mixed dtypes": {
    setup: () => ({
      tensors: [],
      call: () => torch.zeros(2, 3).mm(torch.zeros([3, 2], { dtype: "float64" })),
    }),
    message: /^mm: expected both operands to have the same dtype, got float32 \[2,3\] and float64 \[3,2\]/,
  },
  "matmul with mismatched inner sizes": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3, 4).matmul(torch.zeros(5, 2)) }),
    message: /^matmul: shapes \[2,3,4\] and \[5,2\] cannot be multiplied/,
  },
  "matmul with batch dims that do not broadcast": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3, 4).matmul(torch.zeros(3, 4, 2)) }),
    message: /^matmul: shapes \[2,3,4\] and \[3,4,2\] cannot be multiplied/,
  },
  "matmul of a 0-d tensor": {
    setup: () => ({ tensors: [], call: () => torch.tensor(1).matmul(torch.zeros(3)) }),
    message: /^matmul: both arguments need to be at least 1-D, got shapes \[\] and \[3\]/,
  },
  "view that the strides cannot express": {
    setup: () => {
      const a = torch.zeros(2, 3).t();
      return { tensors: [a], call: () => a.view(6) };
    },
    message:
      /^view: size \[6\] is not compatible with input of shape \[3,2\] and strides \[1,3\]; use reshape/,
  },
  "reshape to a different number of elements": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3).reshape(4, 2) }),
    message: /^reshape: shape \[4,2\] is invalid for input of size 6/,
  },
  "reshape with two inferred dims": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3).reshape(-1, -1) }),
    message: /^reshape: only one dimension can be inferred in \[-1,-1\]/,
  },
  "dim out of range": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3).sum(2) }),
    message: /^sum: dimension 2 out of range \(expected to be in range of \[-2, 1\]\)/,
  },
  "repeated reduction dim": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3).mean([1, -1]) }),
    message: /^mean: dim \[1,-1\] appears multiple times/,
  },
  "mean of an integer tensor": {
    setup: () => ({ tensors: [], call: () => torch.tensor([1, 2], { dtype: "int32" }).mean() }),
    message: /^mean: .*input dtype must be floating point, got int32/,
  },
  "max of an empty tensor": {
    setup: () => ({ tensors: [], call: () => torch.zeros(0, 2).max() }),
    message: /^max: expected a non-empty tensor, got shape \[0,2\]/,
  },
  "permute with the wrong number of dims": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3, 4).permute(0, 1) }),
    message: /^permute: number of dims \[0,1\] does not match the input's 3 dimensions \(shape \[2,3,4\]\)/,
  },
  "permute with a repeated dim": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3, 4).permute(0, 0, 1) }),
    message: /^permute: repeated dim in \[0,0,1\]/,
  },
  "expand of a non-singleton dim": {
    setup: () => ({ tensors: [], call: () => torch.zeros(3, 2).expand(3, 4) }),
    message:
      /^expand: the expanded size of the tensor \(4\) must match the existing size \(2\).*tensor sizes \[3,2\]/,
  },
  "t of a 3-D tensor": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, 3, 4).t() }),
    message: /^t: expects a tensor with <= 2 dimensions, but got shape \[2,3,4\]/,
  },
  "subtraction with bool tensors": {
    setup: () => {
      const m = torch.tensor([true, false]);
      return { tensors: [m], call: () => m.sub(m) };
    },
    message: /^sub: subtraction with a bool tensor is not supported \(bool \[2\] and bool \[2\]\)/,
  },
  "requiresGrad on an integer tensor": {
    setup: () => {
      const i = torch.tensor([1, 2], { dtype: "int32" });
      return { tensors: [i], call: () => i.requiresGrad_() };
    },
    message: /^requiresGrad_: only tensors of floating point dtype can require gradients, got int32/,
  },
  "where with a non-bool condition": {
    setup: () => ({ tensors: [], call: () => torch.where(torch.zeros(2), torch.zeros(2), 1) }),
    message: /^where: condition must be a bool tensor, got float32 \[2\]/,
  },
  "negative size": {
    setup: () => ({ tensors: [], call: () => torch.zeros(2, -1) }),
    message: /^zeros: invalid shape \[2,-1\]/,
  },
};

describe("misuse throws a TorchletError naming the op and leaves tensors unchanged", () => {
  it.each(Object.entries(CASES))("%s", (_name, { setup, message }) => {
    const { tensors, call } = setup();
    const before = tensors.map((t) => ({
      values: t.tolist(),
      version: t._version.value,
      grad: t.grad?.tolist(),
    }));
    let thrown: unknown = null;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(torch.TorchletError);
    expect((thrown as Error).name).toBe("TorchletError");
    expect((thrown as Error).message).toMatch(message);
    expect(
      tensors.map((t) => ({ values: t.tolist(), version: t._version.value, grad: t.grad?.tolist() })),
    ).toEqual(before);
  });
});

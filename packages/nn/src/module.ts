import { noGrad, Tensor } from "@torchlet/autograd";
import { backendFor, transfer } from "@torchlet/ops";
import { copyInto, type Device, type DType, type StridedArray, TorchletError } from "@torchlet/storage";
import { isParameter, Parameter } from "./parameter.js";
import { addIndent } from "./repr.js";

/**
 * What `loadStateDict` found: with `strict: false`, the keys it skipped.
 *
 * @example
 * const result: LoadResult = new torch.nn.Linear(2, 1).loadStateDict({}, { strict: false });
 * result.missingKeys; // ["weight", "bias"]
 */
export interface LoadResult {
  /** Keys of the module that the dict lacks. */
  missingKeys: string[];
  /** Keys of the dict that the module lacks. */
  unexpectedKeys: string[];
}

/**
 * Each module's buffers by PyTorch's name, in registration order (PyTorch's `_buffers`): state that is
 * saved and loaded with the parameters but not trained (BatchNorm's running statistics). Kept outside
 * the instance so that its own fields stay parameters and submodules only.
 */
const buffersOf = new WeakMap<Module, Map<string, Tensor>>();

/**
 * The base of every layer (`torch.nn.Module`). Subclass it, assign submodules and parameters as fields
 * in the constructor, and write `forward`. Fields register in assignment order, as PyTorch's
 * `__setattr__` registers them, so `namedParameters()` and `stateDict()` have PyTorch's names in
 * PyTorch's order. (A TypeScript field declared without an initializer is created, empty, where it
 * is declared: its place in that order is its declaration's.)
 *
 * @example
 * class Net extends torch.nn.Module {
 *   fc1 = new torch.nn.Linear(3, 32);
 *   act = new torch.nn.ReLU();
 *   fc2 = new torch.nn.Linear(32, 1);
 *   forward(x: torch.Tensor) {
 *     return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
 *   }
 * }
 * const net = new Net();
 * net.namedParameters().map(([name]) => name); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 * net.forward(torch.randn(100, 3)).shape; // [100, 1]
 */
export abstract class Module {
  /** Training mode (true) or evaluation mode; set with `train()` / `eval()`. */
  training = true;

  /** The computation; subclasses define it (call it as `model.forward(x)`). */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** This module's own parameters, by field name, in assignment order. */
  private ownParameters(): [string, Tensor][] {
    return Object.entries(this).filter((entry): entry is [string, Tensor] => isParameter(entry[1]));
  }

  /** This module's own buffers, in registration order. */
  private ownBuffers(): Map<string, Tensor> {
    const own = buffersOf.get(this) ?? new Map<string, Tensor>();
    buffersOf.set(this, own);
    return own;
  }

  /**
   * Registers (or replaces) a buffer: a tensor saved in `stateDict()` under `name` after the
   * parameters, loaded by `loadStateDict` and converted by `to()`, but not a parameter (PyTorch's
   * `register_buffer`).
   *
   * @example
   * class Scaled extends torch.nn.Module {
   *   constructor() {
   *     super();
   *     this.registerBuffer("scale", torch.ones(2));
   *   }
   *   forward(x: torch.Tensor) {
   *     return x.mul(this.buffer("scale"));
   *   }
   * }
   * Object.keys(new Scaled().stateDict()); // ["scale"]
   */
  registerBuffer(name: string, tensor: Tensor): void {
    this.ownBuffers().set(name, tensor);
  }

  /**
   * The buffer registered as `name`.
   *
   * @example
   * new torch.nn.BatchNorm1d(3).buffer("running_var").tolist(); // [1, 1, 1]
   */
  buffer(name: string): Tensor {
    const t = this.ownBuffers().get(name);
    if (!t) throw new TorchletError(`${this.constructor.name}: no buffer named "${name}"`);
    return t;
  }

  /**
   * Every buffer with its dotted name, in PyTorch's order (PyTorch's `named_buffers()`).
   *
   * @example
   * new torch.nn.BatchNorm1d(3).namedBuffers().map(([n]) => n); // ["running_mean", "running_var", "num_batches_tracked"]
   */
  namedBuffers(): [string, Tensor][] {
    return this.namedModules().flatMap(([prefix, m]) =>
      [...m.ownBuffers()].map(([name, t]): [string, Tensor] => [prefix ? `${prefix}.${name}` : name, t]),
    );
  }

  /**
   * The direct submodules with their field names, in assignment order.
   *
   * @example
   * new torch.nn.Sequential(new torch.nn.Linear(2, 2), new torch.nn.ReLU()).namedChildren().map(([n]) => n); // ["0", "1"]
   */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((entry): entry is [string, Module] => entry[1] instanceof Module);
  }

  /**
   * The direct submodules, in assignment order.
   *
   * @example
   * new torch.nn.Sequential(new torch.nn.ReLU()).children().length; // 1
   */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every module below it, depth first, each once, with dotted names (`""` for this one).
   *
   * @example
   * new torch.nn.Sequential(new torch.nn.Linear(2, 2)).namedModules().map(([n]) => n); // ["", "0"]
   */
  namedModules(prefix = ""): [string, Module][] {
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    const visit = (name: string, m: Module) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [child, sub] of m.namedChildren()) visit(name ? `${name}.${child}` : child, sub);
    };
    visit(prefix, this);
    return out;
  }

  /**
   * This module and every module below it, depth first.
   *
   * @example
   * new torch.nn.Sequential(new torch.nn.Linear(2, 2), new torch.nn.ReLU()).modules().length; // 3
   */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Every parameter with its dotted name (`"0.weight"`), each once, in PyTorch's order: a module's own
   * parameters, then its submodules'.
   *
   * @example
   * new torch.nn.Linear(3, 2).namedParameters().map(([n, p]) => [n, p.shape]); // [["weight", [2, 3]], ["bias", [2]]]
   */
  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([prefix ? `${prefix}.${name}` : name, p]);
      }
    }
    return out;
  }

  /**
   * Every parameter, in `namedParameters()` order (what an optimizer takes).
   *
   * @example
   * new torch.nn.Linear(3, 2).parameters().length; // 2
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Sets training mode on this module and all below it; returns this.
   *
   * @example
   * new torch.nn.ReLU().train(false).training; // false
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /**
   * Evaluation mode (`train(false)`); returns this.
   *
   * @example
   * new torch.nn.ReLU().eval().training; // false
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Sets every parameter's gradient to zero (PyTorch 1.13's default, `set_to_none=False`).
   *
   * @example
   * const lin = new torch.nn.Linear(2, 1);
   * lin.forward(torch.ones(1, 2)).sum().backward();
   * lin.zeroGrad();
   * lin.bias.grad!.tolist(); // [0]
   */
  zeroGrad(): void {
    noGrad(() => {
      for (const p of this.parameters()) p.grad?.zero_();
    });
  }

  /**
   * The parameters and buffers by dotted name, in PyTorch's order (a module's parameters, then its
   * buffers, then its submodules'), as a plain object of tensors that share their storage but are
   * outside the graph (PyTorch's `state_dict()`).
   *
   * @example
   * Object.keys(new torch.nn.Sequential(new torch.nn.Linear(3, 2)).stateDict()); // ["0.weight", "0.bias"]
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [prefix, m] of this.namedModules()) {
      const own = [...m.ownParameters(), ...m.ownBuffers()];
      for (const [name, t] of own) out[prefix ? `${prefix}.${name}` : name] = t.detach();
    }
    return out;
  }

  /**
   * Copies the values of `dict` into the parameters of the same names (PyTorch's `load_state_dict`).
   * Strict (the default): the keys must match exactly. Every problem (missing, unexpected and
   * mis-shaped keys) is listed in one TorchletError, and nothing is copied unless all is well.
   * Synchronous on any device: CPU values are uploaded into webgpu parameters; a webgpu value for a
   * CPU parameter is one of the problems (read it back with `await t.cpuAsync()` first).
   *
   * @example
   * const a = new torch.nn.Linear(3, 2);
   * const b = new torch.nn.Linear(3, 2);
   * b.loadStateDict(a.stateDict());
   * b.weight.tolist(); // a.weight.tolist()
   * b.loadStateDict({ weight: torch.zeros(2, 4) }); // throws TorchletError (missing bias, size mismatch)
   */
  loadStateDict(dict: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    if (typeof dict !== "object" || dict === null || Array.isArray(dict))
      throw new TorchletError(`loadStateDict: expected a plain object of tensors, got ${String(dict)}`);
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const params = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    const given = Object.keys(dict);
    const missingKeys = Object.keys(own).filter((k) => !(k in dict));
    const unexpectedKeys = given.filter((k) => !(k in own));
    const problems: string[] = [];
    if (strict && unexpectedKeys.length > 0)
      problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
    if (strict && missingKeys.length > 0)
      problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    const copies: [Tensor, StridedArray][] = [];
    for (const key of given) {
      const target = params.get(key);
      if (!target) continue;
      const value = dict[key] as unknown;
      if (!(value instanceof Tensor)) {
        problems.push(`${key}: expected a Tensor, got ${typeof value}.`);
      } else if (!sameShape(value.shape, target.shape)) {
        problems.push(
          `size mismatch for ${key}: copying a param with shape [${value.shape.join(", ")}] from checkpoint, the shape in current model is [${target.shape.join(", ")}].`,
        );
      } else if (target.device === "cpu" && value.device !== "cpu") {
        problems.push(
          `${key}: the value is on ${value.device}, the parameter on the cpu; pass await t.cpuAsync().`,
        );
      } else copies.push([target, placedLike(target, value)]);
    }
    if (problems.length > 0) {
      throw new TorchletError(
        `loadStateDict: Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join("\n\t")}`,
      );
    }
    for (const [target, value] of copies) {
      if (target.device === "cpu") copyInto(target._array, value);
      else backendFor("loadStateDict", target._array, value).copyInto(target._array, value);
      target._version.value++;
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Converts every floating-point parameter and buffer to `dtype`, or moves every parameter and
   * buffer to a device (`"cpu"` or `"webgpu"`, see `toDevice`); returns this. As torchlet tensors
   * cannot change dtype in place, each parameter is replaced by a new one of the same name: create
   * the optimizer after `to()`, as PyTorch's documentation advises.
   *
   * @example
   * const lin = new torch.nn.Linear(2, 1).to("float64");
   * lin.weight.dtype; // "float64"
   */
  to(dtypeOrDevice: DType | Device): this {
    if (dtypeOrDevice === "cpu" || dtypeOrDevice === "webgpu") return this.toDevice(dtypeOrDevice);
    if (dtypeOrDevice !== "float32" && dtypeOrDevice !== "float64") {
      throw new TorchletError(
        `${this.constructor.name}.to: expected "float32", "float64", "cpu" or "webgpu", got ${JSON.stringify(dtypeOrDevice)}`,
      );
    }
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [name, p] of m.ownParameters()) {
          if (p.dtype === dtypeOrDevice || (p.dtype !== "float32" && p.dtype !== "float64")) continue;
          const converted = Parameter(p.to(dtypeOrDevice), p.requiresGrad);
          if (p.grad) converted.grad = p.grad.to(dtypeOrDevice);
          (m as unknown as Record<string, Tensor>)[name] = converted;
        }
        for (const [name, b] of m.ownBuffers()) {
          if (b.dtype === "float32" || b.dtype === "float64") m.registerBuffer(name, b.to(dtypeOrDevice));
        }
      }
    });
    return this;
  }

  /**
   * `to(dtypeOrDevice)`, reading a webgpu module's parameters, gradients and buffers back when the
   * target is the CPU (which `to` cannot do synchronously). Every tensor is read before any is
   * replaced, so a failed read leaves the module as it was; returns this once done.
   *
   * @example
   * async function back(net: torch.nn.Module) {
   *   await net.toAsync("cpu");
   *   return net.parameters()[0]!.device; // "cpu"
   * }
   */
  async toAsync(dtypeOrDevice: DType | Device): Promise<this> {
    if (dtypeOrDevice !== "cpu") return this.to(dtypeOrDevice);
    const read = async (t: Tensor | null) => (t === null || t.device === "cpu" ? t : await t.cpuAsync());
    const moves = await Promise.all(
      this.modules().map(async (m) => ({
        m,
        params: await Promise.all(
          m
            .ownParameters()
            .map(async ([name, p]) => ({ name, p, values: await read(p), grad: await read(p.grad) })),
        ),
        buffers: await Promise.all(
          [...m.ownBuffers()].map(async ([name, b]) => [name, await read(b)] as const),
        ),
      })),
    );
    for (const { m, params, buffers } of moves) {
      for (const { name, p, values, grad } of params) {
        if (values === p) continue;
        const moved = Parameter(values as Tensor, p.requiresGrad);
        moved.grad = grad;
        (m as unknown as Record<string, Tensor>)[name] = moved;
      }
      for (const [name, b] of buffers) m.registerBuffer(name, b as Tensor);
    }
    return this;
  }

  /**
   * Moves every parameter (and its gradient) and buffer to `device`, each parameter replaced by a leaf
   * there with the same name and requiresGrad: create the optimizer after `to()`. Moving to the CPU
   * from webgpu waits for the device, so it is an error naming `toAsync`, as reading a webgpu tensor
   * synchronously is.
   */
  private toDevice(device: Device): this {
    const away = [...this.parameters(), ...this.namedBuffers().map(([, b]) => b)].find(
      (t) => t.device !== device,
    );
    if (device === "cpu" && away !== undefined) {
      throw new TorchletError(
        `${this.constructor.name}.to: moving its ${away.device} parameters to the cpu waits for the device; use await module.toAsync("cpu")`,
      );
    }
    noGrad(() => {
      for (const m of this.modules()) {
        for (const [name, p] of m.ownParameters()) {
          if (p.device === device) continue;
          const moved = Parameter(p.to(device), p.requiresGrad);
          if (p.grad) moved.grad = p.grad.to(device);
          (m as unknown as Record<string, Tensor>)[name] = moved;
        }
        for (const [name, b] of m.ownBuffers()) m.registerBuffer(name, b.to(device));
      }
    });
    return this;
  }

  /**
   * The text inside this module's parentheses in its repr (PyTorch's `extra_repr`); layers override it.
   *
   * @example
   * new torch.nn.Linear(3, 2).extraRepr(); // "in_features=3, out_features=2, bias=True"
   */
  extraRepr(): string {
    return "";
  }

  /**
   * The module tree as PyTorch's `repr(module)` prints it.
   *
   * @example
   * new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.ReLU()).toString();
   * // "Sequential(\n  (0): Linear(in_features=3, out_features=2, bias=True)\n  (1): ReLU()\n)"
   */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = this.namedChildren().map(([name, m]) => `(${name}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let body = "";
    if (lines.length === 1 && childLines.length === 0) body = extra;
    else if (lines.length > 0) body = `\n  ${lines.join("\n  ")}\n`;
    return `${this.constructor.name}(${body})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * `value`'s elements as an array for `target`'s storage: the value itself on the CPU (copyInto casts),
 * and for a device parameter, cast to its dtype on the CPU (a device may not hold the value's dtype)
 * and uploaded.
 */
function placedLike(target: Tensor, value: Tensor): StridedArray {
  if (target.device === "cpu" || value.device !== "cpu") return value._array;
  const cast = noGrad(() => value.to(target.dtype));
  return transfer("loadStateDict", cast._array, target.device);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

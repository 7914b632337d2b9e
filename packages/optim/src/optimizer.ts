import { noGrad, Tensor, tensor } from "@torchlet/autograd";
import { copyInto, TorchletError } from "@torchlet/storage";

/**
 * One parameter group: its tensors and its hyperparameters (the optimizer's defaults where the group
 * sets none). Schedulers change `lr` here.
 *
 * @example
 * const w = torch.zeros([2], { requiresGrad: true });
 * const group: ParamGroup = new torch.optim.SGD([w], { lr: 0.1 }).paramGroups[0]!;
 * group.lr; // 0.1
 */
export interface ParamGroup {
  /** The parameters this group updates. */
  params: Tensor[];
  /** The learning rate. */
  lr: number;
  /** The other hyperparameters (`momentum`, `betas`, `weightDecay`, ...). */
  [option: string]: unknown;
}

/**
 * A parameter group as given to an optimizer: its tensors and any hyperparameters that differ from
 * the optimizer's options.
 *
 * @example
 * const [a, b] = [torch.zeros([2], { requiresGrad: true }), torch.zeros([2], { requiresGrad: true })];
 * const groups: ParamGroupInput[] = [{ params: [a] }, { params: [b], lr: 0.01 }];
 * new torch.optim.SGD(groups, { lr: 0.1 }).paramGroups.map((g) => g.lr); // [0.1, 0.01]
 */
export interface ParamGroupInput {
  /** The parameters of the group. */
  params: Tensor[];
  /** Hyperparameters for this group only. */
  [option: string]: unknown;
}

/**
 * The per-parameter state of an optimizer: buffers (tensors) and counters (numbers), PyTorch's names.
 *
 * @example
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt = new torch.optim.Adam([w]);
 * w.sum().backward();
 * opt.step();
 * const state: torch.optim.ParamState = opt.state.get(w)!;
 * Object.keys(state); // ["step", "exp_avg", "exp_avg_sq"]
 */
export type ParamState = Record<string, Tensor | number>;

/**
 * What `stateDict()` returns: PyTorch's layout and key names (`state` by parameter index,
 * `param_groups` with snake_case hyperparameters and parameter indices), so it round-trips through
 * `torch.save` to Python's `optimizer.load_state_dict`.
 *
 * @example
 * const w = torch.zeros([2], { requiresGrad: true });
 * const sd: OptimizerStateDict = new torch.optim.SGD([w], { lr: 0.1, weightDecay: 0.01 }).stateDict();
 * sd.param_groups[0]!.weight_decay; // 0.01
 * sd.param_groups[0]!.params; // [0]
 */
export interface OptimizerStateDict {
  /** Per-parameter state, keyed by the parameter's index across all groups. */
  state: Record<number, Record<string, Tensor | number>>;
  /** The groups' hyperparameters and the indices of their parameters. */
  param_groups: Record<string, unknown>[];
}

/**
 * A copy of a saved state tensor with `p`'s dtype on `p`'s device (uploaded from the CPU where `p` is
 * on a device). A device's tensor cannot come back to a CPU parameter synchronously: that is an error
 * naming the asynchronous reader.
 */
function placedLike(p: Tensor, value: Tensor, what: string): Tensor {
  if (p.device === "cpu") {
    if (value.device !== "cpu") {
      throw new TorchletError(
        `${what} is on ${value.device}, the parameter on the cpu; read it back first with await t.cpuAsync()`,
      );
    }
    const copy = p.detach().clone();
    copyInto(copy._array, value._array);
    return copy;
  }
  return value.detach().to(p.dtype).to(p.device).clone();
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The base of the optimizers (`torch.optim.Optimizer`): parameter groups, per-parameter state,
 * `zeroGrad`, `stateDict` and `loadStateDict`. Subclasses define `step()`.
 *
 * @example
 * const w = torch.tensor([1, 2], { requiresGrad: true });
 * const opt: Optimizer = new torch.optim.SGD([w], { lr: 0.5 });
 * w.sum().backward();
 * opt.step();
 * w.tolist(); // [0.5, 1.5]
 */
export abstract class Optimizer {
  /** The groups, each with its parameters and hyperparameters. */
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts), created on first step. */
  readonly state = new Map<Tensor, ParamState>();
  /** The optimizer's own hyperparameters, the defaults of every group. */
  readonly defaults: Record<string, unknown>;
  private readonly name: string;

  protected constructor(
    name: string,
    params: readonly Tensor[] | readonly ParamGroupInput[],
    defaults: object,
  ) {
    this.name = name;
    this.defaults = { ...defaults };
    if (!Array.isArray(params) || params.length === 0)
      throw new TorchletError(`${name}: optimizer got an empty parameter list`);
    const groups = params.every((p) => p instanceof Tensor)
      ? [{ params: params as Tensor[] }]
      : (params as ParamGroupInput[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /**
   * Adds a group of parameters, its hyperparameters defaulting to the optimizer's
   * (`add_param_group`). A parameter must be a leaf that requires grad, in no other group.
   *
   * @example
   * const opt = new torch.optim.SGD([torch.zeros([1], { requiresGrad: true })], { lr: 0.1 });
   * opt.addParamGroup({ params: [torch.zeros([1], { requiresGrad: true })], lr: 0.01 });
   * opt.paramGroups.length; // 2
   */
  addParamGroup(group: ParamGroupInput): void {
    const name = this.name;
    if (typeof group !== "object" || group === null || !Array.isArray(group.params))
      throw new TorchletError(`${name}: a parameter group must be { params: Tensor[], ...options }`);
    const known = new Set(this.paramGroups.flatMap((g) => g.params));
    for (const [i, p] of group.params.entries()) {
      if (!(p instanceof Tensor))
        throw new TorchletError(`${name}: parameter ${i} of a group is not a Tensor (got ${typeof p})`);
      const where = `parameter ${i} (shape [${p.shape.join(", ")}])`;
      if (!p.requiresGrad)
        throw new TorchletError(`${name}: ${where} does not require grad; there is nothing to optimize`);
      if (!p.isLeaf) throw new TorchletError(`${name}: can't optimize a non-leaf Tensor: ${where}`);
      if (p.dtype !== "float32" && p.dtype !== "float64")
        throw new TorchletError(`${name}: ${where} is ${p.dtype}; only float32 and float64 are optimized`);
      // Updates write the storage in row-major order (checked here, so a step never stops halfway).
      if (p.contiguous() !== p)
        throw new TorchletError(`${name}: ${where} is not contiguous; optimize a contiguous copy (clone())`);
      if (known.has(p))
        throw new TorchletError(`${name}: some parameters appear in more than one parameter group`);
      known.add(p);
    }
    const merged = { ...this.defaults, ...group, params: [...group.params] } as ParamGroup;
    this.validate(merged);
    this.paramGroups.push(merged);
  }

  /** Checks a group's hyperparameters; throws a TorchletError naming the bad one. */
  protected abstract validate(group: ParamGroup): void;

  /** Checks that `value` is a number >= 0 (and < `below`, when given). */
  protected checkRange(key: string, value: unknown, below = Number.POSITIVE_INFINITY): void {
    if (typeof value !== "number" || !(value >= 0) || !(value < below)) {
      const range = below === Number.POSITIVE_INFINITY ? ">= 0" : `in [0, ${below})`;
      throw new TorchletError(`${this.name}: invalid ${key} ${String(value)}: must be a number ${range}`);
    }
  }

  /** One update of every parameter that has a gradient, outside the graph. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const p of group.params) {
          if (p.grad === null) continue;
          let state = this.state.get(p);
          if (!state) {
            state = this.initState(p, group);
            this.state.set(p, state);
          }
          if (p.device === "cpu") this.update(p, p.grad, state, group);
          else this.updateOnDevice(p, p.grad, state, group);
        }
      }
    });
  }

  /** The state a parameter starts with on its first step (its buffers on the parameter's device). */
  protected abstract initState(p: Tensor, group: ParamGroup): ParamState;

  /**
   * Updates a CPU parameter `p` in place from its gradient `grad` and its state, element by element in
   * PyTorch's float arithmetic (bit for bit PyTorch's CPU result).
   */
  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void;

  /**
   * The same update of a parameter on a device (webgpu), whose elements cannot be read synchronously:
   * PyTorch's formula as in-place tensor ops that run where `p` is (float32, within rounding of the
   * CPU's result: no fused multiply-adds).
   */
  protected abstract updateOnDevice(p: Tensor, grad: Tensor, state: ParamState, group: ParamGroup): void;

  /** Counters that PyTorch keeps as float32 tensors (Adam's `step`); the rest stay numbers. */
  protected tensorCounters(): readonly string[] {
    return [];
  }

  /**
   * Sets every gradient to zero (PyTorch 1.13's default, `set_to_none=False`).
   *
   * @example
   * const w = torch.tensor([1, 2], { requiresGrad: true });
   * const opt = new torch.optim.SGD([w], { lr: 0.1 });
   * w.sum().backward();
   * opt.zeroGrad();
   * w.grad!.tolist(); // [0, 0]
   */
  zeroGrad(): void {
    noGrad(() => {
      for (const group of this.paramGroups) for (const p of group.params) p.grad?.zero_();
    });
  }

  /**
   * The state and hyperparameters, in PyTorch's layout (see `OptimizerStateDict`); the tensors are
   * copies, so the dict is a snapshot that later steps do not change. Synchronous on any device: the
   * state's tensors are copies on their parameters' device (read a webgpu one with `await t.cpuAsync()`
   * before saving it); the counters are CPU tensors.
   *
   * @example
   * const w = torch.tensor([1, 2], { requiresGrad: true });
   * const opt = new torch.optim.SGD([w], { lr: 0.1, momentum: 0.9 });
   * w.sum().backward();
   * opt.step();
   * opt.stateDict().state[0]!.momentum_buffer; // tensor [1, 1]
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const param_groups = this.paramGroups.map((group) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) {
        if (key === "params") continue;
        out[snake(key)] = Array.isArray(value) ? [...value] : value;
      }
      out.params = group.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p) as number;
      });
      return out;
    });
    const counters = this.tensorCounters();
    const state: OptimizerStateDict["state"] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(
        Object.entries(s).map(([key, value]) => [
          key,
          value instanceof Tensor ? value.clone() : counters.includes(key) ? tensor(value) : value,
        ]),
      );
    }
    return { state, param_groups };
  }

  /**
   * Restores state and hyperparameters from `stateDict()` (of an optimizer of the same kind over the
   * same parameter shapes): training then continues the same trajectory. Checks everything before it
   * changes anything. Synchronous: CPU state tensors are uploaded to webgpu parameters' device; a
   * webgpu state tensor for a CPU parameter is an error naming `cpuAsync`.
   *
   * @example
   * const w = torch.tensor([1, 2], { requiresGrad: true });
   * const opt = new torch.optim.Adam([w], { lr: 0.1 });
   * w.sum().backward();
   * opt.step();
   * const saved = opt.stateDict();
   * const opt2 = new torch.optim.Adam([w], { lr: 0.5 });
   * opt2.loadStateDict(saved);
   * opt2.paramGroups[0]!.lr; // 0.1
   * opt2.state.get(w)!.step; // 1
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const name = `${this.name}.loadStateDict`;
    const groups = dict?.param_groups;
    if (!Array.isArray(groups) || typeof dict.state !== "object" || dict.state === null)
      throw new TorchletError(`${name}: expected { state, param_groups } as stateDict() returns`);
    if (groups.length !== this.paramGroups.length) {
      throw new TorchletError(
        `${name}: loaded state dict has ${groups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const params = new Map<number, Tensor>();
    for (const [g, saved] of groups.entries()) {
      const own = this.paramGroups[g] as ParamGroup;
      const ids = saved.params;
      if (!Array.isArray(ids) || ids.length !== own.params.length) {
        throw new TorchletError(
          `${name}: group ${g} holds ${own.params.length} parameters, the state dict's ${Array.isArray(ids) ? ids.length : "none"}`,
        );
      }
      for (const [k, id] of ids.entries()) params.set(id as number, own.params[k] as Tensor);
    }
    const restored = new Map<Tensor, ParamState>();
    for (const [key, saved] of Object.entries(dict.state)) {
      const p = params.get(Number(key));
      if (!p) throw new TorchletError(`${name}: state for parameter ${key}, which no group holds`);
      const state: ParamState = {};
      for (const [k, value] of Object.entries(saved)) {
        if (value instanceof Tensor && this.tensorCounters().includes(k)) state[k] = Number(value.item());
        else if (value instanceof Tensor) {
          if (value.shape.join() !== p.shape.join()) {
            throw new TorchletError(
              `${name}: state ${k} of parameter ${key} has shape [${value.shape.join(", ")}], the parameter [${p.shape.join(", ")}]`,
            );
          }
          state[k] = placedLike(p, value, `${name}: state ${k} of parameter ${key}`);
        } else state[k] = value;
      }
      restored.set(p, state);
    }
    for (const [g, saved] of groups.entries()) {
      const own = this.paramGroups[g] as ParamGroup;
      for (const [key, value] of Object.entries(saved)) {
        if (key !== "params") own[camel(key)] = Array.isArray(value) ? [...value] : value;
      }
    }
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}

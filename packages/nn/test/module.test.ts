import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "./support/torch.js";

const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/nn.json"), "utf8"));
const nn = torch.nn;

// The module of gen_nn.py's `Net`: a Sequential, then a bare parameter, then a head.
class Net extends nn.Module {
  body = new nn.Sequential(new nn.Linear(3, 4), new nn.LeakyReLU(0.2), new nn.Flatten());
  scale = nn.Parameter(torch.ones(1));
  head = new nn.Linear(4, 2, { bias: false });
  forward(x: torch.Tensor): torch.Tensor {
    return this.head.forward(this.body.forward(x).mul(this.scale));
  }
}

describe("Module registration, as PyTorch's", () => {
  it("names parameters and state-dict keys in PyTorch's order (own parameters first)", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(fixture.structure.named);
    expect(Object.keys(net.stateDict())).toEqual(fixture.structure.keys);
    expect(net.namedModules().map(([n]) => n)).toEqual(fixture.structure.modules);
    expect(net.children()).toEqual([net.body, net.head]);
    expect(net.parameters()).toEqual(net.namedParameters().map(([, p]) => p));
  });

  it("prints the module tree as PyTorch's repr", () => {
    expect(new Net().toString()).toBe(fixture.structure.repr);
    expect(new nn.Sequential(new nn.Linear(3, 32), new nn.ReLU(), new nn.Linear(32, 1)).toString()).toBe(
      fixture.structure.seqRepr,
    );
    const misc = [
      new nn.Identity(),
      new nn.SiLU(),
      new nn.Sigmoid(),
      new nn.Tanh(),
      new nn.MSELoss(),
      new nn.L1Loss(),
      new nn.Flatten(0, 2),
      new nn.LeakyReLU(0.2),
      new nn.Dropout(0.3),
      new nn.ELU(0.5),
      new nn.GELU(),
      new nn.GELU({ approximate: "tanh" }),
    ];
    expect(misc.map(String)).toEqual(fixture.structure.misc);
  });

  it("registers constructor assignments in assignment order", () => {
    class Assigned extends nn.Module {
      constructor() {
        super();
        const self = this as unknown as Record<string, unknown>;
        self.second = new nn.Linear(2, 1);
        self.first = nn.Parameter(torch.zeros(1));
      }
      forward(x: torch.Tensor) {
        return x;
      }
    }
    expect(Object.keys(new Assigned().stateDict())).toEqual(["first", "second.weight", "second.bias"]);
  });

  it("lists a parameter shared by two modules once", () => {
    const a = new nn.Linear(2, 2);
    const model = new nn.Sequential(a, new nn.ReLU(), a);
    expect(model.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias"]);
    expect(model.modules().length).toBe(3);
  });

  it("registers only Parameters and Modules (a plain tensor field is not a parameter)", () => {
    class WithBuffer extends nn.Module {
      mask = torch.ones(3);
      w = nn.Parameter(torch.zeros(3));
      forward(x: torch.Tensor) {
        return x.mul(this.mask).add(this.w);
      }
    }
    expect(Object.keys(new WithBuffer().stateDict())).toEqual(["w"]);
    expect(nn.isParameter(new WithBuffer().mask)).toBe(false);
  });

  it("Parameter makes a leaf that requires grad and shares storage", () => {
    const data = torch.zeros(2);
    const p = nn.Parameter(data);
    expect([p.isLeaf, p.requiresGrad, data.requiresGrad]).toEqual([true, true, false]);
    torch.noGrad(() => p.add_(1));
    expect(data.tolist()).toEqual([1, 1]);
    expect(nn.Parameter(torch.zeros(1), false).requiresGrad).toBe(false);
  });

  it("train() and eval() set the mode of every module", () => {
    const net = new Net();
    expect(net.eval()).toBe(net);
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it("zeroGrad() sets every gradient to zero", () => {
    const net = new Net();
    net.forward(torch.randn(5, 3)).sum().backward();
    net.zeroGrad();
    for (const p of net.parameters())
      expect([...(p.grad as torch.Tensor).toTypedArray()].every((v) => v === 0)).toBe(true);
  });
});

describe("stateDict and loadStateDict", () => {
  it("round-trips values into another module", () => {
    torch.manualSeed(1);
    const a = new Net();
    const b = new Net();
    const result = b.loadStateDict(a.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const [name, p] of b.namedParameters())
      expect(p.tolist(), name).toEqual(a.stateDict()[name]?.tolist());
  });

  it("stateDict's tensors share storage with the parameters and are outside the graph", () => {
    const lin = new nn.Linear(2, 1);
    const sd = lin.stateDict();
    expect(sd.weight?.requiresGrad).toBe(false);
    torch.noGrad(() => lin.weight.fill_(3));
    expect(sd.weight?.tolist()).toEqual([[3, 3]]);
  });

  it("lists missing, unexpected and mis-shaped keys in one TorchletError and changes nothing", () => {
    const net = new Net();
    const before = net.parameters().map((p) => p.tolist());
    const bad = { ...net.stateDict(), extra: torch.zeros(1), "head.weight": torch.zeros(3, 4) };
    delete (bad as Record<string, unknown>)["body.0.bias"];
    let message = "";
    try {
      net.loadStateDict({ ...bad, scale: torch.full([1], 5) });
    } catch (error) {
      expect(error).toBeInstanceOf(torch.TorchletError);
      message = (error as Error).message;
    }
    expect(message).toContain("Error(s) in loading state_dict for Net");
    expect(message).toContain('Unexpected key(s) in state_dict: "extra".');
    expect(message).toContain('Missing key(s) in state_dict: "body.0.bias".');
    expect(message).toContain(
      "size mismatch for head.weight: copying a param with shape [3, 4] from checkpoint, the shape in current model is [2, 4].",
    );
    expect(net.parameters().map((p) => p.tolist())).toEqual(before);
  });

  it("with strict: false, skips missing and unexpected keys but not a size mismatch", () => {
    const lin = new nn.Linear(2, 1);
    const result = lin.loadStateDict({ bias: torch.tensor([7]), other: torch.zeros(1) }, { strict: false });
    expect(result).toEqual({ missingKeys: ["weight"], unexpectedKeys: ["other"] });
    expect(lin.bias?.tolist()).toEqual([7]);
    expect(() => lin.loadStateDict({ bias: torch.zeros(2) }, { strict: false })).toThrow(
      /size mismatch for bias/,
    );
  });

  it("refuses what is not a state dict", () => {
    const lin = new nn.Linear(2, 1);
    expect(() => lin.loadStateDict(null as unknown as Record<string, torch.Tensor>)).toThrow(
      /loadStateDict: expected a plain object of tensors, got null/,
    );
    expect(() =>
      lin.loadStateDict({ weight: [[1, 2]] as unknown as torch.Tensor, bias: torch.zeros(1) }),
    ).toThrow(/weight: expected a Tensor/);
  });

  it("copies across dtypes and bumps the version counter", () => {
    const lin = new nn.Linear(2, 1);
    const v = lin.weight._version.value;
    lin.loadStateDict({ weight: torch.tensor([[0.5, 0.25]], { dtype: "float64" }), bias: torch.tensor([1]) });
    expect(lin.weight.dtype).toBe("float32");
    expect(lin.weight.tolist()).toEqual([[0.5, 0.25]]);
    expect(lin.weight._version.value).toBe(v + 1);
  });
});

describe("to(dtype)", () => {
  it("converts every parameter, keeping names, order and requiresGrad", () => {
    const net = new Net();
    const values = net.parameters().map((p) => p.tolist());
    expect(net.to("float64")).toBe(net);
    expect(net.parameters().map((p) => p.dtype)).toEqual(["float64", "float64", "float64", "float64"]);
    expect(net.parameters().every((p) => p.requiresGrad && nn.isParameter(p))).toBe(true);
    expect(net.parameters().map((p) => p.tolist())).toEqual(values);
    expect(net.forward(torch.randn([2, 3], { dtype: "float64" })).dtype).toBe("float64");
    expect(net.to("cpu")).toBe(net);
    expect(() => net.to("int32")).toThrow(
      /Net.to: expected "float32", "float64", "cpu" or "webgpu", got "int32"/,
    );
  });
});

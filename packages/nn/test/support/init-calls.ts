import * as torch from "./torch.js";

/** The nn.init calls of fixtures/nn.json's init.functions, by case name, as gen_nn.py makes them. */
export const INIT_CALLS: Record<string, (t: torch.Tensor) => torch.Tensor> = {
  uniform_: (t) => torch.nn.init.uniform_(t, -0.3, 0.7),
  normal_: (t) => torch.nn.init.normal_(t, 0.5, 2.0),
  kaimingUniform_: (t) => torch.nn.init.kaimingUniform_(t),
  kaimingUniform_a: (t) => torch.nn.init.kaimingUniform_(t, { a: Math.sqrt(5) }),
  kaimingUniform_fanOutRelu: (t) =>
    torch.nn.init.kaimingUniform_(t, { mode: "fan_out", nonlinearity: "relu" }),
  kaimingNormal_: (t) => torch.nn.init.kaimingNormal_(t),
  xavierUniform_: (t) => torch.nn.init.xavierUniform_(t),
  xavierNormal_gain: (t) => torch.nn.init.xavierNormal_(t, { gain: torch.nn.init.calculateGain("tanh") }),
};

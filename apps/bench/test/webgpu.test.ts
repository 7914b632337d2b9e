// `pnpm bench --device webgpu`: its options, and a tiny run where a WebGPU adapter exists (in CI,
// Chromium's SwiftShader, which scripts/test.mjs points Dawn at); elsewhere the runs skip, saying why.
import { describe, expect, it } from "vitest";
import { parseArgs, runCli } from "../src/cli.js";
import { WEBGPU_PEER_IDS } from "../src/peer.js";
import { peer as onCpu } from "../src/peers/torchlet.js";
import { peer as onGpu } from "../src/peers/torchlet-webgpu.js";
import { webgpu } from "../src/webgpu.js";
import { allCases, makeData } from "../src/workloads.js";

async function bench(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

const gpu = await webgpu();
const skipNote =
  "na" in gpu
    ? ` [skipped: ${gpu.na}; node scripts/test.mjs points it at Chromium's SwiftShader where that exists]`
    : "";

describe("--device webgpu options", () => {
  it("runs the GPU peers on W1, W2, the products from N=256 to 4096, D1 and D2", () => {
    const options = parseArgs(["--device", "webgpu"]);
    if (options === "help") throw new Error("not help");
    expect(options.device).toBe("webgpu");
    expect(options.peers).toEqual([...WEBGPU_PEER_IDS]);
    expect(options.workloads).toEqual(["W1", "W2", "W3", "D1", "D2"]);
    expect(
      allCases("webgpu")
        .filter((c) => c.workload === "W3")
        .map((c) => c.id),
    ).toEqual([256, 512, 1024, 2048, 4096].map((n) => `W3 matmul N=${n}`));
    // the CPU peers may stand beside them; the browser leaves the digits to Node
    const mixed = parseArgs(["--device=webgpu", "--peers", "torchlet-webgpu,torchlet", "--sizes", "64,128"]);
    if (mixed === "help") throw new Error("not help");
    expect(mixed.peers).toEqual(["torchlet", "torchlet-webgpu"]);
    expect(mixed.matmulSizes).toEqual([64, 128]);
    const browser = parseArgs(["--browser", "--device", "webgpu"]);
    if (browser === "help") throw new Error("not help");
    expect(browser.workloads).toEqual(["W1", "W2", "W3"]);
  });

  it("refuses what a run of the kind does not run, with exit code 2", async () => {
    const refusals: [string[], RegExp][] = [
      [["--device", "webgpu", "--only", "W4"], /--device webgpu runs only W1, W2, W3, D1, D2 \(not W4\)/],
      [["--peers", "tfjs-webgpu"], /a CPU run \(no --device webgpu\) runs only .* \(not tfjs-webgpu\)/],
      [
        ["--browser", "--device", "webgpu", "--only", "D1"],
        /--browser --device webgpu runs only W1, W2, W3 \(not D1\)/,
      ],
      [["--browser", "--device", "webgpu", "--peers", "tfjs-cpu"], /\(not tfjs-cpu\)/],
      [["--device", "cuda"], /--device: unknown "cuda"/],
      [["--sizes", "0,64"], /--sizes needs/],
    ];
    for (const [argv, message] of refusals) {
      const { code, err } = await bench(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(err).toMatch(message);
    }
  });
});

describe.skipIf(skipNote !== "")(`pnpm bench --device webgpu --quick${skipNote}`, () => {
  it("times a 64x64 product on every GPU peer, names the adapter, and torchlet and tfjs compute the same corner", async () => {
    const { code, out } = await bench([
      "--device",
      "webgpu",
      "--quick",
      "--only",
      "W3",
      "--sizes",
      "64",
      "--json",
    ]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as {
      device: string;
      peers: string[];
      notes: string[];
      cases: {
        id: string;
        results: Record<string, { value?: number; firstValue?: number; na?: string }>;
        ratios: Record<string, unknown>;
      }[];
    };
    expect(doc.device).toBe("webgpu");
    expect(doc.peers).toEqual([...WEBGPU_PEER_IDS]);
    const [w3] = doc.cases;
    expect(w3?.id).toBe("W3 matmul N=64");
    for (const peer of WEBGPU_PEER_IDS) {
      expect(w3?.results[peer]?.value, `${peer}: ${w3?.results[peer]?.na}`).toBeGreaterThan(0);
      // every note names the adapter and how the run waits for the GPU
      expect(doc.notes.find((n) => n.startsWith(`${peer}: webgpu on `))).toMatch(/timed until/);
    }
    // the ratios divide torchlet's webgpu time
    expect(Object.keys(w3?.ratios ?? {})).toEqual(WEBGPU_PEER_IDS.filter((p) => p !== "torchlet-webgpu"));
    const corner = w3?.results["torchlet-webgpu"]?.firstValue as number;
    const tfjsCorner = w3?.results["tfjs-webgpu"]?.firstValue as number;
    expect(Math.abs(tfjsCorner - corner)).toBeLessThan(1e-4 * Math.max(1, Math.abs(corner)));
  }, 180_000);

  it("trains the chapter's first epoch (W1) on webgpu to the CPU's loss", async () => {
    const w1 = allCases("webgpu").find((c) => c.workload === "W1");
    if (!w1) throw new Error("no W1");
    const data = await makeData(w1);
    const losses: number[] = [];
    for (const peer of [onCpu, onGpu]) {
      expect(await peer.init()).toBeUndefined();
      const task = await peer.prepare(w1, data);
      if ("na" in task) throw new Error(task.na);
      losses.push(Number(await task.run()));
    }
    const [cpu, gpuLoss] = losses as [number, number];
    expect(Math.abs(gpuLoss - cpu) / Math.abs(cpu)).toBeLessThan(1e-4);
  }, 60_000);
});

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type BlasReport, describeBlas, pythonEnv, refusal, runWithBlasCheck } from "../src/peers/pytorch.js";

const openblas: BlasReport = {
  torch: "1.13.0a0",
  threads: 2,
  libraries: ["/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"],
  openblas: {
    library: "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so",
    config: "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64",
    core: "Zen",
    threads: 2,
  },
  sgemmError: 2e-7,
  env: {},
};
const netlib: BlasReport = {
  ...openblas,
  libraries: ["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3"],
  openblas: null,
};

const saved = { ...process.env };
afterEach(() => {
  for (const k of ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe("the PyTorch peer's BLAS", () => {
  it("runs Python at the asked thread count, without OPENBLAS_CORETYPE/L2_SIZE unless kept", () => {
    process.env.OPENBLAS_CORETYPE = "Haswell";
    process.env.OPENBLAS_L2_SIZE = "512";
    const env = pythonEnv(2, false);
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect([env.OMP_NUM_THREADS, env.OPENBLAS_NUM_THREADS]).toEqual(["2", "2"]);
    expect(pythonEnv(1, true).OPENBLAS_CORETYPE).toBe("Haswell");
    expect(process.env.OPENBLAS_CORETYPE).toBe("Haswell"); // the bench's own environment is untouched
  });

  it("withholds PyTorch's figures unless it resolved OpenBLAS and its sgemm computes right", () => {
    expect(refusal(openblas)).toBeUndefined();
    expect(refusal(netlib)).toMatch(/not on OpenBLAS: run pnpm bench:setup/);
    expect(refusal({ ...openblas, sgemmError: 1e-2 })).toMatch(/wrong results/);
  });

  it("says which library, core kernel and threads PyTorch ran on", () => {
    expect(describeBlas(openblas, "OPENBLAS_CORETYPE not set here")).toBe(
      "PyTorch 1.13.0a0, 2 threads, on OpenBLAS 0.3.21 (libopenblasp-r0.3.21.so), core Zen, 2 BLAS threads; OPENBLAS_CORETYPE not set here",
    );
    expect(describeBlas(netlib, "x")).toBe("PyTorch 1.13.0a0, 2 threads, on libblas.so.3; x");
  });
});

// A stand-in for bench.py: reports a wrong sgemm unless OPENBLAS_CORETYPE is set (an old OpenBLAS
// on a CPU it misdetects), so the retry logic runs without a real PyTorch.
const FAKE = `
import json, os
ok = "OPENBLAS_CORETYPE" in os.environ
print(json.dumps({"blas": {"torch": "x", "threads": 1, "libraries": [], "openblas": None,
  "sgemmError": 1e-7 if ok else 0.5, "env": {}}, "results": None}))
`;

describe.skipIf(!existsSync("/usr/bin/python3"))("runWithBlasCheck", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fake = () => {
    dir = mkdtempSync(join(tmpdir(), "torchlet-fake-bench-"));
    const script = join(dir, "bench.py");
    writeFileSync(script, FAKE);
    return script;
  };

  it("keeps OPENBLAS_CORETYPE unset when the product checks out without it", () => {
    process.env.OPENBLAS_CORETYPE = "Haswell";
    const script = fake();
    writeFileSync(script, FAKE.replace("0.5", "1e-7"));
    const { outcome, coreType } = runWithBlasCheck(script, [], 1);
    expect(coreType).toBe("OPENBLAS_CORETYPE=Haswell set here, unset for this run: not needed");
    expect("blas" in outcome && outcome.blas.sgemmError).toBe(1e-7);
  });

  it("reruns with OPENBLAS_CORETYPE when the product is wrong without it, and says so", () => {
    process.env.OPENBLAS_CORETYPE = "Haswell";
    const { outcome, coreType } = runWithBlasCheck(fake(), [], 1);
    expect(coreType).toBe("OPENBLAS_CORETYPE=Haswell needed on this CPU (without: sgemm off by 5.0e-1)");
    expect("blas" in outcome && outcome.blas.sgemmError).toBe(1e-7);
  });

  it("has nothing to retry with when the environment sets no OPENBLAS_CORETYPE", () => {
    delete process.env.OPENBLAS_CORETYPE;
    const { outcome, coreType } = runWithBlasCheck(fake(), [], 1);
    expect(coreType).toBe("OPENBLAS_CORETYPE not set here");
    expect("blas" in outcome && outcome.blas.sgemmError).toBe(0.5);
  });
});

"""PyTorch side of `pnpm bench`: times the cases in <dir>/manifest.json and prints JSON.

The data comes from the TypeScript runner as raw float32 files, so PyTorch computes on the same
numbers as every JS peer. The timing rules mirror src/measure.ts: warm-up until a quarter of the
budget is spent (1 to 20 runs), then as many timed runs as fit in the budget, median reported.

Usage: bench.py THREADS DIR (time the manifest's cases) or bench.py THREADS --probe (the BLAS report
only). THREADS goes to torch.set_num_threads; the runner also sets OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS, since Debian's PyTorch calls its BLAS through the generic libblas.so.3 and
never tells OpenBLAS how many threads to use. Either way the output starts from `blas_report()`:
which BLAS library the process loaded (PyTorch on netlib's reference BLAS is 10-30x slower at
matmul, not a peer worth comparing against) and a check that its sgemm computes right.
"""
import ctypes
import json
import os
import statistics
import sys
import time

import torch


def loaded_blas():
    """The shared libraries of BLAS/LAPACK mapped into this process (after a product loaded them)."""
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "/" in line}
    return sorted(p for p in paths if any(w in os.path.basename(p).lower() for w in ("blas", "lapack", "mkl")))


def openblas_info(libraries):
    """OpenBLAS's own report (version/config, the core kernel it chose, its thread count), or None."""
    for path in libraries:
        if "openblas" not in os.path.basename(path).lower():
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return {
                "library": path,
                "config": lib.openblas_get_config().decode(),
                "core": lib.openblas_get_corename().decode(),
                "threads": lib.openblas_get_num_threads(),
            }
        except (OSError, AttributeError):
            return {"library": path, "config": "?", "core": "?", "threads": None}
    return None


def sgemm_error():
    """Largest relative error of torch.mm (float32, through the BLAS) against float64 sums that do
    not go through the BLAS: a kernel chosen wrongly for this CPU shows up here, not as a slow run."""
    g = torch.Generator().manual_seed(0)
    a = torch.randn(67, 129, generator=g)
    b = torch.randn(129, 95, generator=g)
    got = torch.mm(a, b).double()
    want = (a.double()[:, :, None] * b.double()[None, :, :]).sum(1)
    scale = (a.double().abs()[:, :, None] * b.double().abs()[None, :, :]).sum(1)
    return float(((got - want).abs() / scale).max())


def blas_report():
    error = sgemm_error()  # also loads the BLAS
    libraries = loaded_blas()
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "libraries": libraries,
        "openblas": openblas_info(libraries),
        "sgemmError": error,
        "env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ},
    }


def load(directory, spec):
    with open(os.path.join(directory, spec["file"]), "rb") as f:
        data = bytearray(f.read())
    if not data:
        return torch.zeros(spec["shape"], dtype=torch.float32)
    return torch.frombuffer(data, dtype=torch.float32).reshape(spec["shape"]).clone()


def digits_model(name):
    """The twins of @torchlet/vision's digitsMLP and digitsCNN (as in apps/cli/fixtures/gen_digits.py)."""
    if name == "mlp":
        return torch.nn.Sequential(
            torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(32 * 7 * 7, 10))


def digits_epoch(case, a):
    """One epoch over the digits in the order given, from the initial state dict the runner sent."""
    images, labels = a["images"], a["labels"].long()
    model = digits_model(case["model"])
    model.load_state_dict({k: v for k, v in a.items() if k not in ("images", "labels")})
    optimizer = torch.optim.Adam(model.parameters(), lr=case["lr"])
    size, n = case["batchSize"], len(labels)

    def run():
        total, batches = 0.0, 0
        for start in range(0, n, size):
            loss = torch.nn.functional.cross_entropy(model(images[start:start + size]), labels[start:start + size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        return total / batches

    return run


def prepare(case, a):
    kind = case["kind"]
    if kind == "train":
        x, y = a["x"], a["y"]
        params = [a[k].clone().requires_grad_(True) for k in ("w1", "b1", "w2", "b2")]
        w1, b1, w2, b2 = params
        lr = case["lr"]

        def run():
            loss = (x.mm(w1).add(b1).relu().mm(w2).add(b2) - y).pow(2).mean()
            loss.backward()
            with torch.no_grad():
                for w in params:
                    w.sub_(w.grad * lr)
                for w in params:
                    w.grad.zero_()
            return loss.item()

        return run
    if kind == "digits":
        return digits_epoch(case, a)
    if kind == "matmul":
        p, q = a["a"], a["b"]
        return lambda: (torch.mm(p, q), None)[1]
    if kind == "elementwise":
        p, q = a["a"], a["b"]
        op = case["op"]
        if case["out"]:
            out = torch.empty_like(p)
            if op == "add":
                return lambda: (torch.add(p, q, out=out), None)[1]
            # torch.relu has no out=; clamp_min is its kernel with one
            return lambda: (torch.clamp_min(p, 0, out=out), None)[1]
        if op == "add":
            return lambda: (torch.add(p, q), None)[1]
        if op == "relu":
            return lambda: (torch.relu(p), None)[1]
        return lambda: p.sum().item()
    if kind == "chain":
        start, step, length = a["start"], a["step"], case["length"]
        if case["grad"]:
            start.requires_grad_(True)

        def chain():
            x = start
            for _ in range(length):
                x = x.add(step)
            return x.item()

        if case["grad"]:
            return chain

        def no_grad_chain():
            with torch.no_grad():
                return chain()

        return no_grad_chain
    if kind == "crossEntropy":
        x = a["logits"].clone().requires_grad_(True)
        target = a["target"].long()

        def step():
            loss = -x.log_softmax(1).gather(1, target).mean()
            loss.backward()
            x.grad = None
            return loss.item()

        return step
    if kind == "conv":
        x, g = a["x"], a["g"]
        x.requires_grad_(case["inputGrad"])
        w, b = a["w"].requires_grad_(True), a["b"].requires_grad_(True)

        def conv_step():
            torch.nn.functional.conv2d(x, w, b).backward(g)
            x.grad = w.grad = b.grad = None

        return conv_step
    raise ValueError(f"unknown case kind {kind}")


def time_once(run):
    t0 = time.perf_counter()
    value = run()
    return time.perf_counter() - t0, value


def measure(run, options, limit):
    budget = options["budgetSeconds"]
    warm, first, spent = [], None, 0.0
    while True:
        t, value = time_once(run)
        if not warm and isinstance(value, float):
            first = value
        if not warm and t > options["maxRunSeconds"]:
            return {"median": t, "mean": t, "min": t, "runs": 1, "warmup": 0, "cold": True, "firstValue": first}
        warm.append(t)
        spent += t
        if not (spent < budget / 4 and len(warm) < 20 and len(warm) < limit / 4):
            break
    pace = statistics.median(warm[-3:])
    fit = int(budget // max(pace, 1e-9))
    runs = 1 if pace > budget else min(max(fit, options["minRuns"]), options["maxRuns"])
    runs = max(1, min(runs, limit - len(warm)))
    times = [time_once(run)[0] for _ in range(runs)]
    return {
        "median": statistics.median(times),
        "mean": sum(times) / len(times),
        "min": min(times),
        "runs": runs,
        "warmup": len(warm),
        "cold": False,
        "firstValue": first,
    }


def warm_up_training(case, arrays, seconds):
    """Whole untimed trainings until `seconds` have passed (at least one), as src/cli.ts does."""
    start = time.perf_counter()
    while True:
        run = prepare(case, arrays)
        for _ in range(case["epochs"]):
            run()
        if time.perf_counter() - start >= seconds:
            return


def main():
    torch.set_num_threads(int(sys.argv[1]))
    report = blas_report()
    if sys.argv[2] == "--probe" or report["sgemmError"] > 1e-5:
        json.dump({"blas": report, "results": None}, sys.stdout)
        return
    directory = sys.argv[2]
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    options = manifest["options"]
    results = {}
    for case in manifest["cases"]:
        arrays = {name: load(directory, spec) for name, spec in case["arrays"].items()}
        limit = case["epochs"] if case["kind"] in ("train", "digits") else float("inf")
        try:
            if case["kind"] == "train":
                warm_up_training(case, arrays, options["budgetSeconds"])
            results[case["id"]] = measure(prepare(case, arrays), options, limit)
        except Exception as error:  # reported as n/a in the table, never fatal
            results[case["id"]] = {"na": f"error: {error}"}
    json.dump({"blas": report, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()

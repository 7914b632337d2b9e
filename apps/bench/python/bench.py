"""PyTorch side of `pnpm bench`: times the cases in <dir>/manifest.json and prints JSON.

The data comes from the TypeScript runner as raw float32 files, so PyTorch computes on the same
numbers as every JS peer. The timing rules mirror src/measure.ts: warm-up until a quarter of the
budget is spent (1 to 20 runs), then as many timed runs as fit in the budget, median reported.
Single thread (torch.set_num_threads(1)), as the issue's table is measured.
"""
import json
import os
import statistics
import sys
import time

import torch

torch.set_num_threads(1)


def load(directory, spec):
    with open(os.path.join(directory, spec["file"]), "rb") as f:
        data = bytearray(f.read())
    if not data:
        return torch.zeros(spec["shape"], dtype=torch.float32)
    return torch.frombuffer(data, dtype=torch.float32).reshape(spec["shape"]).clone()


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
    if kind == "matmul":
        p, q = a["a"], a["b"]
        return lambda: (torch.mm(p, q), None)[1]
    if kind == "elementwise":
        p, q = a["a"], a["b"]
        op = case["op"]
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
    directory = sys.argv[1]
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    options = manifest["options"]
    results = {}
    for case in manifest["cases"]:
        arrays = {name: load(directory, spec) for name, spec in case["arrays"].items()}
        limit = case["epochs"] if case["kind"] == "train" else float("inf")
        try:
            if case["kind"] == "train":
                warm_up_training(case, arrays, options["budgetSeconds"])
            results[case["id"]] = measure(prepare(case, arrays), options, limit)
        except Exception as error:  # reported as n/a in the table, never fatal
            results[case["id"]] = {"na": f"error: {error}"}
    json.dump({"version": torch.__version__, "threads": torch.get_num_threads(), "results": results}, sys.stdout)


if __name__ == "__main__":
    main()

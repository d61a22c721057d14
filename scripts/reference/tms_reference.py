#!/usr/bin/env python3
"""PyTorch reference for featurescope's toy-model benchmarks (tms-small, tms-medium, tms-large).

Trains INSTANCES independent tied ReLU-output toy models of superposition side by side, x' = ReLU(W^T W x + b),
the way a researcher would on a CPU: W of shape [m, n] per instance (Xavier-normal), b = 0, Adam at lr 1e-3,
importance 0.9^i, instance k with feature probability 20^(-k/(INSTANCES-1)), a fresh batch of sparse uniform
features every step, loss = importance-weighted squared error averaged over batch and features, summed over
instances. Only the speed is compared with featurescope; the final loss is printed as a sanity check.

usage: tms_reference.py N M INSTANCES BATCH STEPS [THREADS]
Prints one JSON object on one line; its "steps_per_s" is the figure scripts/bench-compare uses.
"""
import json
import sys
import time

import blas_threads

USAGE = "usage: tms_reference.py N M INSTANCES BATCH STEPS [THREADS]"


def parse(argv):
    if len(argv) not in (5, 6):
        sys.exit(USAGE)
    try:
        n, m, instances, batch, steps = (int(a) for a in argv[:5])
        threads = int(argv[5]) if len(argv) == 6 else 1
    except ValueError:
        sys.exit(USAGE)
    if min(n, m, instances, batch, steps, threads) < 1:
        sys.exit(USAGE)
    return n, m, instances, batch, steps, threads


def main(argv):
    n, m, instances, batch, steps, threads = parse(argv)
    blas_threads.pin(threads)
    import torch  # after pinning: OpenBLAS reads its thread count when it loads

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    importance = torch.pow(0.9, torch.arange(n, dtype=torch.float32))             # [n]
    exponents = torch.linspace(0.0, 1.0, instances)
    probability = torch.pow(20.0, -exponents).view(instances, 1, 1)                 # [k, 1, 1]

    weights = torch.empty(instances, m, n)
    for k in range(instances):
        torch.nn.init.xavier_normal_(weights[k])
    weights = torch.nn.Parameter(weights)                                           # [k, m, n]
    bias = torch.nn.Parameter(torch.zeros(instances, 1, n))                         # [k, 1, n]
    optimizer = torch.optim.Adam([weights, bias], lr=1e-3)

    loss = torch.zeros(())
    start = time.perf_counter()
    for _ in range(steps):
        values = torch.rand(instances, batch, n)
        active = torch.rand(instances, batch, n) <= probability
        x = values * active                                                         # [k, B, n]
        hidden = torch.bmm(x, weights.transpose(1, 2))                              # [k, B, m]
        out = torch.relu(torch.bmm(hidden, weights) + bias)                         # [k, B, n]
        per_instance = (importance * (x - out).square()).mean(dim=(1, 2))           # [k]
        loss = per_instance.sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start

    print(json.dumps({
        "reference": "tms", "torch": torch.__version__, "threads": threads, "n": n, "m": m,
        "instances": instances, "batch": batch, "steps": steps, "seconds": round(seconds, 3),
        "steps_per_s": round(steps / seconds, 1), "final_loss": loss.item() / instances,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])

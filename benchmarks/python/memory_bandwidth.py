#!/usr/bin/env python3
"""Memory bandwidth as the replicas' gradient sum sees it: numpy streams `y += w * x` over
parameter-sized float32 arrays (docs/SCALING.md), first in one process, then in P processes at
once (one per core by default). Prints GB/s moved (two reads and one write per element), best of
--repeat.

usage: memory_bandwidth.py [--mb 110] [--repeat 5] [--procs P]
"""
import argparse
import multiprocessing as mp
import os
import time

import numpy as np


def stream(mb, repeat, start=None):
    n = mb * 1024 * 1024 // 4
    x = np.random.default_rng(1).random(n, dtype=np.float32)
    y = np.zeros(n, dtype=np.float32)
    tmp = np.empty_like(x)
    if start is not None:
        start.wait()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        np.multiply(x, np.float32(0.5), out=tmp)
        np.add(y, tmp, out=y)
        best = min(best, time.perf_counter() - t0)
    # multiply: read x, write tmp; add: read y and tmp, write y
    return 5 * n * 4 / best / 1e9


def worker(mb, repeat, start, out):
    out.put(stream(mb, repeat, start))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=110)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--procs", type=int, default=os.cpu_count())
    a = ap.parse_args()
    print(f"1 process: {stream(a.mb, a.repeat):.1f} GB/s")
    start, out = mp.Barrier(a.procs), mp.Queue()
    ps = [mp.Process(target=worker, args=(a.mb, a.repeat, start, out)) for _ in range(a.procs)]
    for p in ps:
        p.start()
    total = sum(out.get() for _ in ps)
    for p in ps:
        p.join()
    print(f"{a.procs} processes at once: {total:.1f} GB/s in all")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Baseline for the iterator throughput benchmark: the approach of the notebook lmshards
replaces, re-implemented with numpy. The split's token shard is opened with
np.load(..., mmap_mode='r'), every batch takes one slice per row (fastai LMDataLoader layout,
unshuffled) and stacks the rows into input and target arrays.

Usage: numpy_batches.py DATASET_DIR [--bs 64] [--seq-len 72] [--epochs 3]
Prints input tokens per second for each epoch and the best.
"""
import argparse
import json
import os
import time

import numpy as np


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dataset")
    p.add_argument("--bs", type=int, default=64)
    p.add_argument("--seq-len", type=int, default=72)
    p.add_argument("--epochs", type=int, default=3)
    a = p.parse_args()
    split = os.path.join(a.dataset, "train")
    with open(os.path.join(split, "meta.json")) as f:
        meta = json.load(f)
    if len(meta["shards"]) != 1:
        raise SystemExit("expects a one-shard split (as the JMH benchmark writes)")
    data = np.load(os.path.join(split, meta["shards"][0]["tokens_file"]), mmap_mode="r")
    n, bs, sl = len(data), a.bs, a.seq_len
    bl = (n - 1) // bs
    n_batches = (bl + sl - 1) // sl
    best = 0.0
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        tokens = 0
        check = 0
        for i in range(n_batches):
            ln = sl if i < n_batches - 1 else bl - (n_batches - 1) * sl
            rows = [data[j * bl + i * sl: j * bl + i * sl + ln + 1] for j in range(bs)]
            x = np.stack([r[:-1] for r in rows]).astype(np.int64)
            y = np.stack([r[1:] for r in rows]).astype(np.int64)
            check += int(y[0, 0])
            tokens += x.size
        s = time.perf_counter() - t0
        rate = tokens / s
        best = max(best, rate)
        print(f"epoch {epoch}: {n_batches} batches, {tokens} input tokens in {s:.2f} s: {rate / 1e6:.2f} M tokens/s (check {check})")
    print(f"best: {best / 1e6:.2f} M tokens/s")


if __name__ == "__main__":
    main()

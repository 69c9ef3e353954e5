#!/usr/bin/env python3
"""How well one core trains a model as its batch gets thinner: the basis of `--replicas auto`.

Runs `trainer.jar train --replicas 1` with one native thread at each batch size of --bs (the rows a
replica would own), one after the other in --rounds interleaved rounds, and prints tokens/s per
batch size, best round, and its ratio to the largest batch size. A replica of R rows trains at
about the tokens/s of a one-thread trainer with --bs R, so `auto` gives every replica enough rows
to keep most of a full batch's per-core speed.

usage: rows_per_replica.py DATASET [--size small|awd] [--bs 4,8,16,32] [--rounds 2] [--steps 200]
                           [--warmup 50] [--jar trainer/target/trainer.jar] [--work DIR]
(--size: speed_matrix.py's model shapes; at the AWD size use e.g. --bs 32,64 --steps 6 --warmup 2)
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed_matrix as sm  # noqa: E402  (reuses its trainer runner and step-log timing)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--size", choices=("small", "awd"), default="small")
    ap.add_argument("--bs", default="4,8,16,32")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--jar", default="trainer/target/trainer.jar")
    ap.add_argument("--work", default="target/rows-per-replica")
    ap.add_argument("--timeout", type=int, default=900)
    a = ap.parse_args()
    a.trainer_threads = 1
    os.makedirs(a.work, exist_ok=True)
    sizes = [int(b) for b in a.bs.split(",")]
    names = {bs: sm.size_at_batch(a.size, bs) for bs in sizes}
    results = {bs: [] for bs in sizes}
    for r in range(a.rounds):
        for bs in sizes[r % len(sizes):] + sizes[:r % len(sizes)]:
            a.size = names[bs]
            tps = sm.trainer(a, f"bs{bs}", ["--replicas", "1"])
            results[bs].append(tps)
            print(f"round {r + 1}: bs {bs}: {tps:,.0f} tokens/s", flush=True)
    top = max(results[max(sizes)])
    print("\n| rows (--bs, one thread) | tokens/s per round | best | vs bs %d |" % max(sizes))
    print("|---|---|---|---|")
    for bs in sizes:
        best = max(results[bs])
        print(f"| {bs} | {' / '.join(f'{x:,.0f}' for x in results[bs])} | {best:,.0f} | {best / top:.2f} |")


if __name__ == "__main__":
    main()

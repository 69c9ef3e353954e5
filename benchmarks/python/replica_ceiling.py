#!/usr/bin/env python3
"""What N replicas could reach at most on this machine, against what they reach.

In each round, interleaved: one one-thread trainer of bs/N rows alone; N such trainers started
side by side (independent processes: no gradient sum, no shared update, only the machine's shared
caches and memory bandwidth between them); then trainer.jar with --replicas N and with --replicas 1
on bs rows. The side-by-side sum against N times the one alone is what the machine lets N cores
keep; bs/N rows alone against bs rows (rows_per_replica.py) is what thinner replicas keep. Their
product bounds N replicas against one.

usage: replica_ceiling.py DATASET [--size small|awd] [--bs 64] [--procs 2] [--rounds 2]
                          [--steps 6] [--warmup 2] [--jar trainer/target/trainer.jar] [--work DIR]
"""
import argparse
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed_matrix as sm  # noqa: E402  (reuses its trainer runner and step-log timing)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset")
    ap.add_argument("--size", choices=("small", "awd"), default="awd")
    ap.add_argument("--bs", type=int, default=64)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--jar", default="trainer/target/trainer.jar")
    ap.add_argument("--work", default="target/replica-ceiling")
    ap.add_argument("--timeout", type=int, default=900)
    a = ap.parse_args()
    a.trainer_threads = 1
    os.makedirs(a.work, exist_ok=True)
    n = a.procs
    names = {bs: sm.size_at_batch(a.size, bs) for bs in (a.bs, a.bs // n)}

    def run(bs, label, replicas):
        b = argparse.Namespace(**vars(a))
        b.size = names[bs]
        return sm.trainer(b, label, ["--replicas", str(replicas)])

    print(f"| round | bs {a.bs // n} alone | {n} side by side (sum) | sum / ({n} x alone) "
          f"| {n} replicas, bs {a.bs} | 1 replica, bs {a.bs} | {n} replicas / 1 |")
    print("|---|---|---|---|---|---|---|")
    for r in range(a.rounds):
        alone = run(a.bs // n, "alone", 1)
        side = [0.0] * n
        threads = [threading.Thread(target=lambda k=k: side.__setitem__(k, run(a.bs // n, f"side{k}", 1)))
                   for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        many = run(a.bs, f"replicas{n}", n)
        one = run(a.bs, "replicas1", 1)
        print(f"| {r + 1} | {alone:,.0f} | {' + '.join(f'{x:,.0f}' for x in side)} = {sum(side):,.0f} "
              f"| {sum(side) / (n * alone):.2f} | {many:,.0f} | {one:,.0f} | {many / one:.2f} |", flush=True)


if __name__ == "__main__":
    main()

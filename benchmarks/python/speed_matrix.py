#!/usr/bin/env python3
"""Training tokens/s of trainer.jar and its PyTorch peers on the same machine, data and model.

Runs, interleaved in --rounds rounds (each round starts one configuration further down the list, so
that no configuration always comes first), every configuration once per round:

  torch T threads   lm_reference.py --threads T --steps N (one process, T intra-op threads), for each
                    T of --torch-threads (default 1,2)
  DDP Px1           torch_ddp_speed.py --procs P (P processes of one thread, gloo on 127.0.0.1), for
                    each P of --ddp-procs (default 2)
                    (both PyTorch kinds once per allocator of --torch-allocators: tcmalloc by default,
                    `glibc` adds the same runs with glibc's malloc, labelled so; torch_allocator.py)
  trainer ...       java -jar JAR train on the same dataset and model, for each --replicas N (the
                    configuration gets `--replicas N`) and each --trainer-config 'LABEL:ARGS'; with
                    neither, one configuration `trainer` without extra arguments. Leading ARGS of
                    the form NAME=VALUE are environment variables of that run (e.g.
                    'trainer 2 threads:OMP_NUM_THREADS=2'), and a leading `--jar PATH` after them
                    runs that configuration with another build of trainer.jar (an A/B of two commits,
                    interleaved like the rest); every trainer run otherwise gets
                    OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=--trainer-threads (default 1).

and prints a markdown table: tokens/s per round, the best and the median round, and the ratio of
the best round to the --baseline configuration's best (default: the first PyTorch one) and the
median of the per-round ratios.

Both sides train the same model without dropout (`--size small`: emb 32, hidden 128, 2 layers,
bs 32, seq-len 32; `--size awd`: trainer.jar's default AWD-LSTM shape, emb 400, hidden 1152, 3
layers, bs 64, seq-len 72), from the start of the train split, with the LSTM state carried. What
is timed: PyTorch, --steps steps after --torch-warmup warm-up steps (tokens/s measured by the
script); trainer.jar, the steps after --warmup up to --warmup + --steps, read from RUN/steps.jsonl
(its `tokens_per_s` is cumulative over the epoch, so elapsed(k) = tokens(k) / tokens_per_s(k));
the run is stopped as soon as those steps are written, and they must lie in the first epoch.

usage:
  python3 benchmarks/python/speed_matrix.py DATASET [--size small|awd] [--rounds 3] [--steps N]
        [--warmup W] [--torch-warmup W] [--torch-threads 1,2] [--ddp-procs 2] [--torch-allocators tcmalloc,glibc] [--replicas 1,2]
        [--trainer-config 'LABEL:ARGS' ...] [--trainer-threads 1] [--baseline LABEL]
        [--jar trainer/target/trainer.jar] [--python /usr/bin/python3] [--work DIR] [--out FILE.json]

Examples:
  # issue 23 on a 2-core machine, both sizes (trainer.jar with --replicas)
  python3 benchmarks/python/speed_matrix.py cache/wikitext-tiny --size small --rounds 3 --replicas 1,2
  python3 benchmarks/python/speed_matrix.py cache/wikitext-tiny --size awd --rounds 2 --replicas 1,2
  # a 16-core machine: the scaling curves
  python3 benchmarks/python/speed_matrix.py cache/wikitext-tiny --torch-threads 1,16 \\
      --ddp-procs 2,4,8,16 --replicas 1,2,4,8,16
  # a trainer without --replicas: one and two ND4J threads
  python3 benchmarks/python/speed_matrix.py cache/wikitext-tiny --trainer-config 'trainer 1 thread:' \\
      --trainer-config 'trainer 2 threads:OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2'

The driver itself needs only the standard library; the PyTorch sides run with --python (Debian's
python3-torch under /usr/bin/python3 by default). Defaults by size: small --steps 200 --warmup 50
--torch-warmup 5; awd --steps 12 --warmup 3 --torch-warmup 2 (an AWD step takes seconds on one core).
"""
import argparse
import json
import math
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NO_DROPOUT = ["--input-p", "0", "--hidden-p", "0", "--output-p", "0", "--weight-p", "0", "--embed-p", "0"]
TRAINER_SIZES = {
    "small": ["--emb", "32", "--hidden", "128", "--layers", "2", "--bs", "32", "--seq-len", "32", "--lr", "2e-2",
              "--wd", "0.01", "--clip", "0.25"] + NO_DROPOUT,
    "awd": ["--emb", "400", "--hidden", "1152", "--layers", "3", "--bs", "64", "--seq-len", "72", "--lr", "5e-3",
            "--wd", "0.1", "--clip", "0.25"] + NO_DROPOUT,
}
GEOMETRY = {"small": (32, 32), "awd": (64, 72)}
DEFAULTS = {"small": dict(steps=200, warmup=50, torch_warmup=5), "awd": dict(steps=12, warmup=3, torch_warmup=2)}


def size_at_batch(size, bs):
    """Registers the trainer's SIZE model at batch size BS (other options unchanged); returns its --size name."""
    name = f"{size}-bs{bs}"
    args = list(TRAINER_SIZES[size])
    args[args.index("--bs") + 1] = str(bs)
    TRAINER_SIZES[name] = args
    GEOMETRY[name] = (bs, GEOMETRY[size][1])
    return name
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def threads_env(n):
    return dict(os.environ, OMP_NUM_THREADS=str(n), OPENBLAS_NUM_THREADS=str(n), MKL_NUM_THREADS=str(n))


def last_json_line(stdout):
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in the output")


def run_python(cmd, env, timeout):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()[-600:]}")
    return last_json_line(p.stdout)


def torch_env(threads, allocator):
    return dict(threads_env(threads), LMSHARDS_TORCH_ALLOCATOR=allocator)


def torch_threads(a, t, allocator):
    cmd = [a.python, os.path.join(HERE, "lm_reference.py"), a.dataset, "--size", a.size, "--threads", str(t),
           "--steps", str(a.steps), "--warmup", str(a.torch_warmup)]
    return run_python(cmd, torch_env(t, allocator), a.timeout)["speed"]["tokens_per_s"]


def torch_ddp(a, p, allocator):
    cmd = [a.python, os.path.join(HERE, "torch_ddp_speed.py"), a.dataset, "--size", a.size, "--procs", str(p),
           "--steps", str(a.steps), "--warmup", str(a.torch_warmup), "--no-losses"]
    return run_python(cmd, torch_env(1, allocator), a.timeout)["tokens_per_s"]


def trainer(a, label, args):
    env = threads_env(a.trainer_threads)
    rest = list(args)
    while rest and ENV_ASSIGNMENT.match(rest[0]):
        k, v = rest.pop(0).split("=", 1)
        env[k] = v
    jar = a.jar
    if rest[:1] == ["--jar"] and len(rest) > 1:  # another build for this configuration (A/B of two commits)
        jar, rest = rest[1], rest[2:]
    out = os.path.join(a.work, re.sub(r"[^A-Za-z0-9_.-]+", "_", label))
    subprocess.run(["rm", "-rf", out], check=True)
    cmd = ["java", "-jar", jar, "train", "--data", a.dataset, "--out", out, "--epochs", "1", "--seed", "1",
           "--workers", "1", "--no-progress"] + TRAINER_SIZES[a.size] + rest
    log_path = out + ".log"
    need = a.warmup + a.steps
    path = os.path.join(out, "steps.jsonl")
    lines = []
    deadline = time.time() + a.timeout
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            while True:
                done = proc.poll() is not None
                if os.path.exists(path):
                    with open(path) as f:
                        lines = [ln for ln in f.readlines() if ln.endswith("\n")]
                    if len(lines) >= need:
                        break
                if done:
                    with open(log_path) as f:
                        tail = f.read().strip()[-600:]
                    raise RuntimeError(f"exit {proc.returncode} after {len(lines)} steps: {tail}")
                if time.time() > deadline:
                    raise RuntimeError(f"timed out after {a.timeout} s with {len(lines)} steps")
                time.sleep(0.5)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    rows = [json.loads(ln) for ln in lines[:need]]
    bs, sl = GEOMETRY[a.size]
    if any(r.get("epoch", 1) != 1 for r in rows):
        raise RuntimeError("the timed steps cross an epoch end: use fewer --warmup + --steps")
    tokens = lambda r: r["step"] * bs * sl  # full windows: every step of the first epoch but its last
    elapsed = lambda r: tokens(r) / r["tokens_per_s"]
    first, last = rows[a.warmup - 1] if a.warmup else None, rows[-1]
    if first is None:
        return tokens(last) / elapsed(last)
    return (tokens(last) - tokens(first)) / (elapsed(last) - elapsed(first))


def batches_per_epoch(dataset, size):
    with open(os.path.join(dataset, "train", "meta.json")) as f:
        meta = json.load(f)
    n = int(meta["total_tokens"])
    bs, sl = GEOMETRY[size]
    return math.ceil(((n - 1) // bs) / sl)


def configurations(a):
    cfgs = []
    for alloc in a.torch_allocators:
        suffix = "" if alloc == "tcmalloc" else f", {alloc} malloc"
        cfgs += [(f"PyTorch {t} thread{'s' if t > 1 else ''}{suffix}", "torch", (t, alloc)) for t in a.torch_threads]
        cfgs += [(f"PyTorch DDP {p}x1{suffix}", "ddp", (p, alloc)) for p in a.ddp_procs]
    for n in a.replicas:
        cfgs.append((f"trainer.jar --replicas {n}", "trainer", ["--replicas", str(n)]))
    for spec in a.trainer_config:
        if ":" not in spec:
            raise SystemExit(f"--trainer-config {spec!r}: expected LABEL:ARGS")
        label, args = spec.split(":", 1)
        cfgs.append((label.strip(), "trainer", shlex.split(args)))
    if not a.replicas and not a.trainer_config:
        cfgs.append(("trainer.jar", "trainer", []))
    labels = [c[0] for c in cfgs]
    if len(set(labels)) != len(labels):
        raise SystemExit(f"two configurations have the same label: {labels}")
    return cfgs


def allocator_list(s):
    names = [x.strip() for x in s.split(",") if x.strip()]
    bad = [x for x in names if x not in ("tcmalloc", "glibc")]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"expected tcmalloc and/or glibc, got {s!r}")
    return names


def int_list(s):
    return [int(x) for x in s.split(",") if x.strip()] if s else []


def fmt(x):
    return "failed" if x is None else f"{x:,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("dataset")
    ap.add_argument("--size", choices=sorted(TRAINER_SIZES), default="small")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=None, help="timed steps per run (small 200, awd 12)")
    ap.add_argument("--warmup", type=int, default=None, help="trainer.jar's untimed first steps (small 50, awd 3)")
    ap.add_argument("--torch-warmup", type=int, default=None, help="PyTorch's untimed first steps (small 5, awd 2)")
    ap.add_argument("--torch-threads", type=int_list, default=[1, 2], help="comma list, '' for none (default 1,2)")
    ap.add_argument("--ddp-procs", type=int_list, default=[2], help="comma list, '' for none (default 2)")
    ap.add_argument("--torch-allocators", type=allocator_list, default=["tcmalloc"],
                    help="the PyTorch configurations once per allocator: tcmalloc (default), glibc")
    ap.add_argument("--replicas", type=int_list, default=[], help="trainer.jar --replicas N for each N of the list")
    ap.add_argument("--trainer-config", action="append", default=[], metavar="LABEL:ARGS",
                    help="a trainer.jar configuration with extra train arguments (repeatable)")
    ap.add_argument("--trainer-threads", type=int, default=1, help="OMP/OpenBLAS threads of trainer.jar (default 1)")
    ap.add_argument("--baseline", default="", help="label of the configuration the ratios divide by")
    ap.add_argument("--jar", default="trainer/target/trainer.jar")
    ap.add_argument("--python", default="/usr/bin/python3", help="the interpreter with PyTorch")
    ap.add_argument("--work", default="target/speed-matrix")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per run before it counts as failed")
    ap.add_argument("--out", default="", help="also write every measurement as JSON")
    a = ap.parse_args()
    # a SIGTERM (timeout, kill) unwinds through the runs' `finally`, which stop the trainer they started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    for k, v in DEFAULTS[a.size].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if a.rounds < 1 or a.steps < 1 or a.warmup < 0 or a.torch_warmup < 0:
        ap.error("--rounds and --steps must be positive, the warm-ups not negative")
    per_epoch = batches_per_epoch(a.dataset, a.size)
    if per_epoch is not None and a.warmup + a.steps >= per_epoch:
        ap.error(f"--warmup + --steps must stay below the {per_epoch} batches of an epoch")
    os.makedirs(a.work, exist_ok=True)
    cfgs = configurations(a)
    baseline = a.baseline or cfgs[0][0]
    if baseline not in [c[0] for c in cfgs]:
        ap.error(f"--baseline {baseline!r} is none of {[c[0] for c in cfgs]}")
    results = {c[0]: [] for c in cfgs}
    errors = {}
    t_start = time.time()
    for r in range(a.rounds):
        order = cfgs[r % len(cfgs):] + cfgs[:r % len(cfgs)]
        for label, kind, arg in order:
            try:
                if kind == "torch":
                    v = torch_threads(a, *arg)
                elif kind == "ddp":
                    v = torch_ddp(a, *arg)
                else:
                    v = trainer(a, label, arg)
            except (RuntimeError, ValueError, subprocess.TimeoutExpired, KeyError) as e:
                v = None
                errors.setdefault(label, str(e))
                print(f"round {r + 1}: {label} failed: {e}", file=sys.stderr, flush=True)
            results[label].append(v)
            print(f"round {r + 1}: {label}: {fmt(v)} tokens/s", file=sys.stderr, flush=True)
    base = [x for x in results[baseline]]
    best_base = max([x for x in base if x is not None], default=None)
    bs, sl = GEOMETRY[a.size]
    print(f"\ntraining tokens/s, --size {a.size} (bs {bs}, seq-len {sl}, no dropout), {a.steps} timed steps per run,"
          f" {a.rounds} interleaved round(s), {time.time() - t_start:.0f} s in all; ratios against {baseline}\n")
    print("| configuration | " + " | ".join(f"round {i + 1}" for i in range(a.rounds))
          + " | best | median | best / baseline best | median of per-round ratios |")
    print("|---|" + "---:|" * (a.rounds + 4))
    summary = {}
    for label, _, _ in cfgs:
        xs = results[label]
        ok = [x for x in xs if x is not None]
        best = max(ok) if ok else None
        med = statistics.median(ok) if ok else None
        ratios = [x / b for x, b in zip(xs, base) if x is not None and b is not None]
        ratio_best = best / best_base if best is not None and best_base else None
        ratio_med = statistics.median(ratios) if ratios else None
        summary[label] = dict(rounds=xs, best=best, median=med, best_over_baseline=ratio_best,
                              median_round_ratio=ratio_med, error=errors.get(label))
        print(f"| {label} | " + " | ".join(fmt(x) for x in xs) + f" | {fmt(best)} | {fmt(med)} | "
              + ("-" if ratio_best is None else f"{ratio_best:.2f}") + " | "
              + ("-" if ratio_med is None else f"{ratio_med:.2f}") + " |")
    for label, e in errors.items():
        print(f"\n{label}: {e}")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(dict(size=a.size, steps=a.steps, warmup=a.warmup, torch_warmup=a.torch_warmup,
                           rounds=a.rounds, baseline=baseline, jar=a.jar, dataset=a.dataset, results=summary), f,
                      indent=1)


if __name__ == "__main__":
    main()

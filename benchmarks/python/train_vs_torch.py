#!/usr/bin/env python3
"""Trains lmshards (trainer.jar train) and the project's PyTorch reference (lm_reference.py, beside this
script) on the same dataset, with the same model and settings, one after the other on one thread
each, and prints valid perplexity per epoch and training tokens/s of both sides, mean over the
seeds, with the ratios.

usage: train_vs_torch.py DATASET [--seeds 1,2] [--epochs 2] [--jar trainer/target/trainer.jar]
                         [--reference benchmarks/python/lm_reference.py] [--python /usr/bin/python3]
                         [--work DIR] [--same-recipe] [--speed-only STEPS [--rounds N] [--baseline-jar OLD.jar]]
                         [-- EXTRA TRAIN OPTIONS]

--speed-only STEPS measures training throughput alone, one side after the other: the trainer
trains for STEPS batches (tokens/s between batch 50 and STEPS, so that JIT warm-up is left out;
the same for --baseline-jar, another build of the trainer, when given), the reference times STEPS
batches after 5 warm-up batches (lm_reference.py --steps STEPS --warmup 5). For more peers (PyTorch
with 2 threads, DDP, trainer replicas) and the AWD-LSTM size, see speed_matrix.py.

--same-recipe gives the trainer the reference's recipe (PyTorch initialisation and Adam betas and
epsilon, documents in order); without it the trainer runs with its own defaults. Both sides run the
`small` configuration: emb 32, hidden 128, 2 layers, bs 32, seq-len 32, lr 2e-2, wd 0.01, global
clip 0.25, no dropout. The reference needs PyTorch: Debian's python3-torch under /usr/bin/python3
(apt-get install python3-torch libopenblas0-pthread libtcmalloc-minimal4); --python names another interpreter.
"""
import argparse, json, os, subprocess, sys, time

SMALL = ["--emb", "32", "--hidden", "128", "--layers", "2", "--bs", "32", "--seq-len", "32", "--lr", "2e-2",
         "--wd", "0.01", "--clip", "0.25", "--input-p", "0", "--hidden-p", "0", "--output-p", "0", "--weight-p", "0",
         "--embed-p", "0"]
SAME_RECIPE = ["--init", "pytorch", "--adam-beta2", "0.999", "--adam-eps", "1e-8", "--no-shuffle"]


def one_thread_env():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return env


def run_trainer(a, seed, extra):
    out = os.path.join(a.work, f"lmshards-seed{seed}")
    if os.path.exists(out):
        subprocess.run(["rm", "-rf", out], check=True)
    cmd = ["java", "-jar", a.jar, "train", "--data", a.dataset, "--out", out, "--epochs", str(a.epochs),
           "--seed", str(seed), "--workers", "1", "--no-progress"] + SMALL + (SAME_RECIPE if a.same_recipe else []) + extra
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=one_thread_env())
    with open(os.path.join(out, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f]


def run_reference(a, seed):
    out = os.path.join(a.work, f"torch-seed{seed}.json")
    cmd = [a.python, a.reference, a.dataset, "--size", "small", "--threads", "1", "--epochs", str(a.epochs),
           "--seed", str(seed), "--out", out]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, env=one_thread_env(), stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["epochs"]


def trainer_speed(jar, a, steps, name):
    out = os.path.join(a.work, name)
    subprocess.run(["rm", "-rf", out], check=True)
    cmd = ["java", "-jar", jar, "train", "--data", a.dataset, "--out", out, "--epochs", "1", "--seed", "1",
           "--workers", "1", "--no-progress"] + SMALL
    proc = subprocess.Popen(cmd, env=one_thread_env(), stdout=subprocess.DEVNULL)
    path = os.path.join(out, "steps.jsonl")
    try:
        while proc.poll() is None:
            time.sleep(1)
            if os.path.exists(path):
                with open(path) as f:
                    lines = f.readlines()
                if len(lines) > steps:
                    break
    finally:
        proc.kill()
        proc.wait()
    rows = [json.loads(line) for line in lines[:steps]]
    # tokens_per_s is cumulative over the epoch: elapsed(k) = tokens(k) / tokens_per_s(k)
    tokens = lambda r: r["step"] * 32 * 32
    elapsed = lambda r: tokens(r) / r["tokens_per_s"]
    first, last = rows[49], rows[-1]
    return (tokens(last) - tokens(first)) / (elapsed(last) - elapsed(first))


def reference_speed(a, steps):
    out = os.path.join(a.work, "torch-speed.json")
    cmd = [a.python, a.reference, a.dataset, "--size", "small", "--threads", "1", "--steps", str(steps),
           "--warmup", "5", "--out", out]
    subprocess.run(cmd, check=True, env=one_thread_env(), stdout=subprocess.DEVNULL)
    with open(out) as f:
        return json.load(f)["speed"]["tokens_per_s"]


def speed_only(a):
    # Rounds interleave the sides, so that load from other processes hits them alike; each side's
    # best round is reported (the least disturbed one), with the ratio of every round.
    rows = []
    for r in range(a.rounds):
        ref = reference_speed(a, a.speed_only)
        ours = trainer_speed(a.jar, a, a.speed_only, "speed-lmshards")
        base = trainer_speed(a.baseline_jar, a, a.speed_only, "speed-baseline") if a.baseline_jar else None
        rows.append((ref, ours, base))
        print(f"round {r + 1}: PyTorch {ref:.0f}, lmshards {ours:.0f} ({ours / ref:.2f})"
              + (f", baseline {base:.0f} ({base / ref:.2f})" if base else ""), flush=True)
    ref = max(x[0] for x in rows)
    ours = max(x[1] for x in rows)
    print(f"\ntraining tokens/s, one thread, {a.speed_only} batches of 32 x 32 (small configuration),"
          f" best of {a.rounds} round(s)")
    print("| side | tokens/s | vs PyTorch |\n|---|---|---|")
    print(f"| PyTorch reference | {ref:.0f} | 1.00 |")
    print(f"| lmshards ({a.jar}) | {ours:.0f} | {ours / ref:.2f} |")
    if a.baseline_jar:
        base = max(x[2] for x in rows)
        print(f"| lmshards baseline ({a.baseline_jar}) | {base:.0f} | {base / ref:.2f} |")


def mean(xs):
    return sum(xs) / len(xs)


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("dataset")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--jar", default="trainer/target/trainer.jar")
    ap.add_argument("--reference", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "lm_reference.py"),
                    help="the PyTorch side (default: lm_reference.py beside this script)")
    ap.add_argument("--python", default="/usr/bin/python3", help="the interpreter with PyTorch")
    ap.add_argument("--work", default="target/train-vs-torch")
    ap.add_argument("--same-recipe", action="store_true")
    ap.add_argument("--speed-only", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=1, help="with --speed-only: interleaved rounds, best of each side")
    ap.add_argument("--baseline-jar", default="")
    a = ap.parse_args(argv)
    os.makedirs(a.work, exist_ok=True)
    if a.speed_only:
        if a.speed_only <= 60:
            ap.error("--speed-only needs more than 60 batches")
        speed_only(a)
        return
    seeds = [int(s) for s in a.seeds.split(",")]
    ours, theirs = {}, {}
    t0 = time.time()
    for seed in seeds:
        ours[seed] = run_trainer(a, seed, extra)
        theirs[seed] = run_reference(a, seed)
    rows = []
    for e in range(a.epochs):
        p_ours = mean([ours[s][e]["valid_perplexity"] for s in seeds])
        p_ref = mean([theirs[s][e]["valid_ppl"] for s in seeds])
        t_ours = mean([ours[s][e]["tokens_per_s"] for s in seeds])
        t_ref = mean([theirs[s][e]["tokens_per_s"] for s in seeds])
        rows.append(dict(epoch=e + 1, lmshards_ppl=p_ours, torch_ppl=p_ref, ppl_ratio=p_ours / p_ref,
                         lmshards_tokens_per_s=t_ours, torch_tokens_per_s=t_ref, speed_ratio=t_ours / t_ref))
    print(f"\nseeds {seeds}, mean; {'same recipe as the reference' if a.same_recipe else 'lmshards defaults'}"
          f"{' + ' + ' '.join(extra) if extra else ''}; {time.time() - t0:.0f} s in all")
    print("| epoch | lmshards valid ppl | PyTorch valid ppl | ratio | lmshards tokens/s | PyTorch tokens/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['epoch']} | {r['lmshards_ppl']:.1f} | {r['torch_ppl']:.1f} | {r['ppl_ratio']:.3f} | "
              f"{r['lmshards_tokens_per_s']:.0f} | {r['torch_tokens_per_s']:.0f} | {r['speed_ratio']:.2f} |")
    with open(os.path.join(a.work, "result.json"), "w") as f:
        json.dump(dict(seeds=seeds, same_recipe=a.same_recipe, extra=extra, rows=rows,
                       lmshards={str(s): ours[s] for s in seeds}, torch={str(s): theirs[s] for s in seeds}), f, indent=1)


if __name__ == "__main__":
    main()

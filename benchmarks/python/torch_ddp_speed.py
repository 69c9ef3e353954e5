#!/usr/bin/env python3
"""PyTorch DistributedDataParallel peer of `trainer.jar train --replicas N`: training tokens/s.

The model, data, loss and optimizer of lm_reference.py (imported from beside this file), trained by
N processes of one thread each (torch.multiprocessing spawn, the gloo backend on 127.0.0.1 only).
The bs rows of every batch are split into N contiguous row blocks (uneven when N does not divide bs:
the first bs % N processes get one row more); process k owns the rows of block k for the whole run
and carries their LSTM state, as trainer.jar's replicas do. Each process differentiates its rows'
token-loss sum divided by the batch's tokens over all processes (times N, since DDP averages the
gradients over the processes), so that the all-reduced gradient is exactly the gradient of the
whole batch's token mean; the global norm is clipped on that gradient and every process takes the
same AdamW step, so the weights stay identical.

It trains --warmup steps untimed, then --steps timed steps (full windows only, cycling through the
split and resetting the state at its end), and reports the aggregate tokens/s: all processes' tokens
over the slowest process's time, between two barriers. The loss of every step (the whole batch's
token mean, all-reduced) is in the JSON, comparable with `lm_reference.py --steps` on the same
settings: with N = 1 the losses are lm_reference.py's, with N > 1 they agree to float32 rounding.

usage:
  /usr/bin/python3 benchmarks/python/torch_ddp_speed.py DATASET [--procs 2] [--size small|awd]
        [--steps 200] [--warmup 5] [--seed 42] [--port 0] [--out FILE.json]
        [--emb E --hidden H --layers L --bs B --seq-len T --lr LR --wd WD --clip C]

Example (the issue 23 comparison on 2 cores: 2 processes of one thread):
  /usr/bin/python3 benchmarks/python/torch_ddp_speed.py cache/wikitext-tiny --procs 2 --steps 200

The last line of stdout is the JSON result (also written to --out). Needs PyTorch with gloo (Debian's
python3-torch 1.13 has it); OMP_NUM_THREADS and OPENBLAS_NUM_THREADS are set to 1 for the processes,
which allocate with tcmalloc as lm_reference.py does (torch_allocator.py).
"""
import argparse
import json
import os
import socket
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"  # before torch is imported, and inherited by the spawned processes
os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_allocator  # noqa: E402

torch_allocator.ensure()  # may re-execute this script; the spawned workers inherit the allocator

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
from torch.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

import lm_reference as ref  # noqa: E402


def row_blocks(bs, n):
    """[lo, hi) of each of n contiguous row blocks; the first bs % n blocks have one row more."""
    base, extra = divmod(bs, n)
    blocks, lo = [], 0
    for k in range(n):
        hi = lo + base + (1 if k < extra else 0)
        blocks.append((lo, hi))
        lo = hi
    return blocks


def worker(rank, a, c, port, result_queue):
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=a.procs)
    device = torch.device("cpu")
    train, vocab = ref.load_split(a.dataset, "train")
    model = ref.build_model(c, vocab, train, a.seed, device)  # same seed everywhere; DDP also broadcasts rank 0's
    ddp = DDP(model)
    opt = ref.make_optimizer(model, c)
    x, y = ref.stream_rows(train, c["bs"])
    lo, hi = row_blocks(c["bs"], a.procs)[rank]
    x, y = x[lo:hi], y[lo:hi]
    batches = ref.full_windows_forever(x, y, c["seq_len"])
    batch_tokens = c["bs"] * c["seq_len"]
    state, losses = None, []
    for k in range(a.warmup + a.steps):
        if k == a.warmup:
            dist.barrier()
            t0 = time.perf_counter()
        xb, yb, epoch_start = next(batches)
        if epoch_start:
            state = None
        # DDP averages the gradients over the processes: scale so that the sum is the batch's token mean
        loss_sum, state = ref.train_step(ddp, opt, xb, yb, state, c["clip"], loss_scale=batch_tokens / a.procs)
        if a.log_losses:
            t = torch.tensor([loss_sum], dtype=torch.float64)
            dist.all_reduce(t)
            losses.append(t.item() / batch_tokens)
    dist.barrier()
    seconds = torch.tensor([time.perf_counter() - t0], dtype=torch.float64)
    dist.all_reduce(seconds, op=dist.ReduceOp.MAX)
    # the weights must be identical in every process after the same updates
    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    spread = flat.clone()
    dist.all_reduce(spread, op=dist.ReduceOp.MAX)
    low = flat.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    if rank == 0:
        result_queue.put(dict(seconds=seconds.item(), tokens=a.steps * batch_tokens,
                              tokens_per_s=a.steps * batch_tokens / seconds.item(), losses=losses,
                              max_weight_difference=(spread - low).abs().max().item()))
    dist.destroy_process_group()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ref.add_model_args(ap)
    ap.set_defaults(steps=200)
    ap.add_argument("--procs", type=int, default=2, help="processes of one thread each (default 2)")
    ap.add_argument("--port", type=int, default=0, help="rendezvous port on 127.0.0.1 (0 = a free one)")
    ap.add_argument("--no-losses", dest="log_losses", action="store_false",
                    help="skip the per-step loss all-reduce (one small extra message per step)")
    ap.add_argument("--out", default="", help="also write the JSON result to this file")
    a = ap.parse_args()
    c = ref.config_from(a)
    if a.procs < 1 or a.procs > c["bs"]:
        ap.error(f"--procs must be between 1 and bs ({c['bs']})")
    if a.steps < 1 or a.warmup < 0:
        ap.error("--steps must be positive and --warmup not negative")
    port = a.port or free_port()
    ctx = mp.get_context("spawn")
    queue = ctx.SimpleQueue()
    print(f"{a.size}: {a.procs} process(es) of 1 thread, row blocks {row_blocks(c['bs'], a.procs)}, gloo on "
          f"127.0.0.1:{port}, {a.warmup} warm-up + {a.steps} timed steps", file=sys.stderr, flush=True)
    mp.spawn(worker, args=(a, c, port, queue), nprocs=a.procs, join=True)
    r = queue.get()
    result = dict(script="torch_ddp_speed.py", size=a.size, config=c, procs=a.procs, threads_per_proc=1,
                  backend="gloo", row_blocks=row_blocks(c["bs"], a.procs), seed=a.seed, warmup=a.warmup,
                  steps=a.steps, torch=torch.__version__, flush_denormal=True,
                  allocator=torch_allocator.current(), **r)
    print(f"DDP {a.procs}x1: {r['tokens_per_s']:,.0f} training tokens/s over {a.steps} steps after {a.warmup} warm-up"
          f" steps; weights identical across processes: {r['max_weight_difference'] == 0}", file=sys.stderr,
          flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

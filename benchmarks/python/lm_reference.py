#!/usr/bin/env python3
"""The project's PyTorch reference of trainer.jar's language model, trained on an lmshards dataset.

Every parity and speed comparison with PyTorch in docs/BENCHMARKS.md runs this script, so that
they can be re-run from a clone (train_vs_torch.py and speed_matrix.py call it; torch_ddp_speed.py
imports it).

Data: DATASET/{train,valid}/meta.json and the .npy token shards they list (docs/FORMAT.md), read
with numpy alone; the shards of a split are concatenated in meta.json's order. Batches follow
fastai's LMDataLoader (unshuffled): the split is one stream cut into `bs` contiguous rows of
(tokens - 1) // bs tokens each, a batch is the next `seq_len` columns of every row (the last
window of an epoch may be shorter) and its labels are the same window shifted by one token.

Model: trainer.jar's shape (docs/MODEL.md, "The network"): embedding vocab x emb -> `layers`
single-layer LSTMs emb -> hidden -> ... -> hidden -> emb -> untied nn.Linear(emb, vocab). PyTorch's
default initialisation (trainer.jar --init pytorch), except the output bias, which starts at the log
of the train split's add-one-smoothed unigram frequencies, as the trainer's does. No dropout.

Training: mean token cross-entropy over the batch, the LSTM state carried from batch to batch within
an epoch (detached: truncated BPTT of seq_len) and reset at every epoch start, the gradient's global
L2 norm clipped to --clip, AdamW (decoupled weight decay) with a constant learning rate. After every
epoch the valid loss over the whole valid split (state carried, no dropout), its perplexity, and the
epoch's training tokens/s.

Sizes (--size): `small` = emb 32, hidden 128, 2 layers, bs 32, seq-len 32, lr 2e-2, wd 0.01 (the
README's quick try without dropout); `awd` = trainer.jar's defaults (fastai's AWD-LSTM: emb 400,
hidden 1152, 3 layers, bs 64, seq-len 72, lr 5e-3, wd 0.1) without dropout. Any of them can be
overridden (--emb, --hidden, --layers, --bs, --seq-len, --lr, --wd). The vocabulary size is the
dataset's.

usage:
  /usr/bin/python3 benchmarks/python/lm_reference.py DATASET [--size small|awd] [--epochs 2]
        [--seed 42] [--threads N] [--device cpu|cuda] [--out FILE.json] [--max-batches N]
        [--emb E --hidden H --layers L --bs B --seq-len T --lr LR --wd WD --clip C]
        [--adam-beta1 0.9 --adam-beta2 0.999 --adam-eps 1e-8]
  ... --steps N [--warmup 5]    speed mode: no epochs, training tokens/s over N steps after
                                --warmup steps (full windows only, cycling through the split)

Examples (a one-thread CPU peer of `trainer.jar train` on ./submit.sh's dataset):
  OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/python/lm_reference.py cache/wikitext-tiny --threads 1 --seed 42
  OMP_NUM_THREADS=1 /usr/bin/python3 benchmarks/python/lm_reference.py cache/wikitext-tiny --size awd \\
      --threads 1 --steps 20 --warmup 3

Needs numpy and PyTorch (Debian: apt-get install python3-torch libopenblas0-pthread libtcmalloc-minimal4; run with
/usr/bin/python3). `torch.set_flush_denormal(True)` is always set: without it denormal floats make
the AWD-size steps 4 to 7 times slower on the project's Intel CPUs. It runs with tcmalloc (Debian:
libtcmalloc-minimal4; LMSHARDS_TORCH_ALLOCATOR=glibc for glibc's malloc): glibc maps and unmaps
every tensor above 32 MiB afresh, which made the small model's steps 10 times slower on the 2-vCPU
machines (torch_allocator.py). The last line of stdout is the JSON result (also written to --out).
"""
import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_allocator  # noqa: E402

if __name__ == "__main__":
    torch_allocator.ensure()  # before torch allocates anything: may re-execute this script

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F

SIZES = {
    "small": dict(emb=32, hidden=128, layers=2, bs=32, seq_len=32, lr=2e-2, wd=0.01),
    "awd": dict(emb=400, hidden=1152, layers=3, bs=64, seq_len=72, lr=5e-3, wd=0.1),
}


def load_split(dataset, split):
    """The split's token stream as one int64 array, and the dataset's vocabulary size."""
    d = os.path.join(dataset, split)
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    parts = [np.load(os.path.join(d, s["tokens_file"]), mmap_mode="r") for s in meta["shards"]]
    stream = np.concatenate([np.asarray(p, dtype=np.int64) for p in parts]) if parts else np.zeros(0, np.int64)
    return stream, int(meta["vocab_size"])


def stream_rows(stream, bs):
    """fastai LMDataLoader layout: (inputs, labels) as [bs, n] tensors, row r = tokens r*n .. (r+1)*n."""
    n = (len(stream) - 1) // bs
    if n < 1:
        raise SystemExit(f"a split of {len(stream)} tokens has no batch of {bs} rows")
    x = torch.from_numpy(np.ascontiguousarray(stream[: n * bs].reshape(bs, n)))
    y = torch.from_numpy(np.ascontiguousarray(stream[1 : n * bs + 1].reshape(bs, n)))
    return x, y


def windows(x, y, seq_len, full_only=False):
    """The batches of one epoch: windows of seq_len columns (the last one shorter unless full_only)."""
    n = x.size(1)
    for i in range(0, n, seq_len):
        if full_only and i + seq_len > n:
            break
        yield x[:, i : i + seq_len], y[:, i : i + seq_len]


class LanguageModel(nn.Module):
    """trainer.jar's network: embedding, LSTMs emb -> hidden -> ... -> emb, untied linear output."""

    def __init__(self, vocab, emb, hidden, layers):
        super().__init__()
        sizes = [emb] + [hidden] * (layers - 1) + [emb]
        self.emb = nn.Embedding(vocab, emb)
        self.rnns = nn.ModuleList(nn.LSTM(sizes[i], sizes[i + 1], batch_first=True) for i in range(layers))
        self.out = nn.Linear(emb, vocab)

    def forward(self, x, state=None):
        h, new = self.emb(x), []
        for i, rnn in enumerate(self.rnns):
            h, s = rnn(h, None if state is None else state[i])
            new.append(s)
        return self.out(h), new


def detach(state):
    return None if state is None else [tuple(t.detach() for t in s) for s in state]


def unigram_log_freq(train, vocab):
    counts = np.bincount(train, minlength=vocab).astype(np.float64) + 1
    return torch.from_numpy(np.log(counts / counts.sum())).float()


def build_model(c, vocab, train, seed, device):
    """A fresh model seeded with `seed` (PyTorch's initialisation), output bias at the unigram frequencies."""
    torch.manual_seed(seed)
    model = LanguageModel(vocab, c["emb"], c["hidden"], c["layers"]).to(device)
    with torch.no_grad():
        model.out.bias.copy_(unigram_log_freq(train, vocab))
    return model


def make_optimizer(model, c):
    return torch.optim.AdamW(model.parameters(), lr=c["lr"], weight_decay=c["wd"],
                             betas=(c["adam_beta1"], c["adam_beta2"]), eps=c["adam_eps"])


def config_from(args):
    """The size's settings with the command line's overrides."""
    c = dict(SIZES[args.size], clip=args.clip, adam_beta1=args.adam_beta1, adam_beta2=args.adam_beta2,
             adam_eps=args.adam_eps)
    for k in ("emb", "hidden", "layers", "bs", "seq_len", "lr", "wd"):
        v = getattr(args, k)
        if v is not None:
            c[k] = v
    return c


def add_model_args(ap):
    """The options lm_reference.py and torch_ddp_speed.py share."""
    ap.add_argument("dataset", help="an lmshards dataset directory (./submit.sh's output)")
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    for k, t in (("emb", int), ("hidden", int), ("layers", int), ("bs", int), ("seq-len", int), ("lr", float),
                 ("wd", float)):
        ap.add_argument("--" + k, type=t, default=None, help=f"override the size's {k}")
    ap.add_argument("--clip", type=float, default=0.25, help="global gradient-norm clip, 0 = off (default 0.25)")
    ap.add_argument("--adam-beta1", type=float, default=0.9)
    ap.add_argument("--adam-beta2", type=float, default=0.999, help="PyTorch's default (trainer.jar's is 0.99)")
    ap.add_argument("--adam-eps", type=float, default=1e-8, help="PyTorch's default (trainer.jar's is 1e-5)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--steps", type=int, default=0, help="speed mode: time N training steps after --warmup")
    ap.add_argument("--warmup", type=int, default=5, help="speed mode: untimed steps first (default 5)")


def train_step(model, opt, x, y, state, clip, loss_scale=None):
    """One truncated-BPTT step; returns (sum of the token losses as a float, new state).

    The loss differentiated is the token sum divided by `loss_scale` (default: the tokens of x, i.e.
    the token mean); torch_ddp_speed.py passes the whole batch's tokens over the processes.
    """
    logits, state = model(x, detach(state))
    loss_sum = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum")
    opt.zero_grad(set_to_none=True)
    (loss_sum / (loss_scale or y.numel())).backward()
    if clip > 0:
        nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss_sum.item(), state


def evaluate(model, valid, c, device):
    """Mean token cross-entropy over the whole split, state carried, the last short window included."""
    model.eval()
    total, n, state = 0.0, 0, None
    x, y = stream_rows(valid, c["bs"])
    with torch.no_grad():
        for xb, yb in windows(x, y, c["seq_len"]):
            logits, state = model(xb.to(device), state)
            total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), yb.to(device).reshape(-1),
                                     reduction="sum").item()
            n += yb.numel()
    model.train()
    return total / n


def train_epochs(c, train, valid, vocab, epochs, seed, device, max_batches=0):
    model = build_model(c, vocab, train, seed, device)
    opt = make_optimizer(model, c)
    x, y = stream_rows(train, c["bs"])
    out = []
    for e in range(epochs):
        state, loss_sum, tokens, batches = None, 0.0, 0, 0
        t0 = time.perf_counter()
        for xb, yb in windows(x, y, c["seq_len"]):
            if max_batches and batches >= max_batches:
                break
            s, state = train_step(model, opt, xb.to(device), yb.to(device), state, c["clip"])
            loss_sum += s
            tokens += yb.numel()
            batches += 1
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - t0
        vl = evaluate(model, valid, c, device) if len(valid) > c["bs"] else float("nan")
        out.append(dict(epoch=e + 1, batches=batches, train_loss=loss_sum / tokens, valid_loss=vl,
                        valid_ppl=math.exp(vl), train_seconds=seconds, tokens_per_s=tokens / seconds))
        print(f"epoch {e + 1}: train loss {loss_sum / tokens:.4f}, valid loss {vl:.4f}, valid perplexity "
              f"{math.exp(vl):.2f}, {batches} batches, {seconds:.1f} s, {tokens / seconds:,.0f} tokens/s",
              file=sys.stderr, flush=True)
    return out


def full_windows_forever(x, y, seq_len):
    """Full training windows in epoch order, again from the start (and a reset state) at the end."""
    while True:
        first = True
        for xb, yb in windows(x, y, seq_len, full_only=True):
            yield xb, yb, first
            first = False


def speed(c, train, vocab, steps, warmup, seed, device):
    """Training tokens/s over `steps` steps after `warmup` steps, and the loss of every step."""
    model = build_model(c, vocab, train, seed, device)
    opt = make_optimizer(model, c)
    x, y = stream_rows(train, c["bs"])
    batches = full_windows_forever(x, y, c["seq_len"])
    state, losses, tokens = None, [], 0
    for k in range(warmup + steps):
        if k == warmup:
            if device.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
        xb, yb, epoch_start = next(batches)
        if epoch_start:
            state = None
        s, state = train_step(model, opt, xb.to(device), yb.to(device), state, c["clip"])
        losses.append(s / yb.numel())
        if k >= warmup:
            tokens += yb.numel()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - t0
    return dict(steps=steps, warmup=warmup, tokens=tokens, seconds=seconds, tokens_per_s=tokens / seconds,
                losses=losses)


def info(args, train, valid, vocab):
    return dict(torch=torch.__version__, numpy=np.__version__, threads=torch.get_num_threads(),
                omp_num_threads=os.environ.get("OMP_NUM_THREADS"), flush_denormal=True,
                allocator=torch_allocator.current(), dataset=args.dataset,
                train_tokens=int(len(train)), valid_tokens=int(len(valid)), vocab=vocab)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    add_model_args(ap)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = PyTorch's default)")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--max-batches", type=int, default=0, help="stop each epoch after N batches (smoke tests)")
    ap.add_argument("--out", default="", help="also write the JSON result to this file")
    a = ap.parse_args()
    if a.steps < 0 or a.warmup < 0 or a.epochs < 0 or a.threads < 0:
        ap.error("--steps, --warmup, --epochs and --threads must not be negative")
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    device = torch.device(a.device)
    c = config_from(a)
    train, vocab = load_split(a.dataset, "train")
    valid = load_split(a.dataset, "valid")[0] if os.path.isdir(os.path.join(a.dataset, "valid")) else np.zeros(0, np.int64)
    params = sum(p.numel() for p in LanguageModel(vocab, c["emb"], c["hidden"], c["layers"]).parameters())
    result = dict(script="lm_reference.py", size=a.size, config=c, params=params, seed=a.seed, device=str(device),
                  info=info(a, train, valid, vocab))
    if device.type == "cuda":
        result["info"]["gpu"] = torch.cuda.get_device_name(0)
    print(f"{a.size}: {params:,} parameters, vocabulary {vocab:,}, train {len(train):,} tokens, valid "
          f"{len(valid):,}; {torch.get_num_threads()} thread(s), {device}, {torch_allocator.current()} allocator", file=sys.stderr, flush=True)
    if a.steps:
        result["speed"] = speed(c, train, vocab, a.steps, a.warmup, a.seed, device)
        print(f"speed: {result['speed']['tokens_per_s']:,.0f} training tokens/s over {a.steps} steps after "
              f"{a.warmup} warm-up steps", file=sys.stderr, flush=True)
    else:
        result["epochs"] = train_epochs(c, train, valid, vocab, a.epochs, a.seed, device, a.max_batches)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

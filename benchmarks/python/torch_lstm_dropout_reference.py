#!/usr/bin/env python3
"""Peer baseline with dropout: the lmshards LSTM language model in PyTorch, with fastai AWD-LSTM dropouts.

The companion of the no-dropout reference (benchmarks/python/lm_reference.py), with the same
data loading, batching, training loop, evaluation and JSON output, so that lmshards' DL4J trainer run
with its dropout options can be compared with it on the same dataset.

Data: DATASET/{train,valid}/meta.json + .npy token shards, read with numpy, batched the fastai
LMDataLoader way (bs contiguous streams, seq_len windows, targets shifted by one, no shuffling).

Model (the shape lmshards builds): embedding vocab x emb -> `layers` single-layer LSTMs with sizes
emb -> hidden -> ... -> hidden -> emb -> untied nn.Linear(emb, vocab), output bias initialised to the
log of the add-one-smoothed unigram frequencies of the train split. PyTorch default initialisation
everywhere else, as in the no-dropout reference.

Dropouts, with the semantics of fastai's fastai/text/models/awdlstm.py (all of them off in eval mode):
  --input-p   RNNDropout on the embedding output: one Bernoulli(1-p) mask per (batch row, feature),
              shared by all time steps, scaled by 1/(1-p), drawn afresh at every forward pass.
  --hidden-p  RNNDropout (same kind) on the output of every LSTM but the last.
  --output-p  RNNDropout (same kind) on the last LSTM's output, before the linear decoder
              (fastai's LinearDecoder output_dp).
  --weight-p  WeightDropout (DropConnect) on each LSTM's hidden-to-hidden matrix weight_hh_l0: the
              raw weight is the trained parameter, and at every training forward pass the LSTM runs
              with F.dropout(raw, p, training=True) (a fresh elementwise inverted-dropout mask); in
              eval it runs with the raw weight.
  --embed-p   EmbeddingDropout: whole rows of the embedding matrix dropped (one mask per word,
              scaled by 1/(1-p)) at every training forward pass. Default 0: lmshards cannot express it.
Masks are drawn in fastai's order: embedding, input, then per layer weight and hidden, then output.

Training as in the no-dropout reference: LSTM state carried from batch to batch within an epoch and
detached, AdamW(lr, weight_decay=wd) with PyTorch defaults otherwise, global gradient-norm clipping
0.25, mean token cross-entropy, no learning-rate schedule. After each epoch the valid loss and
perplexity over the whole valid split (state carried, the last short window included).

usage: torch_lstm_dropout_reference.py DATASET [--device cuda|cpu] [--threads N] [--epochs E]
           [--seed S] [--out FILE.json] [--emb 32] [--hidden 128] [--layers 2] [--bs 32]
           [--seq-len 32] [--lr 2e-2] [--wd 0.01] [--input-p 0.1] [--hidden-p 0.1]
           [--output-p 0.1] [--weight-p 0.2] [--embed-p 0] [--max-batches N]

--max-batches N (0 = all) stops each training epoch after N batches (validation stays whole): for
smoke tests only. Defaults are the reference's `small` configuration plus the dropouts above.

On Debian: apt-get install python3-torch libopenblas0-pthread libtcmalloc-minimal4, then for a one-thread comparison:
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 torch_lstm_dropout_reference.py DATASET --threads 1 \\
      --device cpu --epochs 2 --seed 1 --out torch-dropout.json
"""
import argparse, json, math, os, sys, time, warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_allocator  # noqa: E402

if __name__ == "__main__":
    torch_allocator.ensure()  # may re-execute this script (docs/BENCHMARKS.md: the PyTorch peers' allocator)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn
import torch.nn.functional as F


def load_split(ds, split):
    meta = json.load(open(os.path.join(ds, split, "meta.json")))
    parts = [np.load(os.path.join(ds, split, s["tokens_file"]), mmap_mode="r") for s in meta["shards"]]
    return np.concatenate([np.asarray(p, dtype=np.int64) for p in parts]), meta["vocab_size"]


def lm_batches(stream, bs, sl):
    """fastai LMDataLoader geometry: bs rows of contiguous text, windows of sl, targets shifted by 1."""
    n = (len(stream) - 1) // bs
    x = torch.from_numpy(stream[: n * bs].reshape(bs, n))
    y = torch.from_numpy(stream[1 : n * bs + 1].reshape(bs, n))
    for i in range(0, n, sl):
        yield x[:, i : i + sl], y[:, i : i + sl]


def time_shared_dropout(x, p, training):
    """fastai RNNDropout on a (batch, time, features) tensor: one mask per (row, feature) for all steps."""
    if not training or p == 0:
        return x
    keep = x.new_empty(x.size(0), 1, x.size(2)).bernoulli_(1 - p) / (1 - p)
    return x * keep


class WeightDroppedLSTM(nn.Module):
    """One nn.LSTM layer whose weight_hh_l0 is DropConnect-ed (fastai WeightDropout semantics).

    The trained parameter is `weight_hh_raw`; the LSTM's own weight_hh_l0 is replaced by a plain
    tensor computed from it at every forward pass (dropped in training, the raw weight in eval).
    """

    def __init__(self, n_in, n_out, weight_p):
        super().__init__()
        self.weight_p = weight_p
        self.lstm = nn.LSTM(n_in, n_out, batch_first=True)  # same initialisation as a plain nn.LSTM
        raw = self.lstm.weight_hh_l0
        del self.lstm._parameters["weight_hh_l0"]
        self.weight_hh_raw = nn.Parameter(raw.data)
        self.lstm.weight_hh_l0 = raw.data.clone()  # placeholder tensor, replaced at each forward
        self.lstm.flatten_parameters = lambda: None  # weights are not one contiguous chunk any more

    def effective_weight_hh(self):
        if self.training and self.weight_p > 0:
            return F.dropout(self.weight_hh_raw, p=self.weight_p, training=True)
        # a plain-tensor view of the raw weight (assigning the Parameter itself would register it on
        # the LSTM, after which the dropped plain tensor could no longer be assigned)
        return self.weight_hh_raw.view(self.weight_hh_raw.shape)

    def forward(self, x, state=None):
        self.lstm.weight_hh_l0 = self.effective_weight_hh()  # RNNBase.__setattr__ updates _flat_weights
        with warnings.catch_warnings():  # cuDNN's "weights are not part of single contiguous chunk"
            warnings.simplefilter("ignore", category=UserWarning)
            return self.lstm(x, state)


class DropoutLM(nn.Module):
    """AWD-LSTM's shape (as lmshards builds it) with fastai's dropouts: emb -> hidden -> ... -> emb, untied."""

    def __init__(self, vocab, emb, hidden, layers, input_p=0.1, hidden_p=0.1, output_p=0.1, weight_p=0.2,
                 embed_p=0.0):
        super().__init__()
        sizes = [emb] + [hidden] * (layers - 1) + [emb]
        self.emb = nn.Embedding(vocab, emb)
        self.rnns = nn.ModuleList(WeightDroppedLSTM(sizes[i], sizes[i + 1], weight_p) for i in range(layers))
        self.out = nn.Linear(emb, vocab)
        self.input_p, self.hidden_p, self.output_p, self.embed_p = input_p, hidden_p, output_p, embed_p

    def embed(self, x):
        w = self.emb.weight
        if self.training and self.embed_p > 0:  # fastai EmbeddingDropout: drop whole word vectors
            w = w * (w.new_empty(w.size(0), 1).bernoulli_(1 - self.embed_p) / (1 - self.embed_p))
        return F.embedding(x, w)

    def forward(self, x, state=None):
        h = time_shared_dropout(self.embed(x), self.input_p, self.training)
        new, last = [], len(self.rnns) - 1
        for i, rnn in enumerate(self.rnns):
            h, s = rnn(h, None if state is None else state[i])
            new.append(s)
            if i != last:
                h = time_shared_dropout(h, self.hidden_p, self.training)
        h = time_shared_dropout(h, self.output_p, self.training)
        return self.out(h), new


def evaluate(model, valid, bs, sl, dev):
    model.eval(); tot, n, state = 0.0, 0, None
    with torch.no_grad():
        for x, y in lm_batches(valid, bs, sl):
            x, y = x.to(dev), y.to(dev)
            logits, state = model(x, state)
            tot += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum").item()
            n += y.numel()
    model.train()
    return tot / n


def build(a, vocab, train, dev):
    """A fresh seeded model with the unigram output bias, as lmshards' trainer initialises it."""
    torch.manual_seed(a.seed)
    model = DropoutLM(vocab, a.emb, a.hidden, a.layers, a.input_p, a.hidden_p, a.output_p, a.weight_p,
                      a.embed_p).to(dev)
    with torch.no_grad():
        counts = np.bincount(train, minlength=vocab).astype(np.float64) + 1
        model.out.bias.copy_(torch.from_numpy(np.log(counts / counts.sum())).float())
    return model


def run(a, train, valid, vocab, dev):
    model = build(a, vocab, train, dev)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd)
    params = sum(p.numel() for p in model.parameters())
    res = dict(config="small-dropout", params=params, emb=a.emb, hidden=a.hidden, layers=a.layers, bs=a.bs,
               sl=a.seq_len, lr=a.lr, wd=a.wd, clip=0.25, input_p=a.input_p, hidden_p=a.hidden_p,
               output_p=a.output_p, weight_p=a.weight_p, embed_p=a.embed_p, seed=a.seed,
               max_batches=a.max_batches, device=str(dev), epochs=[])

    def step(x, y, state):
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
        if state is not None: state = [tuple(t.detach() for t in s) for s in state]
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25); opt.step()
        return loss, state

    t_all = time.perf_counter()
    for e in range(a.epochs):
        state = None; t0 = time.perf_counter(); ntok = 0; nb = 0
        loss_sum = torch.zeros((), device=dev)  # token-weighted, summed on the device (no sync per step)
        for x, y in lm_batches(train, a.bs, a.seq_len):
            if a.max_batches and nb >= a.max_batches: break
            loss, state = step(x, y, state); ntok += y.numel(); nb += 1
            loss_sum += loss.detach() * y.numel()
        if dev.type == "cuda": torch.cuda.synchronize()
        tr_s = time.perf_counter() - t0
        tl = loss_sum.item() / max(ntok, 1)
        vl = evaluate(model, valid, a.bs, a.seq_len, dev)
        res["epochs"].append(dict(epoch=e + 1, train_loss=tl, train_batches=nb, valid_loss=vl, valid_ppl=math.exp(vl),
                                  train_seconds=tr_s, tokens_per_s=ntok / tr_s))
        print(f"epoch {e + 1}: train_loss {tl:.4f}  valid_loss {vl:.4f}  valid_ppl {math.exp(vl):.2f}  "
              f"train {tr_s:.1f}s  {ntok / tr_s:.0f} tokens/s  ({nb} batches)", flush=True)
    res["total_seconds"] = time.perf_counter() - t_all
    return res


def main():
    ap = argparse.ArgumentParser(description="PyTorch LSTM LM with fastai AWD-LSTM dropouts, on an lmshards dataset")
    ap.add_argument("dataset"); ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--threads", type=int, default=0); ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=42); ap.add_argument("--out", default="")
    ap.add_argument("--emb", type=int, default=32); ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2); ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=32); ap.add_argument("--lr", type=float, default=2e-2)
    ap.add_argument("--wd", type=float, default=0.01)
    ap.add_argument("--input-p", type=float, default=0.1); ap.add_argument("--hidden-p", type=float, default=0.1)
    ap.add_argument("--output-p", type=float, default=0.1); ap.add_argument("--weight-p", type=float, default=0.2)
    ap.add_argument("--embed-p", type=float, default=0.0)
    ap.add_argument("--max-batches", type=int, default=0, help="stop each training epoch after N batches (0 = all)")
    a = ap.parse_args()
    if a.layers < 1: ap.error("--layers must be at least 1")
    for k in ("input_p", "hidden_p", "output_p", "weight_p", "embed_p"):
        if not 0 <= getattr(a, k) < 1: ap.error(f"--{k.replace('_', '-')} must be in [0, 1)")
    if a.threads: torch.set_num_threads(a.threads)
    # as lm_reference.py: denormal floats make PyTorch's CPU steps several times slower on some CPUs
    torch.set_flush_denormal(True)
    dev = torch.device(a.device)
    train, vocab = load_split(a.dataset, "train"); valid, _ = load_split(a.dataset, "valid")
    info = dict(torch=torch.__version__, threads=torch.get_num_threads(), train_tokens=len(train),
                valid_tokens=len(valid), vocab=vocab)
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
        info["gpu"] = torch.cuda.get_device_name(0); info["cudnn"] = torch.backends.cudnn.version()
    print(info, flush=True)
    results = [run(a, train, valid, vocab, dev)]
    for r in results: print(json.dumps({k: v for k, v in r.items() if k != "epochs"}), flush=True)
    if a.out: json.dump(dict(info=info, results=results), open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()

"""The exported language model's forward pass in PyTorch's convention, with numpy alone.

Usage: awd_lstm_forward.py MODEL.npz CASE.npz [RESAVED.npz]
CASE.npz holds 'ids' ([batch, time] token ids, as floats) and 'expected' ([batch, time, vocab]
next-token log-probabilities from the trainer). Prints one JSON object: the largest absolute
difference of this forward pass from 'expected', the same with the gates taken in DL4J's order
(a wrong layout must show up as a large difference), and, where torch is importable, the
difference of torch.nn.LSTM modules loaded from the same tensors (null otherwise). With
RESAVED.npz, also writes the tensors back with numpy.savez (numpy's own zip layout), for import.
"""
import json
import sys

import numpy as np


def log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def layer_count(w):
    n = 0
    while "0.rnns.%d.module.weight_ih_l0" % n in w:
        n += 1
    return n


def numpy_forward(w, ids, gate_order="ifgo"):
    """Stacked LSTMs from a zero state; PyTorch computes gates = x W_ih^T + b_ih + h W_hh^T + b_hh, rows i, f, g, o."""
    x = w["0.encoder.weight"].astype(np.float64)[ids]  # [batch, time, emb]
    for layer in range(layer_count(w)):
        p = "0.rnns.%d." % layer
        w_ih = w[p + "module.weight_ih_l0"].astype(np.float64)
        w_hh = w[p + "weight_hh_l0_raw"].astype(np.float64)
        b = w[p + "module.bias_ih_l0"].astype(np.float64) + w[p + "module.bias_hh_l0"].astype(np.float64)
        n = w_hh.shape[1]
        h = np.zeros((ids.shape[0], n))
        c = np.zeros((ids.shape[0], n))
        outs = []
        for t in range(ids.shape[1]):
            gates = x[:, t] @ w_ih.T + h @ w_hh.T + b
            blocks = dict(zip(gate_order, np.split(gates, 4, axis=1)))
            i, f, g, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), np.tanh(blocks["g"]), sigmoid(blocks["o"])
            c = f * c + i * g
            h = o * np.tanh(c)
            outs.append(h)
        x = np.stack(outs, axis=1)
    logits = x @ w["1.decoder.weight"].astype(np.float64).T + w["1.decoder.bias"].astype(np.float64)
    return log_softmax(logits)


def torch_forward(w, ids):
    try:
        import torch
    except ImportError:
        return None
    with torch.no_grad():
        emb = torch.nn.Embedding(*w["0.encoder.weight"].shape)
        emb.weight.copy_(torch.from_numpy(w["0.encoder.weight"]))
        x = emb(torch.from_numpy(ids.astype(np.int64)))
        for layer in range(layer_count(w)):
            p = "0.rnns.%d." % layer
            w_hh = w[p + "weight_hh_l0_raw"]
            lstm = torch.nn.LSTM(w[p + "module.weight_ih_l0"].shape[1], w_hh.shape[1], batch_first=True)
            lstm.load_state_dict({
                "weight_ih_l0": torch.from_numpy(w[p + "module.weight_ih_l0"]),
                "weight_hh_l0": torch.from_numpy(w_hh),
                "bias_ih_l0": torch.from_numpy(w[p + "module.bias_ih_l0"]),
                "bias_hh_l0": torch.from_numpy(w[p + "module.bias_hh_l0"]),
            })
            x, _ = lstm(x)
        dec = torch.nn.Linear(w["1.decoder.weight"].shape[1], w["1.decoder.weight"].shape[0])
        dec.load_state_dict({"weight": torch.from_numpy(w["1.decoder.weight"]),
                             "bias": torch.from_numpy(w["1.decoder.bias"])})
        return torch.log_softmax(dec(x), dim=-1).double().numpy()


def main():
    w = dict(np.load(sys.argv[1], allow_pickle=False))
    case = np.load(sys.argv[2], allow_pickle=False)
    ids = case["ids"].astype(np.int64)
    expected = case["expected"].astype(np.float64)
    itos = w["itos"]
    mine = numpy_forward(w, ids)
    wrong = numpy_forward(w, ids, gate_order="gfoi")  # DL4J's column order read as PyTorch's
    torch_out = torch_forward(w, ids)
    if len(sys.argv) > 3:
        np.savez(sys.argv[3], **w)
    print(json.dumps({
        "vocab": len(itos),
        "first_tokens": [str(t) for t in itos[:3]],
        "dtypes": sorted({str(v.dtype) for k, v in w.items() if k != "itos"}),
        "max_abs_diff": float(np.abs(mine - expected).max()),
        "max_abs_diff_wrong_gate_order": float(np.abs(wrong - expected).max()),
        "max_abs_diff_torch": None if torch_out is None else float(np.abs(torch_out - expected).max()),
        "shape": list(mine.shape),
    }))


if __name__ == "__main__":
    main()

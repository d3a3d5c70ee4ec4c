"""Evaluate the sketch model through the Rust CLI (same preprocessing and tract session as the browser).

    cargo build --release -p playground-cli
    /usr/bin/python3 models/train/evaluate.py --data ../shared/data/quickdraw \
        --cli target/release/sketch-classify --model models/sketch

Measures
  * held-out bitmaps: top-1/top-3 on the first 100 rows of every class file (`--npy FILE --rows 100`),
    overall, per class and per file;
  * real strokes: top-1/top-3 on ALL exupery raw drawings whose word is one of the model's labels
    (ndjson on stdin: the CLI simplifies + rasterizes them itself), overall and per class, with counts.
    The same drawings also go through the Python reference pipeline (reference_raster + model.onnx in
    numpy) and the top-1 agreement between Rust and Python is reported: a low agreement points at a
    difference in the Rust stroke pipeline.
Writes <model>/eval.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quickdraw as qd  # noqa: E402


def run_cli(cmd: list[str], stdin: str | None = None) -> list[dict]:
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def summarize(hits: dict[str, list[tuple[bool, bool]]]) -> dict:
    allh = [h for v in hits.values() for h in v]
    out = {"n": len(allh),
           "top1": float(np.mean([h[0] for h in allh])) if allh else None,
           "top3": float(np.mean([h[1] for h in allh])) if allh else None,
           "per_class": {}}
    for k, v in hits.items():
        if v:
            out["per_class"][k] = {"n": len(v), "top1": float(np.mean([h[0] for h in v])),
                                   "top3": float(np.mean([h[1] for h in v]))}
    return out


def fmt(x):
    return "–" if x is None else f"{100 * x:.1f}%"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--cli", default="target/release/sketch-classify")
    ap.add_argument("--model", default="models/sketch")
    ap.add_argument("--out", default=None, help="default: <model>/eval.json")
    ap.add_argument("--no-python-reference", action="store_true", help="skip the Python cross-check")
    args = ap.parse_args()

    t0 = time.time()
    labels = Path(args.model, "labels.txt").read_text(encoding="utf-8").split("\n")[:-1]
    _, files = qd.discover(args.data)

    # ---- held-out bitmaps
    held = {lab: [] for lab in labels}
    per_file = {}
    for lab in labels:
        for cf in files.get(lab, []):
            res = run_cli([args.cli, "--model", args.model, "--npy", str(cf.path), "--rows", str(qd.HELDOUT_ROWS)])
            if len(res) != min(qd.HELDOUT_ROWS, len(qd.load_rows(cf.path))):
                raise SystemExit(f"{cf.rel}: expected {qd.HELDOUT_ROWS} result lines, got {len(res)}")
            hs = []
            for i, r in enumerate(res):
                if r.get("row") != i:
                    raise SystemExit(f"{cf.rel}: result {i} has row {r.get('row')}")
                top = [t[0] for t in r["top"]]
                hs.append((top[0] == lab, lab in top[:3]))
            held[lab] += hs
            per_file[cf.rel] = {"n": len(hs), "top1": float(np.mean([h[0] for h in hs])),
                                "top3": float(np.mean([h[1] for h in hs]))}
    held_sum = summarize(held)
    held_sum["per_file"] = per_file

    # ---- real strokes
    drawings = qd.exupery_drawings(args.data, labels)
    stdin = "".join(json.dumps(d) + "\n" for d in drawings)
    res = run_cli([args.cli, "--model", args.model], stdin)
    if len(res) != len(drawings):
        raise SystemExit(f"strokes: expected {len(drawings)} result lines, got {len(res)}")
    strokes = {lab: [] for lab in labels}
    rust_top1 = []
    for d, r in zip(drawings, res):
        if str(r.get("key_id")) != str(d["key_id"]):
            raise SystemExit(f"strokes: key_id mismatch {r.get('key_id')} vs {d['key_id']}")
        top = [t[0] for t in r["top"]]
        strokes[d["word"]].append((top[0] == d["word"], d["word"] in top[:3]))
        rust_top1.append(top[0])
    stroke_sum = summarize(strokes)

    if not args.no_python_reference:
        import reference_raster as rr
        from onnx_numpy import OnnxNumpy

        model = OnnxNumpy(Path(args.model, "model.onnx"))
        bms = np.stack([rr.raw_to_bitmap(d["drawing"]) for d in drawings])
        lg = model.logits(bms)
        order = np.argsort(-lg, axis=1)
        py1 = [labels[o[0]] for o in order]
        ref = {lab: [] for lab in labels}
        for d, o in zip(drawings, order):
            ref[d["word"]].append((labels[o[0]] == d["word"], d["word"] in [labels[i] for i in o[:3]]))
        rs = summarize(ref)
        stroke_sum["python_reference"] = {
            "top1": rs["top1"], "top3": rs["top3"],
            "agreement_top1": float(np.mean([a == b for a, b in zip(rust_top1, py1)])),
            "note": "same drawings through reference_raster.py + model.onnx evaluated in numpy",
        }

    report = {
        "command": " ".join([Path(sys.executable).as_posix()] + sys.argv),
        "cli": args.cli,
        "model": args.model,
        "labels": labels,
        "heldout": held_sum,
        "strokes": stroke_sum,
        "seconds": round(time.time() - t0, 1),
        "note": "heldout = first 100 rows of every bitmap class file (never trained on); strokes = all "
                "borismus__exupery raw drawings whose word is a model label; all predictions by the Rust CLI.",
    }
    out = Path(args.out) if args.out else Path(args.model, "eval.json")
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")

    lines = [f"Measured with `{report['command']}`", "",
             "| class | held-out n | held-out top-1 | held-out top-3 | strokes n | strokes top-1 | strokes top-3 |",
             "|---|---|---|---|---|---|---|"]
    for lab in labels:
        h = held_sum["per_class"].get(lab, {})
        s = stroke_sum["per_class"].get(lab, {})
        lines.append(f"| {lab} | {h.get('n', 0)} | {fmt(h.get('top1'))} | {fmt(h.get('top3'))} | "
                     f"{s.get('n', 0)} | {fmt(s.get('top1'))} | {fmt(s.get('top3'))} |")
    lines.append(f"| **all** | {held_sum['n']} | **{fmt(held_sum['top1'])}** | **{fmt(held_sum['top3'])}** | "
                 f"{stroke_sum['n']} | **{fmt(stroke_sum['top1'])}** | **{fmt(stroke_sum['top3'])}** |")
    if "python_reference" in stroke_sum:
        pr = stroke_sum["python_reference"]
        lines += ["", f"Python reference pipeline on the same {stroke_sum['n']} stroke drawings: top-1 "
                  f"{fmt(pr['top1'])}, top-3 {fmt(pr['top3'])}; Rust/Python top-1 agreement {fmt(pr['agreement_top1'])}."]
    print("\n".join(lines))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()

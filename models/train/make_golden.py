"""Write golden fixtures for the Rust tests.

    /usr/bin/python3 models/train/make_golden.py --data ../shared/data/quickdraw --model models/sketch

crates/core/tests/golden/sketch_raster.json: JSON array, one object per exupery raw drawing:
  {"key_id", "word", "simplified": [[[x...],[y...]],...] (ints, reference_raster.simplify),
   and either "dataset_match": {"file": "source/class.npy", "row": i}
   or "reference_bitmap": [784 ints] (reference_raster.rasterize of "simplified")}
  No dataset content is stored: the Rust test reads the raw strokes by key_id and the matched row
  from the data folder.
  dataset_match is set when the bitmap is identical, pixel for pixel, to a row of the dataset,
  i.e. Google's own bitmap of that drawing; those entries pin the pipeline to Google's output.
  Drawings: round robin over the model's classes that have exupery drawings (sorted by name,
  drawings in file order), so they spread over classes.

crates/core/tests/golden/heldout_bitmaps.json: JSON array, per label (model output order) 3 rows from the
  held-out split (rows 0..99) that the exported model.onnx classifies correctly with probability >= 0.9
  (evaluated in numpy from the ONNX file itself, so small float differences in tract cannot flip them):
  {"label", "file", "row", "logits": [C floats, 4 decimals]} (the test reads the row from the data folder).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import quickdraw as qd  # noqa: E402
import reference_raster as rr  # noqa: E402
from onnx_numpy import OnnxNumpy  # noqa: E402


def dump_array(items, path: Path) -> None:
    # one object per line: compact but diff-friendly
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "[\n" + ",\n".join(json.dumps(it, separators=(",", ":")) for it in items) + "\n]\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(items)} entries, {path.stat().st_size} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default="models/sketch")
    ap.add_argument("--out", default="crates/core/tests/golden")
    ap.add_argument("--n-raster", type=int, default=20)
    ap.add_argument("--per-class", type=int, default=3)
    ap.add_argument("--min-prob", type=float, default=0.9)
    args = ap.parse_args()

    labels = Path(args.model, "labels.txt").read_text(encoding="utf-8").split("\n")[:-1]
    _, files = qd.discover(args.data)
    missing = [lab for lab in labels if lab not in files]
    if missing:
        raise SystemExit(f"labels without class files in {args.data}: {missing}")
    rows_cache = {}

    def rows_of(cf):
        if cf.rel not in rows_cache:
            rows_cache[cf.rel] = qd.load_rows(cf.path)
        return rows_cache[cf.rel]

    # ---- sketch_raster.json
    by_word = {}
    for d in qd.exupery_drawings(args.data, labels):
        by_word.setdefault(d["word"], []).append(d)
    words = sorted(by_word)
    picked, k = [], 0
    while len(picked) < args.n_raster and any(k < len(by_word[w]) for w in words):
        for w in words:
            if k < len(by_word[w]) and len(picked) < args.n_raster:
                picked.append(by_word[w][k])
        k += 1
    raster_items = []
    for d in picked:
        simp = rr.simplify(d["drawing"])
        bm = rr.rasterize(simp)
        match = None
        for cf in files[d["word"]]:
            hit = np.nonzero((rows_of(cf) == bm).all(axis=1))[0]
            if len(hit):
                match = {"file": cf.rel, "row": int(hit[0])}
                break
        # No dataset content in the repository: the test reads the raw strokes (by key_id) and
        # the matching dataset row from the data folder; only derived outputs are stored.
        item = {"key_id": d["key_id"], "word": d["word"], "simplified": simp}
        if match:
            item["dataset_match"] = match
        else:
            item["reference_bitmap"] = bm.tolist()
        raster_items.append(item)
    nmatch = sum("dataset_match" in it for it in raster_items)
    print(f"sketch_raster: {len(raster_items)} drawings over {len({it['word'] for it in raster_items})} classes, "
          f"{nmatch} identical to a dataset row")
    dump_array(raster_items, Path(args.out, "sketch_raster.json"))

    # ---- heldout_bitmaps.json
    model = OnnxNumpy(Path(args.model, "model.onnx"))
    held_items = []
    for li, lab in enumerate(labels):
        cands = []
        for cf in files[lab]:
            held = rows_of(cf)[: qd.HELDOUT_ROWS]
            # evaluate in small chunks and stop early: the numpy runner is slow
            for start in range(0, len(held), 20):
                lg = model.logits(held[start:start + 20])
                p = np.exp(lg - lg.max(1, keepdims=True))
                p /= p.sum(1, keepdims=True)
                for j in range(len(lg)):
                    if lg[j].argmax() == li and p[j, li] >= args.min_prob:
                        cands.append((cf, start + j, lg[j]))
                if sum(c[0] is cf for c in cands) >= args.per_class:
                    break
        # interleave files so a class merged from two sources is covered by both
        by_file = [[c for c in cands if c[0] is cf] for cf in files[lab]]
        order = [c for tup in zip(*[f + [None] * args.per_class for f in by_file]) for c in tup if c is not None]
        for cf, row, lg in order[: args.per_class]:
            held_items.append({"label": lab, "file": cf.rel, "row": int(row),
                               "logits": [round(float(v), 4) for v in lg]})
        if len(order) < args.per_class:
            print(f"warning: only {len(order)} confident correct held-out rows for {lab}")
    dump_array(held_items, Path(args.out, "heldout_bitmaps.json"))


if __name__ == "__main__":
    main()

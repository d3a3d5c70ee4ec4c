"""How others drew it: a few real Quick, Draw! drawings of every sketch class, for the game's end screen.

    /usr/bin/python3 models/train/make_examples.py --data ../shared/data/quickdraw --out models/sketch/examples.json

For each class of models/sketch/labels.txt: up to PER_CLASS of exupery's raw stroke drawings (simplified to
Google's 0..255 integer strokes, as the page draws them), topped up with bitmaps (as PNG data URLs) from rows outside
the evaluation split (row HELDOUT_ROWS and after), preferring sources that were not re-rendered from stretched
PNGs. Drawings: Google's Quick, Draw! dataset, CC BY 4.0 (credited in the file and on the page). The one
piece of the data this repository commits: a few per class, far under the 200 KB budget it is tested against.
"""
from __future__ import annotations

import argparse
import base64
import io
import json
from pathlib import Path

import cairo
import numpy as np

from quickdraw import HELDOUT_ROWS, discover, exupery_drawings, load_rows
from reference_raster import simplify

PER_CLASS = 3
RESTRETCHED = "akildickerson__"
CREDIT = ("Drawings from Quick, Draw! by Google Creative Lab (https://quickdraw.withgoogle.com/data), "
          "CC BY 4.0")


def png_data_url(row) -> str:
    """A 28×28 bitmap row as a PNG data URL, dark ink on white (the dataset stores ink as 255)."""
    grey = 255 - np.asarray(row, np.uint8).reshape(28, 28).astype(np.uint32)
    stride = cairo.ImageSurface.format_stride_for_width(cairo.FORMAT_RGB24, 28)
    pixels = np.zeros((28, stride // 4), np.uint32)
    pixels[:, :28] = (grey << 16) | (grey << 8) | grey
    surface = cairo.ImageSurface.create_for_data(memoryview(pixels), cairo.FORMAT_RGB24, 28, 28, stride)
    out = io.BytesIO()
    surface.write_to_png(out)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--labels", default="models/sketch/labels.txt")
    ap.add_argument("--out", default="models/sketch/examples.json")
    args = ap.parse_args()
    labels = [l for l in Path(args.labels).read_text().splitlines() if l]
    _, files = discover(args.data)
    classes = {}
    for label in labels:
        picked = []
        recognised = [d for d in exupery_drawings(args.data, [label]) if d.get("recognized")]
        for d in recognised[:PER_CLASS]:
            picked.append({"strokes": simplify(d["drawing"])})
        # Real proportions first: the re-rendered files are stretched (data README).
        sources = sorted(files.get(label, []), key=lambda cf: cf.rel.startswith(RESTRETCHED))
        for cf in sources:
            rows = load_rows(cf.path)
            # Rows spread over the part of the file after the evaluation split, so they differ in style.
            span = len(rows) - HELDOUT_ROWS
            for i in range(PER_CLASS):
                r = HELDOUT_ROWS + (2 * i + 1) * span // (2 * PER_CLASS)
                if len(picked) < PER_CLASS and span > 0:
                    picked.append({"png": png_data_url(rows[r])})
        if not picked:
            raise SystemExit(f"no drawings of {label!r}")
        classes[label] = picked
    text = json.dumps({"credit": CREDIT, "classes": classes}, separators=(",", ":"))
    Path(args.out).write_text(text + "\n")
    kinds = sum(1 for v in classes.values() for d in v if "strokes" in d)
    print(f"{args.out}: {len(classes)} classes, {sum(map(len, classes.values()))} drawings "
          f"({kinds} stroke drawings), {len(text) + 1} bytes")


if __name__ == "__main__":
    main()

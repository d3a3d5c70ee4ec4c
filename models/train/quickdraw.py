"""Shared helpers for the Quick, Draw! subsets in /work/shared/data/quickdraw.

The data README there is binding:
  * every ``*.npy`` bitmap file is one class (file stem = class name); the same
    class may live in several source folders and is merged by name;
  * the first ``HELDOUT_ROWS`` rows of EVERY class file are the evaluation split
    and must never be used for training or model selection;
  * ``borismus__exupery/*.ndjson`` holds raw stroke drawings for tests only.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HELDOUT_ROWS = 100  # binding split from the data README
EXUPERY_DIR = "borismus__exupery"


@dataclass(frozen=True)
class ClassFile:
    label: str
    path: Path  # absolute path to the .npy
    rel: str  # "source/class.npy", relative to the data dir (stable name for reports)


def discover(data_dir: str | Path) -> tuple[list[str], dict[str, list[ClassFile]]]:
    """Find all bitmap class files (recursive glob) and return (sorted labels, files per label).

    Sorted class names define the model's output order, so adding a class file
    and retraining needs no code change.
    """
    data_dir = Path(data_dir)
    files: dict[str, list[ClassFile]] = {}
    for p in sorted(data_dir.rglob("*.npy")):
        rel = p.relative_to(data_dir).as_posix()
        files.setdefault(p.stem, []).append(ClassFile(p.stem, p, rel))
    labels = sorted(files)
    if not labels:
        raise SystemExit(f"no *.npy class files under {data_dir}")
    return labels, files


def load_rows(path: str | Path) -> np.ndarray:
    """Load one bitmap file as uint8 (N, 784); sukumr files are (N, 1, 784)."""
    a = np.load(path)
    if a.dtype != np.uint8:
        raise ValueError(f"{path}: expected uint8, got {a.dtype}")
    return a.reshape(-1, 784)


def load_split(data_dir: str | Path):
    """Load everything, split per file into held-out (first HELDOUT_ROWS rows) and the rest.

    Returns (labels, heldout, rest) where heldout/rest are lists of
    (label_index, ClassFile, rows uint8 (n,784), first_row_index).
    """
    labels, files = discover(data_dir)
    heldout, rest = [], []
    for li, lab in enumerate(labels):
        for cf in files[lab]:
            rows = load_rows(cf.path)
            heldout.append((li, cf, rows[:HELDOUT_ROWS], 0))
            rest.append((li, cf, rows[HELDOUT_ROWS:], HELDOUT_ROWS))
    return labels, heldout, rest


def read_ndjson(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def exupery_drawings(data_dir: str | Path, words: list[str] | None = None) -> list[dict]:
    """All raw exupery drawings (sorted by file name, file order), optionally only the given words."""
    d = Path(data_dir) / EXUPERY_DIR
    out = []
    for p in sorted(d.glob("*.ndjson")):
        if words is not None and p.stem not in words:
            continue
        for rec in read_ndjson(p):
            out.append(rec)
    return out


def strokes_xy(drawing) -> list[list[list[float]]]:
    """Drop the time array from raw strokes: [[x...],[y...],[t...]] -> [[x...],[y...]]."""
    return [[list(s[0]), list(s[1])] for s in drawing]

"""Reference stroke -> 28x28 bitmap pipeline (what the Rust implementation must reproduce).

Two stages, as Google describes them for the Quick, Draw! data:

1. simplify(raw): the four steps quoted in the quickdraw-dataset README
   (googlecreativelab/quickdraw-dataset, README.md, "simplified drawing files"):
     a. align: subtract min x and min y over the whole drawing (so the minimum is 0);
     b. scale uniformly so the maximum coordinate is 255: s = 255 / max(max_x, max_y), s = 1 if that max is 0;
     c. resample every stroke at 1-pixel spacing along its polyline (first and last point kept);
     d. Ramer-Douglas-Peucker with epsilon 2.0 per stroke;
   then round to integers, because the published simplified data are integers.
   The README does not pin down (c)/(d)/rounding details; the exact choices made here are
   documented on each function so Rust can match them bit for bit.

2. rasterize(simplified): Google's `vector_to_raster` snippet from quickdraw-dataset issue #19
   (https://github.com/googlecreativelab/quickdraw-dataset/issues/19#issuecomment-402247262, which
   the dataset README links for the bitmap generation). Confirmed via the `search` tool: the issue
   exists with that title and the team's comment referencing it from issue #15; the snippet body
   (read from several public repositories that copy it, one citing that exact comment URL) has
   side=28, line_diameter=16, padding=16, original_side=256, total_padding=padding*2+line_diameter,
   new_scale=side/(original_side+total_padding), ctx.scale + ctx.translate(total_padding/2),
   ANTIALIAS_BEST, round cap/join, black paint, bbox = np.hstack(strokes).max(axis=1),
   offset = ((256,256) - bbox)/2, move_to(first) + line_to(every point incl. first), stroke() per
   stroke, output = every 4th byte of the ARGB32 surface. This file implements exactly that.
   raster_stats.py checks the result against the dataset's pixel statistics.
"""
from __future__ import annotations

import math

import cairo
import numpy as np

# ---- constants (source in comments)
SCALE_MAX = 255.0  # README step 2: "scale the drawing, to have a maximum value of 255"
RESAMPLE_SPACING = 1.0  # README step 3: "Resample all strokes with a 1 pixel spacing"
RDP_EPSILON = 2.0  # README step 4: "Ramer-Douglas-Peucker algorithm with an epsilon value of 2.0"
SIDE = 28  # issue #19 snippet default side=28 (the numpy_bitmap files are 28x28)
LINE_DIAMETER = 16.0  # issue #19 snippet: line_diameter=16 (in 256-space units)
PADDING = 16.0  # issue #19 snippet: padding=16
ORIGINAL_SIDE = 256.0  # issue #19 snippet: original_side = 256.


def _align_scale(strokes):
    xs = [x for s in strokes for x in s[0]]
    ys = [y for s in strokes for y in s[1]]
    minx, miny = min(xs), min(ys)
    m = max(max(xs) - minx, max(ys) - miny)
    # order of float operations matters for exact .5 ties: scale first, then (v - min) * scale
    scale = SCALE_MAX / m if m > 0 else 1.0
    return [([(x - minx) * scale for x in s[0]], [(y - miny) * scale for y in s[1]]) for s in strokes]


def resample(xs, ys, spacing=RESAMPLE_SPACING):
    """Points at arc length 0, spacing, 2*spacing, ... strictly below the stroke length L,
    then the exact last point. A stroke of length 0 (one point, or all points equal) gives
    just its first point. Each sample at distance d on segment i (cumulative start c_i, length l_i)
    is p_i + (p_{i+1} - p_i) * ((d - c_i) / l_i); zero-length segments are skipped.
    """
    pts = list(zip(xs, ys))
    if not pts:
        return []
    out = [pts[0]]
    d_next = spacing
    cum = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        if seg == 0.0:
            continue
        while d_next < cum + seg:
            t = (d_next - cum) / seg
            out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
            d_next += spacing
        cum += seg
    if cum > 0.0:
        out.append(pts[-1])
    return out


def _perp_dist(p, a, b):
    # distance from p to the infinite line through a and b (point distance if a == b)
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0.0 and dy == 0.0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    return abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / math.hypot(dx, dy)


def rdp(pts, eps=RDP_EPSILON):
    """Classic recursive Ramer-Douglas-Peucker: keep the point of maximum distance (first one on ties)
    if that distance is > eps (strictly), else keep only the end points. Iterative, to avoid deep recursion."""
    n = len(pts)
    if n < 3:
        return list(pts)
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        dmax, idx = -1.0, -1
        for k in range(i + 1, j):
            d = _perp_dist(pts[k], pts[i], pts[j])
            if d > dmax:
                dmax, idx = d, k
        if idx >= 0 and dmax > eps:
            keep[idx] = True
            stack.append((i, idx))
            stack.append((idx, j))
    return [p for p, k in zip(pts, keep) if k]


def _round(v: float) -> int:
    # Round half to EVEN (Python/numpy rounding; Rust: f64::round_ties_even), not half up. Measured:
    # exupery eye 5523990732865536 has exact ties (127.5, 42.5) and matches its dataset row pixel for
    # pixel only with ties-to-even (raster_stats.py, "exact matches" section).
    return int(round(v))


def simplify(raw) -> list[list[list[int]]]:
    """Raw strokes [[x...],[y...](,[t...])] -> simplified integer strokes [[x...],[y...]] in 0..255."""
    strokes = [(list(s[0]), list(s[1])) for s in raw if len(s[0]) > 0]
    if not strokes:
        return []
    out = []
    for xs, ys in _align_scale(strokes):
        pts = rdp(resample(xs, ys))
        if pts:
            out.append([[_round(p[0]) for p in pts], [_round(p[1]) for p in pts]])
    return out


def rasterize(simplified, side: int = SIDE, line_diameter: float = LINE_DIAMETER,
              padding: float = PADDING) -> np.ndarray:
    """Google's issue-#19 vector_to_raster for one drawing -> uint8 (side*side,), 0 background, 255 ink."""
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, side, side)
    ctx = cairo.Context(surface)
    ctx.set_antialias(cairo.ANTIALIAS_BEST)
    ctx.set_line_cap(cairo.LINE_CAP_ROUND)
    ctx.set_line_join(cairo.LINE_JOIN_ROUND)
    ctx.set_line_width(line_diameter)
    total_padding = padding * 2.0 + line_diameter
    new_scale = float(side) / float(ORIGINAL_SIDE + total_padding)
    ctx.scale(new_scale, new_scale)
    ctx.translate(total_padding / 2.0, total_padding / 2.0)
    ctx.set_source_rgb(0, 0, 0)
    ctx.paint()
    if simplified:
        vec = [np.asarray(s, dtype=np.float64) for s in simplified]
        bbox = np.hstack(vec).max(axis=1)  # max only: simplified drawings start at 0
        offset = ((ORIGINAL_SIDE - bbox) / 2.0).reshape(-1, 1)
        ctx.set_source_rgb(1, 1, 1)
        for s in vec:
            xv, yv = s + offset
            ctx.move_to(xv[0], yv[0])
            for x, y in zip(xv, yv):  # includes the first point again, as in the snippet
                ctx.line_to(x, y)
            ctx.stroke()
    surface.flush()
    buf = np.frombuffer(surface.get_data(), dtype=np.uint8).reshape(side, surface.get_stride())
    # every 4th byte = blue channel of little-endian premultiplied ARGB32 (white ink, so = grey value)
    return buf[:, : side * 4 : 4].copy().reshape(-1)


def raw_to_bitmap(raw) -> np.ndarray:
    return rasterize(simplify(raw))


if __name__ == "__main__":
    # quick look: render the first drawing of an ndjson file as ASCII art
    import json
    import sys

    with open(sys.argv[1], encoding="utf-8") as f:
        rec = json.loads(f.readline())
    bm = raw_to_bitmap(rec["drawing"]).reshape(SIDE, SIDE)
    print(rec["word"], rec["key_id"])
    for row in bm:
        print("".join(" .:-=+*#%@"[min(9, v * 10 // 256)] for v in row))

//! Strokes → the 28×28 bitmap the sketch model was trained on.
//!
//! The training bitmaps are Google's Quick, Draw! `numpy_bitmap` files. Google made them in two
//! steps, and this module reproduces both so that a visitor's strokes look exactly like the
//! training data:
//! 1. [`simplify`]: the quickdraw-dataset README's simplification (align to the top-left, scale
//!    uniformly to 0..=255, resample at 1 px, Ramer–Douglas–Peucker with ε = 2.0).
//! 2. [`rasterize`]: the cairo snippet the Quick Draw team posted in quickdraw-dataset issue #19
//!    (28×28, line diameter 16 and padding 16 in the 256 space, round caps and joins,
//!    anti-aliased, drawing centred on its bounding box).
//!
//! `models/train/reference_raster.py` is the Python reference of the same pipeline; the golden
//! tests in `tests/golden.rs` compare the two.

use crate::{Error, Result};
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke as Pen, Transform};

/// A stroke as drawn: points in any coordinate space (canvas pixels, raw dataset units…).
pub type Stroke = Vec<[f32; 2]>;

/// Side of the model input (Google's `numpy_bitmap` is 28×28).
pub const SIDE: usize = 28;
/// A 28×28 grayscale image, row-major, 0 = background, 255 = full ink (the `.npy` layout).
pub type Bitmap = [u8; SIDE * SIDE];

/// Simplified drawings span 0..=255 (quickdraw-dataset README, step 2: "maximum value of 255").
const SIMPLIFIED_MAX: f64 = 255.0;
/// Resampling spacing in the 256 space (README step 3: "1 pixel spacing").
const RESAMPLE_SPACING: f64 = 1.0;
/// Ramer–Douglas–Peucker tolerance (README step 4: "epsilon value of 2.0").
const RDP_EPSILON: f64 = 2.0;
/// Issue #19 snippet: `original_side = 256.`
const ORIGINAL_SIDE: f32 = 256.0;
/// Issue #19 snippet: `line_diameter=16` (in the 256 space).
const LINE_DIAMETER: f32 = 16.0;
/// Issue #19 snippet: `padding=16`; total padding is `padding * 2 + line_diameter`.
const PADDING: f32 = 16.0;
/// Refuse drawings with more points than any person draws, so a scripted flood cannot stall
/// the worker.
pub const MAX_POINTS: usize = 100_000;

/// Google's simplification of a raw drawing (quickdraw-dataset README, steps 1–4), with
/// coordinates rounded to integers as in the published simplified data. Empty strokes and
/// non-finite points are dropped.
///
/// Computed in f64 and rounded half-to-even, like the numpy reference: exact .5 ties occur
/// (exupery eye 5523990732865536 has 127.5 and 42.5) and only this rounding reproduces the
/// dataset's bitmap for them. Each step mirrors `models/train/reference_raster.py`.
pub fn simplify(strokes: &[Stroke]) -> Result<Vec<Stroke>> {
    let total: usize = strokes.iter().map(Vec::len).sum();
    if total > MAX_POINTS {
        return Err(Error::BadInput(format!("the drawing has {total} points; the limit is {MAX_POINTS}")));
    }
    let strokes: Vec<Vec<[f64; 2]>> = strokes
        .iter()
        .map(|s| {
            s.iter()
                .filter(|p| p[0].is_finite() && p[1].is_finite())
                .map(|p| [f64::from(p[0]), f64::from(p[1])])
                .collect::<Vec<_>>()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let all = || strokes.iter().flatten();
    let (Some(min_x), Some(min_y)) =
        (all().map(|p| p[0]).min_by(f64::total_cmp), all().map(|p| p[1]).min_by(f64::total_cmp))
    else {
        return Err(Error::EmptyDrawing);
    };
    let extent = all().map(|p| (p[0] - min_x).max(p[1] - min_y)).fold(0.0, f64::max);
    let scale = if extent > 0.0 { SIMPLIFIED_MAX / extent } else { 1.0 };
    Ok(strokes
        .iter()
        .map(|s| {
            let aligned: Vec<[f64; 2]> =
                s.iter().map(|p| [(p[0] - min_x) * scale, (p[1] - min_y) * scale]).collect();
            rdp(&resample(&aligned, RESAMPLE_SPACING), RDP_EPSILON)
                .into_iter()
                .map(|p| [p[0].round_ties_even() as f32, p[1].round_ties_even() as f32])
                .collect()
        })
        .collect())
}

/// Points at every `spacing` of arc length along the polyline (measured from its start, across
/// its vertices), plus both ends. Zero-length segments are skipped; a stroke that never moves
/// stays one point.
fn resample(stroke: &[[f64; 2]], spacing: f64) -> Vec<[f64; 2]> {
    let mut out = vec![stroke[0]];
    let (mut next, mut walked) = (spacing, 0.0);
    for pair in stroke.windows(2) {
        let ([x0, y0], [x1, y1]) = (pair[0], pair[1]);
        let length = (x1 - x0).hypot(y1 - y0);
        if length == 0.0 {
            continue;
        }
        while next < walked + length {
            let t = (next - walked) / length;
            out.push([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]);
            next += spacing;
        }
        walked += length;
    }
    if walked > 0.0 {
        out.push(stroke[stroke.len() - 1]);
    }
    out
}

/// Ramer–Douglas–Peucker: keep the farthest point (the first on ties) when it is strictly
/// farther than `epsilon`. Hand-written (30 lines) rather than pulling in `geo` and its
/// dependency tree for one function; iterative, so long strokes cannot overflow the stack.
fn rdp(points: &[[f64; 2]], epsilon: f64) -> Vec<[f64; 2]> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut spans = vec![(0, points.len() - 1)];
    while let Some((first, last)) = spans.pop() {
        let (mut farthest, mut max_distance) = (None, -1.0);
        for (i, &p) in points.iter().enumerate().take(last).skip(first + 1) {
            let d = distance_to_line(p, points[first], points[last]);
            if d > max_distance {
                (farthest, max_distance) = (Some(i), d);
            }
        }
        if let Some(i) = farthest.filter(|_| max_distance > epsilon) {
            keep[i] = true;
            spans.push((first, i));
            spans.push((i, last));
        }
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

/// Distance from `p` to the infinite line through `a` and `b` (to `a` itself when a == b),
/// written as the reference writes it so that ties break the same way.
fn distance_to_line(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    if dx == 0.0 && dy == 0.0 {
        return (p[0] - a[0]).hypot(p[1] - a[1]);
    }
    (dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]).abs() / dx.hypot(dy)
}

/// Renders simplified strokes (0..=255 space) the way Google rendered the training bitmaps.
/// Uses tiny-skia, a maintained pure-Rust port of Skia's anti-aliased rasterizer, in place of
/// cairo (a C library that does not build for wasm32).
pub fn rasterize(simplified: &[Stroke]) -> Bitmap {
    let mut bitmap = [0u8; SIDE * SIDE];
    bitmap.copy_from_slice(&rasterize_at(simplified, SIDE as u32));
    bitmap
}

/// [`rasterize`] at any side (≥ 1): the same drawing, padding and line width relative to the
/// image, so a model trained on bigger Quick Draw renders sees its own proportions. Row-major
/// grey levels, `side` × `side`, 0 = background, 255 = full ink.
pub fn rasterize_at(simplified: &[Stroke], side: u32) -> Vec<u8> {
    let side = side.max(1);
    let mut pixmap = Pixmap::new(side, side).expect("a side ≥ 1 is a valid size");
    pixmap.fill(tiny_skia::Color::BLACK);
    let all = || simplified.iter().flatten();
    let max_x = all().map(|p| p[0]).fold(0.0, f32::max);
    let max_y = all().map(|p| p[1]).fold(0.0, f32::max);
    // Centre the drawing on its bounding box, then shrink the padded 256 space to `side` px.
    let offset = [(ORIGINAL_SIDE - max_x) / 2.0, (ORIGINAL_SIDE - max_y) / 2.0];
    let total_padding = PADDING * 2.0 + LINE_DIAMETER;
    let scale = side as f32 / (ORIGINAL_SIDE + total_padding);
    let shift = total_padding / 2.0;
    let transform =
        Transform::from_row(scale, 0.0, 0.0, scale, scale * (shift + offset[0]), scale * (shift + offset[1]));
    let mut paint = Paint::default();
    paint.set_color(tiny_skia::Color::WHITE);
    paint.anti_alias = true;
    let pen =
        Pen { width: LINE_DIAMETER, line_cap: LineCap::Round, line_join: LineJoin::Round, ..Pen::default() };
    for stroke in simplified.iter().filter(|s| !s.is_empty()) {
        if stroke.iter().all(|p| *p == stroke[0]) {
            // cairo draws a zero-length round-capped segment as a dot of the line's diameter.
            if let Some(dot) = PathBuilder::from_circle(stroke[0][0], stroke[0][1], LINE_DIAMETER / 2.0) {
                pixmap.fill_path(&dot, &paint, FillRule::Winding, transform, None);
            }
            continue;
        }
        let mut path = PathBuilder::new();
        path.move_to(stroke[0][0], stroke[0][1]);
        for p in &stroke[1..] {
            path.line_to(p[0], p[1]);
        }
        if let Some(path) = path.finish() {
            pixmap.stroke_path(&path, &paint, &pen, transform, None);
        }
    }
    // Opaque white on opaque black: the red channel is the grey level.
    pixmap.pixels().iter().map(|px| px.red()).collect()
}

/// Raw strokes → bitmap: the whole path a visitor's drawing takes.
pub fn strokes_to_bitmap(strokes: &[Stroke]) -> Result<Bitmap> {
    Ok(rasterize(&simplify(strokes)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ink(b: &Bitmap) -> usize {
        b.iter().filter(|&&v| v > 0).count()
    }

    #[test]
    fn empty_drawing_is_an_error_not_a_panic() {
        assert!(matches!(simplify(&[]), Err(Error::EmptyDrawing)));
        assert!(matches!(simplify(&[vec![], vec![]]), Err(Error::EmptyDrawing)));
        assert!(matches!(simplify(&[vec![[f32::NAN, 1.0]]]), Err(Error::EmptyDrawing)));
    }

    #[test]
    fn simplify_aligns_and_scales_to_255_rounding_ties_to_even() {
        let s = simplify(&[vec![[100.0, 50.0], [300.0, 50.0]]]).unwrap();
        assert_eq!(s, vec![vec![[0.0, 0.0], [255.0, 0.0]]]);
        // Exact ties: 1 × 255/6 = 42.5 → 42 and 1 × 255/2 = 127.5 → 128 (half to even).
        assert_eq!(simplify(&[vec![[0.0, 0.0], [6.0, 1.0]]]).unwrap()[0][1], [255.0, 42.0]);
        assert_eq!(simplify(&[vec![[0.0, 0.0], [2.0, 1.0]]]).unwrap()[0][1], [255.0, 128.0]);
    }

    #[test]
    fn rdp_drops_collinear_points_and_keeps_corners() {
        let line: Vec<[f64; 2]> = (0..=10).map(|i| [i as f64 * 10.0, 0.0]).collect();
        assert_eq!(rdp(&line, 2.0), vec![[0.0, 0.0], [100.0, 0.0]]);
        let corner = vec![[0.0, 0.0], [50.0, 0.0], [100.0, 0.0], [100.0, 50.0], [100.0, 100.0]];
        assert_eq!(rdp(&corner, 2.0), vec![[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]]);
    }

    #[test]
    fn resample_spaces_points_one_unit_apart() {
        let r = resample(&[[0.0, 0.0], [3.5, 0.0], [3.5, 2.0]], 1.0);
        assert_eq!(r.first(), Some(&[0.0, 0.0]));
        assert_eq!(r.last(), Some(&[3.5, 2.0]));
        for pair in r.windows(2).take(r.len() - 2) {
            let d = (pair[1][0] - pair[0][0]).hypot(pair[1][1] - pair[0][1]);
            assert!((0.7..=1.0001).contains(&d), "spacing {d}");
        }
    }

    #[test]
    fn a_single_tap_draws_a_dot() {
        let b = strokes_to_bitmap(&[vec![[5.0, 5.0]]]).unwrap();
        assert!(ink(&b) > 0 && ink(&b) < 16, "dot ink {}", ink(&b));
    }

    #[test]
    fn horizontal_line_is_centred_and_spans_the_padded_width() {
        let b = strokes_to_bitmap(&[vec![[0.0, 0.0], [10.0, 0.0]]]).unwrap();
        let rows: Vec<usize> =
            (0..SIDE).filter(|r| b[r * SIDE..(r + 1) * SIDE].iter().any(|&v| v > 0)).collect();
        // Line diameter 16/304*28 ≈ 1.5 px, centred vertically on row 13.5.
        assert!(rows.len() <= 3 && rows.contains(&13) && rows.contains(&14), "{rows:?}");
        let row = &b[13 * SIDE..14 * SIDE];
        let cols: Vec<usize> = (0..SIDE).filter(|&c| row[c] > 0).collect();
        // From (24-8)/304*28 ≈ 1.5 to (24+255+8)/304*28 ≈ 26.4.
        assert_eq!((cols[0], *cols.last().unwrap()), (1, 26));
    }

    #[test]
    fn scale_and_translation_do_not_change_the_bitmap() {
        let house: Vec<Stroke> = vec![
            vec![[0.0, 40.0], [0.0, 100.0], [80.0, 100.0], [80.0, 40.0], [0.0, 40.0]],
            vec![[0.0, 40.0], [40.0, 0.0], [80.0, 40.0]],
        ];
        let moved: Vec<Stroke> = house
            .iter()
            .map(|s| s.iter().map(|p| [p[0] * 3.0 + 500.0, p[1] * 3.0 + 7.0]).collect())
            .collect();
        assert_eq!(strokes_to_bitmap(&house).unwrap(), strokes_to_bitmap(&moved).unwrap());
    }

    #[test]
    fn too_many_points_is_refused() {
        let flood = vec![vec![[0.0, 0.0]; MAX_POINTS + 1]];
        assert!(matches!(simplify(&flood), Err(Error::BadInput(_))));
    }
}

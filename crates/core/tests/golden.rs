//! Golden tests of the stroke pipeline against the Python reference
//! (`models/train/reference_raster.py`, cairo with Google's issue-#19 constants) and against
//! Google's own bitmaps. Fixtures: `tests/golden/*.json`, written by
//! `models/train/make_golden.py`; they hold derived outputs only, and the raw strokes and
//! dataset rows are read from the Quick Draw data folder.

mod common;

use playground_core::engine::Engine;
use playground_core::sketch::{rasterize, simplify, Stroke};
use serde_json::Value;

fn fixture(name: &str) -> Vec<Value> {
    let path = common::repo().join("crates/core/tests/golden").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn strokes_of(v: &Value) -> Vec<Stroke> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (xs, ys) = (s[0].as_array().unwrap(), s[1].as_array().unwrap());
            xs.iter().zip(ys).map(|(x, y)| [x.as_f64().unwrap() as f32, y.as_f64().unwrap() as f32]).collect()
        })
        .collect()
}

fn bytes_of(v: &Value) -> Vec<u8> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u8).collect()
}

/// The bitmap a case must reproduce: Google's row when the reference matched one exactly,
/// else the reference render.
fn expected_bitmap(case: &Value) -> Vec<u8> {
    match &case["dataset_match"] {
        Value::Object(m) => {
            let path = common::quickdraw().join(m["file"].as_str().unwrap());
            common::npy_rows(&path)[m["row"].as_u64().unwrap() as usize].clone()
        }
        _ => bytes_of(&case["reference_bitmap"]),
    }
}

/// (mean absolute difference, max difference, pixels differing by more than 32).
fn diff(a: &[u8], b: &[u8]) -> (f64, u8, usize) {
    let d: Vec<u8> = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).collect();
    let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / d.len() as f64;
    (mean, *d.iter().max().unwrap(), d.iter().filter(|&&v| v > 32).count())
}

fn raw_strokes(case: &Value) -> Vec<Stroke> {
    let (word, key) = (case["word"].as_str().unwrap(), case["key_id"].as_str().unwrap());
    common::stroke_drawings(word)
        .into_iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("{word} {key}"))
        .1
}

#[test]
fn simplification_matches_the_reference_exactly() {
    for case in fixture("sketch_raster.json") {
        let ours = simplify(&raw_strokes(&case)).unwrap();
        assert_eq!(ours, strokes_of(&case["simplified"]), "{} {}", case["word"], case["key_id"]);
    }
}

/// tiny-skia and cairo anti-alias slightly differently, so the comparison has a tolerance;
/// a drawing misplaced by one pixel exceeds it (next test).
#[test]
fn rasterization_matches_google_and_the_reference() {
    let (mut worst_mean, mut total_mean, mut n) = (0.0f64, 0.0, 0);
    for case in fixture("sketch_raster.json") {
        let ours = rasterize(&strokes_of(&case["simplified"]));
        let (mean, _max, big) = diff(&ours, &expected_bitmap(&case));
        let label = format!("{} {}", case["word"], case["key_id"]);
        assert!(mean < 4.0, "{label}: mean |Δ| {mean:.2} grey levels");
        assert!(big <= 12, "{label}: {big} pixels differ by more than 32 grey levels");
        worst_mean = worst_mean.max(mean);
        total_mean += mean;
        n += 1;
    }
    let average = total_mean / n as f64;
    eprintln!("rasterization vs reference: average mean |Δ| {average:.3}, worst {worst_mean:.3} grey levels, {n} drawings");
    assert!(average < 2.0, "average mean |Δ| {average:.2} (worst {worst_mean:.2}) over {n} drawings");
}

#[test]
fn a_wrong_line_width_or_shift_would_be_caught() {
    let case = fixture("sketch_raster.json").into_iter().find(|c| c["dataset_match"].is_object()).unwrap();
    let expected = expected_bitmap(&case);
    let simplified = strokes_of(&case["simplified"]);
    let shifted: Vec<Stroke> =
        simplified.iter().map(|s| s.iter().map(|p| [p[0] + 11.0, p[1]]).collect()).collect();
    let (mean, _, _) = diff(&rasterize(&shifted), &expected);
    assert!(mean >= 4.0, "a one-pixel shift went unnoticed (mean |Δ| {mean:.2})");
}

#[test]
fn held_out_rows_get_the_same_label_and_logits_as_pytorch() {
    let mut engine = Engine::new();
    let repo = common::repo();
    let labels = std::fs::read_to_string(repo.join("models/sketch/labels.txt")).unwrap();
    engine
        .install("sketch", &std::fs::read(repo.join("models/sketch/model.onnx")).unwrap(), &labels)
        .unwrap();
    let model = engine.get("sketch").unwrap();
    for case in fixture("heldout_bitmaps.json") {
        let path = common::quickdraw().join(case["file"].as_str().unwrap());
        let row = case["row"].as_u64().unwrap() as usize;
        assert!(row < 100, "golden rows must come from the held-out split");
        let bitmap = &common::npy_rows(&path)[row];
        let logits = model.run(&model.pixels().unwrap().prepared(bitmap.to_vec()).tensor).unwrap();
        let reference: Vec<f32> =
            case["logits"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        for (ours, theirs) in logits.iter().zip(&reference) {
            assert!((ours - theirs).abs() < 1e-3, "{}: logit {ours} vs {theirs}", case["label"]);
        }
        let top = engine.classify_bitmap("sketch", bitmap, 1).unwrap();
        assert_eq!(top[0].label, case["label"].as_str().unwrap(), "{}", path.display());
    }
}

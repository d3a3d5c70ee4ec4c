//! Every shipped model against the registry and real data: it loads, its labels match its
//! outputs, and it classifies held-out Quick Draw drawings (never trained on) correctly.

mod common;

use playground_core::engine::Engine;
use playground_core::input::{Elem, InputFact, InputKind};
use playground_core::postprocess::Answer;
use playground_core::registry::{Task, MODELS};
use playground_core::session::Session;
use playground_core::Error;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(common::repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn install(engine: &mut Engine, id: &str) {
    let labels = String::from_utf8(read(&format!("models/{id}/labels.txt"))).unwrap();
    engine.install(id, &read(&format!("models/{id}/model.onnx")), &labels).unwrap();
}

fn sketch_engine() -> Engine {
    let mut engine = Engine::new();
    install(&mut engine, "sketch");
    engine
}

/// The sketch page once both its models are in: ours, widened by DoodleNet.
fn widened_engine() -> Engine {
    let mut engine = sketch_engine();
    install(&mut engine, "doodlenet");
    engine
}

trait AnswerSketch {
    fn answer_sketch(&self, id: &str, strokes: &[Vec<[f32; 2]>]) -> Answer;
}

impl AnswerSketch for Engine {
    fn answer_sketch(&self, id: &str, strokes: &[Vec<[f32; 2]>]) -> Answer {
        let input = playground_core::input::ModelInput::Strokes(strokes.to_vec());
        self.answer(id, &self.prepare(id, &input).unwrap().tensor, 5).unwrap()
    }
}

#[test]
fn every_registry_model_loads_and_its_labels_match_its_outputs() {
    for spec in MODELS {
        let labels = spec.labels_path().map(|p| String::from_utf8(read(&p)).unwrap()).unwrap_or_default();
        let mut engine = Engine::new();
        let model = engine
            .install(spec.id, &read(&spec.model_path()), &labels)
            .unwrap_or_else(|e| panic!("model {}: {e}", spec.id));
        // A character model answers at every position of its window; a denoiser names nothing.
        let positions = match model.input {
            InputKind::Pixels(_) | InputKind::Tokens(_) => 1,
            InputKind::Chars(chars) => chars.window,
            InputKind::Tiles(tiles) => {
                assert_eq!(
                    model.output_len(),
                    tiles.tile * tiles.tile,
                    "model {}: one cleaned tile",
                    spec.id
                );
                continue;
            }
        };
        assert_eq!(model.labels.len() * positions, model.output_len(), "model {}", spec.id);
    }
    // Budgets from the issues, checked raw here (which bounds the gzip size too): the photo model
    // ≤ 10 MB; every model the sketch page loads (ours and its wider model) ≤ 1.5 MB together.
    let size =
        |id: &str| std::fs::metadata(common::repo().join(format!("models/{id}/model.onnx"))).unwrap().len();
    assert!(size("photo") <= 10 << 20, "photo model: {} bytes", size("photo"));
    // The text model: issue 17's budget, ≤ 5 MB.
    assert!(size("shakespeare") <= 5_000_000, "text model: {} bytes", size("shakespeare"));
    // The sentiment model: the int8 encoder as shipped (22.9 MB), fetched only by its page.
    assert!(size("sentiment") <= 24_000_000, "sentiment model: {} bytes", size("sentiment"));
    let sketch_page = size("sketch") + size("doodlenet");
    assert!(sketch_page <= 1_500_000, "the sketch page's models: {sketch_page} bytes");
}

#[test]
fn sketch_labels_are_the_dataset_classes() {
    let engine = sketch_engine();
    let mut classes: Vec<String> = common::class_files().into_iter().map(|(c, _)| c).collect();
    classes.dedup();
    assert_eq!(engine.get("sketch").unwrap().labels, classes);
    assert!(matches!(MODELS.iter().find(|m| m.id == "sketch").unwrap().task, Task::Sketch));
}

/// Top-1 and top-3 hits of `engine`'s model `id` on the binding evaluation split (rows 0..100
/// of every class file), per class.
fn held_out_hits(engine: &Engine, id: &str) -> std::collections::BTreeMap<String, [usize; 3]> {
    let mut per_class = std::collections::BTreeMap::<String, [usize; 3]>::new();
    for (class, path) in common::class_files() {
        let hits = per_class.entry(class.clone()).or_default();
        for bitmap in common::npy_rows(&path).iter().take(100) {
            let top = engine.classify_bitmap(id, bitmap, 3).unwrap();
            hits[0] += usize::from(top[0].label == class);
            hits[1] += usize::from(top.iter().any(|g| g.label == class));
            hits[2] += 1;
        }
    }
    per_class
}

/// The binding evaluation split. The goal (top-1 ≥ 90%, top-3 ≥ 97%, no class below
/// 70%) is not reached by the shipped 64-class model (88.9% / 96.1%; octagon 67% under 70%:
/// MODEL.md); these floors are its own level, so a worse retrain or a broken input path fails
/// here. Raise them with the model. (The lowest class and the count under 70% are guarded both:
/// a retrain has traded one for the other before.)
const HELD_OUT_TOP1: f64 = 0.888;
const HELD_OUT_TOP3: f64 = 0.96;
const HELD_OUT_CLASS_TOP1_PERCENT: usize = 67;
const HELD_OUT_CLASSES_UNDER_70: usize = 1;

#[test]
fn held_out_bitmaps_are_classified_correctly() {
    let per_class = held_out_hits(&sketch_engine(), "sketch");
    let [top1, top3, total] = per_class.values().fold([0; 3], |a, h| [a[0] + h[0], a[1] + h[1], a[2] + h[2]]);
    for (class, [right, _, n]) in &per_class {
        assert!(
            100 * right >= HELD_OUT_CLASS_TOP1_PERCENT * n,
            "{class}: only {right}/{n} held-out drawings right"
        );
    }
    let under_70: Vec<&String> =
        per_class.iter().filter(|(_, [right, _, n])| 100 * right < 70 * n).map(|(c, _)| c).collect();
    assert!(under_70.len() <= HELD_OUT_CLASSES_UNDER_70, "under 70% held-out top-1: {under_70:?}");
    let (top1, top3) = (top1 as f64 / total as f64, top3 as f64 / total as f64);
    assert!(
        top1 >= HELD_OUT_TOP1 && top3 >= HELD_OUT_TOP3,
        "held-out top-1 {top1:.3}, top-3 {top3:.3} over {total} drawings"
    );
    assert_as_measured("heldout", top1, top3, total);
}

/// The figures this build computes are the ones `models/train/evaluate.py` measured with the
/// native CLI (`models/sketch/eval.json`, the figures MODEL.md and the README quote), within 0.1
/// point. `scripts/test.sh` also runs this file under wasm32 + simd128 in Node, where the
/// browser's Winograd convolutions replace tract's: so the browser's answers are the native ones,
/// and eval.json cannot go stale against the committed model.
fn assert_as_measured(split: &str, top1: f64, top3: f64, n: usize) {
    let eval: serde_json::Value = serde_json::from_slice(&read("models/sketch/eval.json")).unwrap();
    let measured = &eval[split];
    eprintln!(
        "{split} on {}: top-1 {:.2}%, top-3 {:.2}% of {n} (eval.json: {:.2}%, {:.2}%)",
        std::env::consts::ARCH,
        100.0 * top1,
        100.0 * top3,
        100.0 * measured["top1"].as_f64().unwrap(),
        100.0 * measured["top3"].as_f64().unwrap()
    );
    assert_eq!(measured["n"].as_u64(), Some(n as u64), "{split}: eval.json counts other drawings");
    for (name, got) in [("top1", top1), ("top3", top3)] {
        let want = measured[name].as_f64().unwrap();
        assert!((got - want).abs() <= 0.001, "{split} {name}: {got:.4} here, {want:.4} in eval.json");
    }
}

/// Widened by DoodleNet (what the page shows once both are in), the order among our classes is
/// our model's: restricted to them, the widened answer is ours alone (MODEL.md: "Beside DoodleNet").
#[test]
fn widening_keeps_our_order_among_our_classes() {
    let (alone, widened) = (sketch_engine(), widened_engine());
    let ours = alone.get("sketch").unwrap().labels.clone();
    let restricted = |engine: &Engine, bitmap: &[u8]| -> Vec<String> {
        let all = engine.classify_bitmap("sketch", bitmap, 1000).unwrap();
        all.into_iter().map(|g| g.label).filter(|l| ours.contains(l)).take(3).collect()
    };
    for (_, path) in common::class_files() {
        for bitmap in common::npy_rows(&path).iter().take(10) {
            assert_eq!(restricted(&widened, bitmap), restricted(&alone, bitmap), "{}", path.display());
        }
    }
}

/// Real strokes of classes outside ours (exupery; Google's raw drawings) are named by the
/// widened answer: the label in the top 5.
#[test]
fn drawings_outside_our_classes_get_their_label_in_the_top_5() {
    let engine = widened_engine();
    let ours = engine.get("sketch").unwrap().labels.clone();
    let wide = engine.get("doodlenet").unwrap().labels.clone();
    let (mut hits, mut total) = (0, 0);
    for entry in std::fs::read_dir(common::quickdraw().join("borismus__exupery")).unwrap() {
        let word = entry.unwrap().path().file_stem().unwrap().to_string_lossy().into_owned();
        if ours.contains(&word) || !wide.contains(&word) {
            continue;
        }
        for (_, strokes) in common::stroke_drawings(&word) {
            let top = engine.classify_sketch("sketch", &strokes, 5).unwrap();
            hits += usize::from(top.iter().any(|g| g.label == word));
            total += 1;
        }
    }
    assert!(total >= 1000, "only {total} stroke drawings outside our classes");
    let rate = hits as f64 / total as f64;
    assert!(rate >= 0.85, "outside our classes: label in the top 5 for {hits}/{total}");
}

/// The registry's widening temperature and "not sure" rules are the ones models/train/compare.py
/// chose (compare.json, whose tables MODEL.md quotes), so that the page answers and flags what
/// MODEL.md says it does.
#[test]
fn widening_and_not_sure_are_the_ones_compare_chose() {
    let compare: serde_json::Value = serde_json::from_slice(&read("models/sketch/compare.json")).unwrap();
    let sketch = playground_core::registry::find("sketch").unwrap();
    let chosen = |v: &serde_json::Value| v.as_f64().expect("a chosen threshold") as f32;
    assert_eq!(sketch.not_sure_above, Some(chosen(&compare["not_sure"]["alone"]["threshold"])));
    let page = &compare["not_sure"]["page"];
    let weights: Vec<f32> = page["weights"].as_array().expect("weights").iter().map(chosen).collect();
    let widening = sketch.widened_by.unwrap();
    assert_eq!(widening.temperature, chosen(&compare["temperature"]["chosen"]));
    let rule = widening.not_sure;
    assert_eq!((rule.weights.to_vec(), rule.above), (weights, chosen(&page["threshold"])));
}

/// Random scribbles (seeded: jagged strokes through random points) are "not sure", alone and
/// widened; a real drawing is not, nor one outside our classes that DoodleNet names surely. (A
/// lone short stroke is not: scaled to fill the frame as Google's pipeline does, it is a
/// confident "line".) At the registry's rules 105 of these 200 were flagged alone and 137
/// widened (compare.py's scribbles: MODEL.md); the floors guard that level.
#[test]
fn scribbles_are_not_sure() {
    let mut seed = 7u64;
    let mut random = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 11) as f32 / (1u64 << 53) as f32
    };
    let scribbles: Vec<Vec<Vec<[f32; 2]>>> = (0..200)
        .map(|_| {
            (0..1 + (random() * 3.0) as usize)
                .map(|_| {
                    (0..3 + (random() * 10.0) as usize)
                        .map(|_| [random() * 400.0, random() * 400.0])
                        .collect()
                })
                .collect()
        })
        .collect();
    for (engine, name, floor) in [(sketch_engine(), "alone", 97), (widened_engine(), "widened", 128)] {
        let flagged = scribbles.iter().filter(|s| engine.answer_sketch("sketch", s).not_sure).count();
        println!("{name}: {flagged}/200 random scribbles flagged not sure");
        assert!(flagged >= floor, "{name}: only {flagged}/200 random scribbles flagged not sure");
        let (_, house) = common::stroke_drawings("house").into_iter().next().unwrap();
        let answer = engine.answer_sketch("sketch", &house);
        assert!(!answer.not_sure && answer.top[0].label == "house", "{answer:?}");
    }
    let axe =
        common::stroke_drawings("axe").into_iter().find(|(key, _)| key == "5972944759029760").unwrap().1;
    let answer = widened_engine().answer_sketch("sketch", &axe);
    assert!(!answer.not_sure && answer.top[0].label == "axe", "{answer:?}");
}

/// Real strokes through the browser's path (simplify → rasterize → model).
#[test]
fn real_stroke_drawings_get_their_label_in_the_top_3() {
    let engine = sketch_engine();
    let labels = engine.get("sketch").unwrap().labels.clone();
    let (mut top1, mut hits, mut total) = (0, 0, 0);
    for word in &labels {
        let path = common::quickdraw().join("borismus__exupery").join(format!("{word}.ndjson"));
        if !path.exists() {
            continue;
        }
        for (_, strokes) in common::stroke_drawings(word) {
            let top = engine.classify_sketch("sketch", &strokes, 3).unwrap();
            top1 += usize::from(&top[0].label == word);
            hits += usize::from(top.iter().any(|g| &g.label == word));
            total += 1;
        }
    }
    assert!(total >= 100, "only {total} stroke drawings found");
    let rate = hits as f64 / total as f64;
    assert!(rate >= 0.90, "real strokes: label in top 3 for {hits}/{total}");
    assert_as_measured("strokes", top1 as f64 / total as f64, rate, total);
}

#[test]
fn bad_models_are_clear_errors() {
    let onnx = read("models/sketch/model.onnx");
    let fact = |shape: &[usize]| [InputFact { shape: shape.to_vec(), elem: Elem::F32 }];
    let parse = |bytes: &[u8]| Session::from_onnx(bytes, &fact(&[1, 1, 28, 28])).err().expect("must fail");
    assert!(matches!(parse(b"definitely not a protobuf"), Error::ModelParse(_)));
    assert!(matches!(parse(&[]), Error::ModelParse(_) | Error::ModelShape(_)));
    assert!(matches!(parse(&onnx[..onnx.len() / 2]), Error::ModelParse(_)));
    let wrong_shape = Session::from_onnx(&onnx, &fact(&[1, 3, 224, 224])).err().expect("must fail");
    assert!(matches!(wrong_shape, Error::ModelShape(_)), "{wrong_shape}");
    let mut engine = Engine::new();
    let mismatch = engine.install("sketch", &onnx, "cat\ndog\n").err().expect("must fail");
    assert!(matches!(mismatch, Error::LabelMismatch { labels: 2, .. }), "{mismatch}");
    assert!(matches!(engine.classify_bitmap("sketch", &[0; 784], 5), Err(Error::ModelNotLoaded)));
}

#[test]
fn empty_canvas_is_an_error_not_a_guess() {
    let engine = sketch_engine();
    assert!(matches!(engine.classify_sketch("sketch", &[], 5), Err(Error::EmptyDrawing)));
    assert!(matches!(engine.classify_sketch("sketch", &[vec![]], 5), Err(Error::EmptyDrawing)));
}

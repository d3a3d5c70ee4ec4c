//! "Bring your own model": each fixture of `tests/models/` (written by make_models.py) gives
//! its expected card or its expected clear error; the shipped models' cards; and the custom
//! path on the shipped sketch model agrees with the engine.

mod common;

use playground_core::engine::Engine;
use playground_core::input::{ChannelOrder, InputSpec, Layout, ModelInput, Prepared, Scale};
use playground_core::inspect::{
    check_model_size, inspect, Dim, ImageGuess, ModelCard, TensorInfo, MAX_MODEL_BYTES,
};
use playground_core::model::Model;
use playground_core::postprocess::{Scores, TOP_K};
use playground_core::Error;
use prost::Message;
use tract_onnx::pb;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(common::repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn fixture(name: &str) -> Vec<u8> {
    read(&format!("crates/core/tests/models/{name}"))
}

fn card(name: &str) -> ModelCard {
    inspect(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The error message of inspecting `bytes`, which must be `Error::NotOnnx`.
fn not_onnx(bytes: &[u8]) -> String {
    match inspect(bytes) {
        Err(e @ Error::NotOnnx(_)) => e.to_string(),
        other => panic!("expected NotOnnx, got {other:?}"),
    }
}

fn fixed(dims: &[u64]) -> Option<Vec<Dim>> {
    Some(dims.iter().map(|&d| Dim::Fixed(d)).collect())
}

fn ops(card: &ModelCard) -> Vec<(&str, u64)> {
    card.ops.iter().map(|o| (o.op_type.as_str(), o.count)).collect()
}

fn prepare_strokes(model: &Model, strokes: &[Vec<[f32; 2]>]) -> playground_core::Result<Prepared> {
    model.prepare(&ModelInput::Strokes(strokes.to_vec()))
}

fn prepare_photo(model: &Model, bytes: &[u8]) -> playground_core::Result<Prepared> {
    model.prepare(&ModelInput::Photo(bytes.to_vec()))
}

/// A person's model answering a prepared input, as the worker's engine does (unwidened).
fn answer(model: &Model, tensor: &[f32]) -> playground_core::Result<playground_core::postprocess::Answer> {
    Ok(model.answer_from(model.run(tensor)?, TOP_K).0)
}

fn load_err(bytes: &[u8], spec: InputSpec, labels: Option<&str>) -> Error {
    Model::from_onnx_file(bytes, spec, labels).err().expect("load must fail")
}

#[test]
fn size_limit_is_checked_from_the_size_alone() {
    let e = check_model_size(500 << 20).unwrap_err().to_string();
    assert_eq!(e, "the model file is 500 MB; the limit is 200 MB");
    assert!(check_model_size(MAX_MODEL_BYTES).is_ok());
    // Just over the limit never reads as equal to it.
    assert!(check_model_size(MAX_MODEL_BYTES + 1).unwrap_err().to_string().contains("200.1 MB"));
    assert!(check_model_size(0).unwrap_err().to_string().contains("empty"));
}

#[test]
fn nchw_fixture_card() {
    let bytes = fixture("nchw_conv.onnx");
    let card = inspect(&bytes).unwrap();
    assert_eq!(card.file_bytes, bytes.len() as u64);
    assert_eq!(
        (card.ir_version, card.producer_name.as_str(), card.producer_version.as_str()),
        (8, "make_models.py", "1")
    );
    assert_eq!(card.opsets.len(), 1);
    assert_eq!((card.opsets[0].domain.as_str(), card.opsets[0].version), ("", 13));
    assert_eq!(
        card.inputs,
        [TensorInfo { name: "image".into(), elem_type: "f32".into(), shape: fixed(&[1, 1, 28, 28]) }]
    );
    assert_eq!(
        card.outputs,
        [TensorInfo { name: "probabilities".into(), elem_type: "f32".into(), shape: fixed(&[1, 10]) }]
    );
    // Equal counts: sorted by name.
    assert_eq!(
        ops(&card),
        [("Conv", 1), ("Flatten", 1), ("Gemm", 1), ("MaxPool", 1), ("Relu", 1), ("Softmax", 1)]
    );
    assert_eq!(card.node_count, 6);
    // conv 4×1×3×3 + 4, fc 10×196 + 10.
    assert_eq!((card.params.count, card.params.bytes, card.params.tensors), (2010, 8040, 4));
    assert_eq!(card.params.external_tensors, 0);
    assert!(card.unsupported_ops.is_empty());
    assert_eq!(card.tract_error, None);
    assert!(card.runnable());
    assert!(card.notes.is_empty(), "{:?}", card.notes);
    assert_eq!(
        card.image_input,
        Some(ImageGuess {
            layout: Layout::Nchw,
            channels: 1,
            side: 28,
            side_fixed: true,
            scale: Scale::ZeroToOne
        })
    );
    let spec = card.input_spec().unwrap();
    assert_eq!((spec.invert, spec.mean, spec.std), (true, [0.0; 3], [1.0; 3]));
}

#[test]
fn the_card_survives_postcard() {
    let card = card("dynamic.onnx");
    let bytes = postcard::to_allocvec(&card).unwrap();
    assert_eq!(postcard::from_bytes::<ModelCard>(&bytes).unwrap(), card);
    let spec = card.input_spec().unwrap();
    assert_eq!(postcard::from_bytes::<InputSpec>(&postcard::to_allocvec(&spec).unwrap()).unwrap(), spec);
}

#[test]
fn nhwc_fixture_is_guessed_channels_last_and_runs_on_a_photo() {
    let card = card("nhwc.onnx");
    assert_eq!(card.inputs[0].shape, fixed(&[1, 32, 32, 3]));
    assert_eq!(card.outputs[0].shape, fixed(&[1, 5]));
    assert_eq!(ops(&card)[0], ("Conv", 1));
    assert!(card.runnable(), "{:?}", card.tract_error);
    assert_eq!(
        card.image_input,
        Some(ImageGuess {
            layout: Layout::Nhwc,
            channels: 3,
            side: 32,
            side_fixed: true,
            scale: Scale::MinusOneToOne
        })
    );
    let spec = card.input_spec().unwrap();
    assert_eq!((spec.invert, spec.mean, spec.std), (false, [0.0; 3], [1.0; 3]));
    let model = Model::from_onnx_file(&fixture("nhwc.onnx"), spec, None).unwrap();
    let prepared = prepare_photo(&model, &read("crates/core/tests/photos/cat.png")).unwrap();
    assert_eq!(
        (prepared.view.side, prepared.view.channels, prepared.view.pixels.len(), prepared.tensor.len()),
        (32, 3, 3072, 3072)
    );
    let out = answer(&model, &prepared.tensor).unwrap();
    assert_eq!((out.output_len, out.values.len(), out.scores), (5, 5, Scores::Softmax));
    assert_eq!(out.top.len(), 5);
    assert!(out.top.iter().all(|g| g.label.starts_with('#')));
    assert!((out.top.iter().map(|g| g.probability).sum::<f32>() - 1.0).abs() < 1e-5);
    // The same photo drawn as a sketch: grey replicated to three channels.
    let sketch = prepare_strokes(&model, &[vec![[0.0, 0.0], [10.0, 10.0]]]).unwrap();
    assert!(sketch.view.pixels.chunks(3).all(|px| px[0] == px[1] && px[1] == px[2]));
    assert!(answer(&model, &sketch.tensor).is_ok());
}

#[test]
fn dynamic_fixture_is_fixed_by_the_spec() {
    let card = card("dynamic.onnx");
    // The weights are listed as graph inputs too; the card shows the real input only.
    assert_eq!(card.inputs.len(), 1);
    assert_eq!(
        card.inputs[0].shape,
        Some(vec![
            Dim::Symbolic("batch".into()),
            Dim::Fixed(3),
            Dim::Symbolic("height".into()),
            Dim::Symbolic("width".into())
        ])
    );
    assert_eq!(card.outputs[0].shape, Some(vec![Dim::Symbolic("batch".into()), Dim::Fixed(4)]));
    assert!(card.runnable(), "{:?}", card.tract_error);
    assert!(
        card.notes.iter().any(|n| n.contains("dynamic dimensions (batch, height, width)")),
        "{:?}",
        card.notes
    );
    let guess = card.image_input.clone().unwrap();
    assert_eq!((guess.layout, guess.channels, guess.side, guess.side_fixed), (Layout::Nchw, 3, 224, false));
    let spec = card.input_spec().unwrap();
    assert_eq!(
        (spec.mean, spec.std),
        (playground_core::input::IMAGENET_MEAN, playground_core::input::IMAGENET_STD)
    );

    let bytes = fixture("dynamic.onnx");
    let model = Model::from_onnx_file(&bytes, spec.clone(), Some("a\nb\nc\nd\n")).unwrap();
    assert_eq!(model.output_len(), 4);
    let prepared = prepare_photo(&model, &read("crates/core/tests/photos/coffee.png")).unwrap();
    assert_eq!(prepared.tensor.len(), 3 * 224 * 224);
    let out = answer(&model, &prepared.tensor).unwrap();
    assert!(out.top.iter().all(|g| ["a", "b", "c", "d"].contains(&g.label.as_str())));
    // Any side works, BGR too.
    let small = InputSpec { side: 40, channel_order: ChannelOrder::Bgr, ..spec.clone() };
    let model = Model::from_onnx_file(&bytes, small, None).unwrap();
    assert_eq!(
        prepare_photo(&model, &read("crates/core/tests/photos/coffee.png")).unwrap().tensor.len(),
        3 * 40 * 40
    );

    let e = load_err(&bytes, spec, Some("a\nb\n"));
    assert!(matches!(e, Error::LabelMismatch { labels: 2, outputs: 4 }), "{e}");
}

#[test]
fn an_op_tract_lacks_is_named() {
    let register = tract_onnx::onnx().op_register;
    assert!(!register.0.contains_key("Det"), "tract now implements Det: pick another op for the fixture");
    let card = card("unsupported_op.onnx");
    assert_eq!(ops(&card), [("Det", 1), ("Relu", 1)]);
    assert_eq!(card.unsupported_ops, ["Det"]);
    let tract = card.tract_error.as_deref().expect("tract must fail");
    assert!(tract.contains("Det"), "{tract}");
    let e = load_err(&fixture("unsupported_op.onnx"), card.input_spec().unwrap(), None);
    assert!(matches!(e, Error::ModelParse(_)), "{e}");
    assert!(e.to_string().contains("tract has no implementation of Det"), "{e}");
}

#[test]
fn external_weights_are_flagged() {
    let card = card("external_data.onnx");
    assert_eq!((card.params.tensors, card.params.external_tensors, card.params.count), (4, 4, 2010));
    assert!(card.notes.iter().any(|n| n.contains("separate file")), "{:?}", card.notes);
    assert!(card.tract_error.as_deref().unwrap().contains("separate file"));
    let e = load_err(&fixture("external_data.onnx"), card.input_spec().unwrap(), None);
    assert!(e.to_string().contains("separate file"), "{e}");
}

#[test]
fn files_that_are_no_model_get_clear_errors() {
    assert_eq!(not_onnx(&[]), "this file is not an ONNX model: the file is empty");
    let tensor = not_onnx(&fixture("tensor.pb"));
    assert!(tensor.contains("single tensor (an ONNX TensorProto"), "{tensor}");
    let truncated = not_onnx(&fixture("truncated.onnx"));
    assert!(truncated.contains("truncated"), "{truncated}");
    let random = not_onnx(&fixture("random.bin"));
    assert!(random.contains("not in the protobuf format"), "{random}");
    let text = not_onnx(b"name,label\ncat,1\n");
    assert!(text.contains("not in the protobuf format"), "{text}");
    // A valid protobuf, even a ModelProto, without a graph.
    let no_graph = pb::ModelProto { ir_version: 8, producer_name: "x".into(), ..Default::default() };
    let e = not_onnx(&no_graph.encode_to_vec());
    assert!(e.contains("no graph"), "{e}");
    // Every cut of a real model is refused (most as truncated), never accepted or panicking.
    let onnx = fixture("nchw_conv.onnx");
    for len in (1..onnx.len()).step_by(97) {
        let e = not_onnx(&onnx[..len]);
        assert!(e.contains("truncated") || e.contains("damaged"), "cut at {len}: {e}");
    }
}

/// The nchw fixture with its input's type edited.
fn nchw_with_input(edit: impl FnOnce(&mut pb::type_proto::Tensor)) -> Vec<u8> {
    let mut proto = pb::ModelProto::decode(&*fixture("nchw_conv.onnx")).unwrap();
    let input = &mut proto.graph.as_mut().unwrap().input[0];
    let Some(pb::type_proto::Value::TensorType(t)) = input.r#type.as_mut().unwrap().value.as_mut() else {
        unreachable!()
    };
    edit(t);
    proto.encode_to_vec()
}

#[test]
fn inputs_that_cannot_be_fed_are_clear_errors() {
    let nchw = fixture("nchw_conv.onnx");
    let spec = card("nchw_conv.onnx").input_spec().unwrap();
    let e = load_err(&nchw, InputSpec { side: 32, ..spec.clone() }, None);
    assert_eq!(
        e.to_string(),
        "the model does not fit: its input \"image\" is [1, 1, 28, 28]; these settings make [1, 1, 32, 32]"
    );
    let e = load_err(&nchw, InputSpec { layout: Layout::Nhwc, ..spec.clone() }, None);
    assert!(matches!(e, Error::ModelShape(_)), "{e}");
    let e = load_err(&nchw, InputSpec { channels: 2, ..spec.clone() }, None);
    assert!(matches!(e, Error::BadInput(_)), "{e}");

    // Rank unknown: fully dynamic.
    let no_shape = nchw_with_input(|t| t.shape = None);
    let card = inspect(&no_shape).unwrap();
    assert_eq!(card.inputs[0].shape, None);
    assert_eq!(card.image_input, None);
    assert!(card.notes.iter().any(|n| n.contains("does not declare its shape")), "{:?}", card.notes);
    let e = load_err(&no_shape, spec.clone(), None);
    assert!(e.to_string().contains("dynamic shape that does not even give its rank"), "{e}");

    let bytes = nchw_with_input(|t| t.elem_type = pb::tensor_proto::DataType::Uint8 as i32);
    assert_eq!(inspect(&bytes).unwrap().inputs[0].elem_type, "u8");
    let e = load_err(&bytes, spec, None);
    assert!(e.to_string().contains("takes u8 values"), "{e}");
}

#[test]
fn shipped_sketch_model_card() {
    let card = inspect(&read("models/sketch/model.onnx")).unwrap();
    assert_eq!(card.inputs.len(), 1);
    assert_eq!(card.inputs[0].elem_type, "f32");
    assert_eq!(card.inputs[0].shape, fixed(&[1, 1, 28, 28]));
    assert_eq!(card.outputs.len(), 1);
    assert_eq!(card.outputs[0].shape.as_ref().unwrap().last(), Some(&Dim::Fixed(64)));
    assert_eq!(
        ops(&card),
        [
            ("Cast", 7),
            ("DequantizeLinear", 7),
            ("Relu", 6),
            ("Conv", 5),
            ("MaxPool", 3),
            ("Gemm", 2),
            ("Flatten", 1)
        ],
        "op counts of models/sketch/model.onnx"
    );
    // onnx's Python package counts 295 712 values in this file's initializers: 294 176 int8
    // weights with a zero point (int8) and a scale (f32) per output channel (512 each), and 512
    // fp16 biases (models/sketch/MODEL.md, "Recipe", weights).
    assert_eq!((card.params.count, card.params.bytes), (295_712, 294_176 + 512 + 4 * 512 + 2 * 512));
    assert_eq!((card.ir_version, card.producer_name.as_str()), (7, "pytorch"));
    assert!(card.unsupported_ops.is_empty() && card.runnable(), "{:?}", card.tract_error);
    let spec = card.input_spec().unwrap();
    assert_eq!(
        (spec.layout, spec.side, spec.channels, spec.scale, spec.invert),
        (Layout::Nchw, 28, 1, Scale::ZeroToOne, true)
    );
}

#[test]
fn shipped_photo_model_card() {
    let card = inspect(&read("models/photo/model.onnx")).unwrap();
    assert_eq!(card.inputs[0].shape, fixed(&[1, 3, 224, 224]));
    assert_eq!(card.outputs[0].shape.as_ref().unwrap().last(), Some(&Dim::Fixed(1000)));
    assert!(card.runnable(), "{:?}", card.tract_error);
    assert_eq!(card.params.count, 4_631_000, "onnx's Python package count");
    assert_eq!(ops(&card)[..3].iter().map(|o| o.0).collect::<Vec<_>>(), ["Constant", "Cast", "Conv"]);
    let guess = card.image_input.unwrap();
    assert_eq!((guess.layout, guess.channels, guess.side), (Layout::Nchw, 3, 224));
}

/// The custom path with the guessed spec feeds the shipped sketch model exactly what the
/// engine feeds it, so it guesses the same.
#[test]
fn custom_path_matches_the_engine_on_real_drawings() {
    let onnx = read("models/sketch/model.onnx");
    let labels = String::from_utf8(read("models/sketch/labels.txt")).unwrap();
    let mut engine = Engine::new();
    engine.install("sketch", &onnx, &labels).unwrap();
    let spec = inspect(&onnx).unwrap().input_spec().unwrap();
    let model = Model::from_onnx_file(&onnx, spec, Some(&labels)).unwrap();
    assert_eq!(model.labels, engine.get("sketch").unwrap().labels);
    let mut compared = 0;
    for word in &model.labels {
        let path = common::quickdraw().join("borismus__exupery").join(format!("{word}.ndjson"));
        if !path.exists() {
            continue;
        }
        for (key, strokes) in common::stroke_drawings(word).into_iter().take(10) {
            let ours = prepare_strokes(&model, &strokes).unwrap();
            let theirs = engine.prepare("sketch", &ModelInput::Strokes(strokes.clone())).unwrap();
            assert_eq!(ours.view, theirs.view, "{word} {key}");
            assert_eq!(ours.tensor, theirs.tensor, "{word} {key}");
            let out = answer(&model, &ours.tensor).unwrap();
            let top = engine.classify_sketch("sketch", &strokes, 5).unwrap();
            assert_eq!(out.top[0].label, top[0].label, "{word} {key}");
            assert!((out.top[0].probability - top[0].probability).abs() < 1e-5, "{word} {key}");
            assert_eq!(out.output_len, 64);
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} drawings found");
}

/// A bigger side renders the same drawing at the same proportions.
#[test]
fn strokes_render_at_other_sides() {
    let onnx = fixture("dynamic.onnx");
    let spec = InputSpec { side: 112, invert: false, ..card("dynamic.onnx").input_spec().unwrap() };
    let model = Model::from_onnx_file(&onnx, spec, None).unwrap();
    let square = vec![vec![[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0], [0.0, 0.0]]];
    let p = prepare_strokes(&model, &square).unwrap();
    assert_eq!((p.view.side, p.view.channels, p.view.pixels.len()), (112, 3, 112 * 112 * 3));
    // Not inverted: dark ink on white paper, the centre of the square is paper.
    let at = |x: usize, y: usize| p.view.pixels[(y * 112 + x) * 3];
    assert_eq!(at(56, 56), 255);
    assert_eq!(at(0, 0), 255);
    assert!(p.view.pixels.contains(&0), "some full ink");
    assert!(matches!(prepare_strokes(&model, &[]), Err(Error::EmptyDrawing)));
}

/// ONNX writes "" for an omitted optional input; tract 0.23 panics on a Conv with inputs
/// (x, w, ""), so the names are dropped before tract sees them.
#[test]
fn omitted_optional_inputs_are_fine() {
    let mut proto = pb::ModelProto::decode(&*fixture("nchw_conv.onnx")).unwrap();
    let graph = proto.graph.as_mut().unwrap();
    graph.node[0].input[2] = String::new();
    graph.initializer.retain(|t| t.name != "conv_b");
    let bytes = proto.encode_to_vec();
    let card = inspect(&bytes).unwrap();
    assert!(card.runnable(), "{:?}", card.tract_error);
    let model = Model::from_onnx_file(&bytes, card.input_spec().unwrap(), None).unwrap();
    let out =
        answer(&model, &prepare_strokes(&model, &[vec![[0.0, 0.0], [9.0, 9.0]]]).unwrap().tensor).unwrap();
    assert_eq!((out.output_len, out.scores), (10, Scores::Probabilities));
}

/// Malformed models that tract 0.23 panics on while analysing them (tests/models/make_models.py
/// says where): natively the panic is caught at our boundary and reported as tract's error. On
/// wasm32 a panic aborts, so these would take the worker down.
#[test]
fn models_that_crash_tract_are_errors() {
    // Keep the expected panics (in tract, or in std for tract) out of the output; this test's
    // own assertions and other tests' panics print as usual.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let here = std::thread::current().name() == Some("models_that_crash_tract_are_errors");
        if !here || info.location().is_some_and(|l| l.file().contains("tests/inspect.rs")) {
            default(info);
        }
    }));
    // Every file in the folder is a case (tests/models/make_models.py writes them).
    let folder = common::repo().join("crates/core/tests/models/tract_panics");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".onnx").map(String::from))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "the cases are missing: {names:?}");
    for name in names {
        let card = inspect(&fixture(&format!("tract_panics/{name}.onnx"))).unwrap();
        let error = card.tract_error.unwrap_or_else(|| panic!("{name}: tract accepted it"));
        // When a tract upgrade fixes one, this fails: move it to the clean-error tests.
        assert!(error.contains("tract crashed on it"), "{name}: tract now fails cleanly: {error}");
    }
}

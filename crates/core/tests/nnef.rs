//! The demos' worker runs the registry models as NNEF archives converted from their ONNX files
//! (`session::onnx_to_nnef`, run by scripts/build.sh). The conversion must not change what a
//! model answers: same scores as the ONNX session on real inputs, for every registry model.

mod common;

use common::{repo, MadeUpInputs};
use playground_core::engine::Engine;
use playground_core::input::{Elem, InputFact};
use playground_core::registry::MODELS;
use playground_core::session::{is_nnef, onnx_to_nnef, Session};

#[test]
fn every_registry_model_gives_the_same_scores_from_its_nnef_conversion() {
    for spec in MODELS {
        let onnx = std::fs::read(repo().join(spec.model_path())).unwrap();
        let facts = spec.input.facts();
        let nnef = onnx_to_nnef(&onnx, &facts).unwrap();
        assert!(is_nnef(&nnef) && !is_nnef(&onnx), "{}: format sniffing", spec.id);
        let from_onnx = Session::from_onnx(&onnx, &facts).unwrap();
        let from_nnef = Session::from_nnef(&nnef, &facts).unwrap();
        let inputs = MadeUpInputs::new(&facts);
        let feeds = inputs.feeds();
        let (a, b) = (from_onnx.run(&feeds).unwrap(), from_nnef.run(&feeds).unwrap());
        assert_eq!(a.len(), b.len(), "{}", spec.id);
        let worst = a.iter().zip(&b).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
        assert!(worst <= 1e-4, "{}: scores differ by up to {worst}", spec.id);
    }
}

#[test]
fn the_engine_classifies_a_real_photo_the_same_from_either_format() {
    let spec = MODELS.iter().find(|m| m.id == "photo").unwrap();
    let labels = std::fs::read_to_string(repo().join(spec.labels_path().unwrap())).unwrap();
    let onnx = std::fs::read(repo().join(spec.model_path())).unwrap();
    let photo = std::fs::read(repo().join("crates/core/tests/photos/cat.png")).unwrap();
    let top = |model: &[u8]| {
        let mut engine = Engine::new();
        engine.install("photo", model, &labels).unwrap();
        let prepared =
            engine.prepare("photo", &playground_core::input::ModelInput::Photo(photo.clone())).unwrap();
        engine
            .answer("photo", &prepared.tensor, 5)
            .unwrap()
            .top
            .into_iter()
            .map(|g| g.label)
            .collect::<Vec<_>>()
    };
    assert_eq!(top(&onnx_to_nnef(&onnx, &spec.input.facts()).unwrap()), top(&onnx));
}

#[test]
fn an_nnef_archive_for_another_shape_is_refused_with_a_message() {
    let spec = MODELS.iter().find(|m| m.id == "sketch").unwrap();
    let onnx = std::fs::read(repo().join(spec.model_path())).unwrap();
    let nnef = onnx_to_nnef(&onnx, &[InputFact { shape: vec![2, 1, 28, 28], elem: Elem::F32 }]).unwrap();
    let err = Session::from_nnef(&nnef, &spec.input.facts()).err().expect("must fail").to_string();
    assert!(err.contains("[1, 1, 28, 28]"), "{err}");
}

/// The demos' worker reads archives with only the tract-core operators the registry's use (core
/// `nnef.rs`): an archive with another one is refused with a message naming it, not a panic.
#[test]
fn an_nnef_archive_with_an_operator_outside_the_readers_is_refused_with_a_message() {
    use tract_nnef::prelude::*;
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, 4])).unwrap();
    let round = tract_nnef::tract_core::ops::math::round_half_to_even();
    let y = model.wire_node("round", round, &[x]).unwrap();
    model.select_output_outlets(&y).unwrap();
    let archive = tract_nnef::nnef().write_to_tar(&model, Vec::new()).unwrap();
    let facts = [InputFact { shape: vec![1, 4], elem: Elem::F32 }];
    let err = Session::from_nnef(&archive, &facts).err().expect("must fail").to_string();
    assert!(err.contains("tract_core_round_even"), "{err}");
}

/// The workers are built with `vendor/tract-nnef`, whose `patch` transform is left unregistered:
/// with it registered every tract-core operator was in the demos' worker, 0.4 MB gzip more
/// (vendor/README.md). After a tract upgrade cargo would take crates.io's again, with only a
/// warning, until `vendor/refresh.sh` vendors the new version: this fails first.
#[test]
fn tract_nnef_is_the_vendored_one() {
    let lock = std::fs::read_to_string(repo().join("Cargo.lock")).unwrap();
    let entries: Vec<&str> =
        lock.split("[[package]]").filter(|entry| entry.contains("\nname = \"tract-nnef\"\n")).collect();
    let manifest = std::fs::read_to_string(repo().join("vendor/tract-nnef/Cargo.toml")).unwrap();
    let version = manifest.lines().find(|line| line.starts_with("version = ")).unwrap();
    assert_eq!(entries.len(), 1, "one tract-nnef in Cargo.lock");
    assert!(
        !entries[0].contains("source = "),
        "tract-nnef comes from a registry, not vendor/: {}",
        entries[0]
    );
    assert!(entries[0].contains(&format!("\n{version}\n")), "vendor/ holds {version}: {}", entries[0]);
}

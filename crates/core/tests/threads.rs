//! The `threads` feature natively (`scripts/test.sh` turns it on): once a session is handed to
//! rayon's pool (what the browser's threaded worker does with a pool of web workers), the photo
//! model gives the very numbers it gives on one thread, for every golden photo, and says how many
//! threads it ran on; so do the other tract models, as the demos' worker reads them. Its own
//! test binary: the pool is process-wide.
#![cfg(feature = "threads")]

mod common;

use playground_core::engine::Engine;
use playground_core::input::ModelInput;
use playground_core::registry::PHOTO;

#[test]
fn on_the_pool_the_photo_model_answers_as_on_one_thread() {
    let repo = common::repo();
    let mut engine = Engine::new();
    let labels = std::fs::read_to_string(repo.join("models/photo/labels.txt")).unwrap();
    engine.install("photo", &std::fs::read(repo.join("models/photo/model.onnx")).unwrap(), &labels).unwrap();
    let model = engine.get(PHOTO).unwrap();
    let photos = repo.join("crates/core/tests/photos");
    let tensors: Vec<Vec<f32>> = ["cat.png", "coffee.png", "helmet.png"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(photos.join(name)).unwrap();
            model.prepare(&ModelInput::Photo(bytes)).unwrap().tensor
        })
        .collect();
    let run = |t: &Vec<f32>| model.run(t).unwrap();
    assert_eq!(model.threads(), 1);
    let single: Vec<Vec<f32>> = tensors.iter().map(run).collect();

    // Two threads at least, whatever this machine has: rayon's global pool, as wasm-bindgen-rayon
    // builds it in the browser.
    rayon::ThreadPoolBuilder::new().num_threads(2).build_global().unwrap();
    playground_core::session::use_thread_pool();
    assert_eq!(model.threads(), 2);
    for _ in 0..3 {
        let pooled: Vec<Vec<f32>> = tensors.iter().map(run).collect();
        assert_eq!(pooled, single, "the same numbers, bit for bit");
    }
    every_tract_model_answers_on_the_pool_as_on_one_thread();
}

/// Every tract model of the registry as the demos' worker runs it (its NNEF conversion, read by
/// `Session::from_nnef`): on the 2-thread pool, the numbers it gives on one thread. The text,
/// sentiment and denoising models run on the threaded worker too where the page is cross-origin
/// isolated. Called by the test above, once the pool is in use (it is process-wide).
fn every_tract_model_answers_on_the_pool_as_on_one_thread() {
    use playground_core::registry::{Runtime, MODELS};
    use playground_core::session::{onnx_to_nnef, Session};
    let repo = common::repo();
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let models: Vec<_> = MODELS.iter().filter(|m| m.runtime == Runtime::Tract).collect();
    assert_eq!(models.len(), 4, "photo, text, denoiser, sentiment");
    for spec in models {
        let onnx = std::fs::read(repo.join(spec.model_path())).unwrap();
        let facts = spec.input.facts();
        let session = Session::from_nnef(&onnx_to_nnef(&onnx, &facts).unwrap(), &facts).unwrap();
        let inputs = common::MadeUpInputs::new(&facts);
        let feeds = inputs.feeds();
        let single = one_thread.install(|| session.run_all(&feeds).unwrap());
        assert_eq!(rayon::current_num_threads(), 2);
        assert_eq!(session.run_all(&feeds).unwrap(), single, "{}: the same numbers, bit for bit", spec.id);
    }
}

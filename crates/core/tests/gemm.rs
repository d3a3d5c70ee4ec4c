//! In wasm with SIMD, tract's matrix products run on `playground-gemm`'s 4×8 kernel instead of
//! tract's 8×8 (faster in V8: BENCHMARKS.md). Both sum each output in the same order, so the tract
//! models of the registry, as the demos' worker reads them, must give the same numbers on either,
//! bit for bit. `scripts/test.sh` runs this under wasm32-wasip1 in Node, where the kernel is used;
//! natively it does not exist, and no plan may name it. (In wasm the denoiser has no matrix
//! product left, all its convolutions being Winograd's; the kernel's own operations are tested
//! one by one in crates/gemm/tests/kernel.rs.) Its own test binary: the kernel's switch is
//! process-wide.

mod common;

use playground_core::input::{Feed, InputKind, ModelInput};
use playground_core::registry::{Runtime, MODELS};
use playground_core::session::{onnx_to_nnef, Session};
use playground_gemm::KERNEL_NAME;

#[test]
fn tract_models_answer_on_our_matrix_kernel_as_on_tracts() {
    let repo = common::repo();
    // Not the 23 MB sentiment model: two plans of it in one wasm memory are what made Node's V8
    // crash in the model tests (scripts/test.sh).
    let models: Vec<_> =
        MODELS.iter().filter(|m| m.runtime == Runtime::Tract && m.id != "sentiment").collect();
    assert_eq!(models.len(), 3, "photo, text, denoiser");
    let photos = repo.join("crates/core/tests/photos");
    for spec in models {
        let onnx = std::fs::read(repo.join(spec.model_path())).unwrap();
        let facts = spec.input.facts();
        let nnef = onnx_to_nnef(&onnx, &facts).unwrap();
        playground_gemm::set_enabled(false);
        let tracts = Session::from_nnef(&nnef, &facts).unwrap();
        playground_gemm::set_enabled(true);
        let ours = Session::from_nnef(&nnef, &facts).unwrap();

        let (kernels, tracts_kernels) = (ours.matrix_kernels(), tracts.matrix_kernels());
        println!("{}: {kernels:?} instead of {tracts_kernels:?}", spec.id);
        assert!(!tracts_kernels.contains(KERNEL_NAME), "{}", spec.id);
        if playground_gemm::active() {
            // Every matrix product tract gave its 8×8 is ours now (matrix-vector ones stay tract's).
            assert!(!kernels.contains("wasm_f32_8x8"), "{}: {kernels:?}", spec.id);
            assert_eq!(kernels.contains(KERNEL_NAME), tracts_kernels.contains("wasm_f32_8x8"), "{}", spec.id);
        } else {
            assert_eq!(kernels, tracts_kernels, "{}", spec.id);
        }

        let made_up = common::MadeUpInputs::new(&facts);
        let mut feeds = vec![made_up.feeds()];
        // The photo model on real photos too, prepared as the page prepares them.
        let photo_tensors: Vec<Vec<f32>> = match &spec.input {
            InputKind::Pixels(pixels) if spec.id == "photo" => ["cat.png", "coffee.png"]
                .iter()
                .map(|name| {
                    let input = ModelInput::Photo(std::fs::read(photos.join(name)).unwrap());
                    pixels.prepare(&input).unwrap().tensor
                })
                .collect(),
            _ => vec![],
        };
        feeds.extend(photo_tensors.iter().map(|t| vec![Feed::F32(t)]));
        for feed in &feeds {
            let (a, b) = (ours.run_all(feed).unwrap(), tracts.run_all(feed).unwrap());
            assert_eq!(a, b, "{}: the same numbers, bit for bit", spec.id);
        }
    }
}

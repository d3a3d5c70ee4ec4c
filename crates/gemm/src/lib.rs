//! A 4×8 f32 matrix-product kernel for tract in wasm32 + simd128, and the dispatch tier that makes
//! tract prefer it to its own 8×8 for every f32 product wider than one column (of a width known
//! when the plan is optimized: tract asks no tier about the others).
//!
//! Why: in the browser tract runs every convolution of the photo model as a matrix product on
//! its `wasm_f32_8x8` kernel (about 90% of an inference, `experiments/op-profile`). That kernel
//! holds 16 accumulator vectors, plus two vectors of B and eight splats of A per step, against
//! the 16 SIMD registers of an x86-64 CPU, of which V8 keeps one for itself: the accumulators
//! spill. A 4×8 tile holds 8 accumulators, 2 vectors of B and one splat, and fits; it is the tile
//! XNNPACK (ONNX Runtime Web's kernels) picks for wasm SIMD on x86. Measured in
//! BENCHMARKS.md ("Goal 2 met …: a matrix kernel of our own in wasm").
//!
//! tract lets a crate add both: kernels and tiers are `inventory` collections. The tier is the
//! wasm32 one above tract's own (precedence 2 against 1); it declines where [`set_enabled`] turned
//! it off, so tests and `experiments/op-profile` can build tract's plan in the same process.
//! Only wasm32 with simd128 has the kernel; elsewhere this crate is empty.

/// The kernel itself (`wasm::kernel`, which `tests/kernel.rs` runs op by op), its registry entry
/// and its tier.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm;

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// The kernel's name in tract's registry (what a plan's matrix products report).
pub const KERNEL_NAME: &str = "playground_f32_4x8";

/// Whether plans optimized from now on use the 4×8 kernel where it applies (the default) or
/// tract's own choice. Plans already optimized keep the kernel they were given.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether this build has the kernel at all (wasm32 with simd128), and it is enabled.
pub fn active() -> bool {
    cfg!(all(target_arch = "wasm32", target_feature = "simd128")) && ENABLED.load(Ordering::Relaxed)
}

/// Keeps the kernel and its tier in the link: wasm-ld drops an object nothing references, and
/// with it the `inventory` entries it holds. Call it before optimizing a plan.
pub fn register() {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    wasm::register();
}

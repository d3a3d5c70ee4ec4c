//! Load-time work on a tract plan, where its shapes and weights allow. Before `into_optimized`
//! ([`speed_up_decluttered`]):
//!
//! - **3×3 convolutions by Winograd's F(2×2, 3×3) or F(4×4, 3×3)** ([`Conv3x3Winograd`], with
//!   the ReLU that follows), in wasm with SIMD only ([`WINOGRAD_CONVOLUTIONS`]). There tract
//!   lowers a convolution to a lazy im2col and its 8×8 GEMM kernel, which took 1.38 of the
//!   sketch model's 1.54 ms in wasm; F(2×2) needs 2.25× fewer multiply-adds, and the sketch
//!   model ran 2–3× faster in wasm under Node (`experiments/op-profile`). F(4×4) needs 4× fewer
//!   but pads small planes to 4×4 tiles: [`WinogradTiles::for_shape`] takes the one with fewer
//!   multiply-adds (F(4×4) for all of the denoiser's, whose 256² tile went from 597 to 168 ms
//!   in wasm with the kernels' blocking; its output moved by at most 1.1e-6). Even the
//!   denoiser's 64 → 1 convolution is faster so than tract's (6.5–7 ms against 42 ms: 7.5 of
//!   padding and 35 of matrix product, wasm under Node).
//!
//! On the optimized plan ([`speed_up`]):
//!
//! - **Constant subgraphs folded.** tract leaves a fold undone when its output would be larger
//!   than its inputs and over 4 MiB, to spare memory on large models. The photo model's
//!   f16 → f32 cast of its 1000×1280 classifier weights, and their packing for the matrix
//!   kernel, then ran at every inference: 3.3 of 31 ms natively (`experiments/op-profile`).
//!   Folded, the packed f32 weights (5.1 MB) stay instead of the f16 ones (2.6 MB), and the
//!   per-inference copies go: resident memory did not grow (`op-profile` prints it).
//! - **Two operators swapped for faster ones**: 2×2 stride-2 max pooling and constant padding of
//!   the two spatial axes, both on f32 NCHW tensors with concrete shapes. In the browser these
//!   two took 15% of a sketch inference (270 of 1,730 µs in wasm under Node). tract 0.23's `OptMaxPool`
//!   walks a 2×2 stride-2 window with a bounds check per tap, and its `Pad` copies through a
//!   dynamic-rank ndarray slice; both are general over layouts, ranks and modes. The
//!   replacements handle one layout with plain row loops (crate `playground-kernels`), 4 outputs per wasm
//!   SIMD instruction for the pool. Anything else keeps tract's operator.

//!
//! The loops are in `playground-kernels`, a crate without tract that the worker builds at
//! opt-level 3 while this graph code stays at its size-first level.

mod plan;
pub use plan::{
    replace_convolutions, replace_convolutions_with, speed_up, speed_up_decluttered, Conv3x3Winograd,
    MaxPool2x2, SpatialPad, SpeedUps, WINOGRAD_CONVOLUTIONS,
};
pub use playground_kernels::WinogradTiles;

//! Load-time work on an optimized tract plan (`speed_up`, feature `tract`), where its shapes and weights allow:
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
//!   replacements handle one layout with plain row loops ([`crate::kernels`]), 4 outputs per wasm
//!   SIMD instruction for the pool. Anything else keeps tract's operator.

pub mod kernels;

#[cfg(feature = "tract")]
mod plan;
#[cfg(feature = "tract")]
pub use plan::{speed_up, MaxPool2x2, SpatialPad, SpeedUps};

//! The inference worker's entry point. Its runtime lives beside it, not in the `playground`
//! library: tract registers code through static constructors, so any binary that links it
//! carries all of it, and the app must stay small.

mod runtime;

fn main() {
    runtime::start();
}

/// The pool of web workers tract's matrix products run on, in the `threads` build:
/// `static/worker_loader.js` calls `initThreadPool(n)` (wasm-bindgen-rayon), then `useThreadPool`.
#[cfg(feature = "threads")]
pub use wasm_bindgen_rayon::init_thread_pool;

/// Runs tract's inferences on the pool `initThreadPool` built from now on (until then, and in
/// every other build, on this worker's thread alone).
#[cfg(feature = "threads")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = useThreadPool)]
pub fn use_thread_pool() {
    playground_core::session::use_thread_pool();
}

//! Everything that is not UI: the model registry, preprocessing, the tract session,
//! post-processing and the worker protocol. No web dependency lives here (no yew,
//! web-sys, gloo or wasm-bindgen), so all of it is tested natively and shared by the
//! browser worker and the command-line tool.

#[cfg(feature = "cnn")]
pub mod cnn;
#[cfg(feature = "engine")]
pub mod denoise;
#[cfg(feature = "cnn")]
pub mod engine;
pub mod error;
pub mod game;
pub mod input;
pub mod inspect;
#[cfg(feature = "cnn")]
pub mod model;
#[cfg(feature = "engine")]
mod nnef;
pub mod photo;
pub mod postprocess;
pub mod protocol;
pub mod random;
pub mod registry;
#[cfg(feature = "engine")]
pub mod sentiment;
#[cfg(feature = "engine")]
pub mod session;
pub mod share;
pub mod sketch;
pub mod speed;
#[cfg(feature = "engine")]
pub mod textgen;
pub mod wordpiece;
pub mod words;

pub use error::{Error, Result};

//! "Bring your own ONNX model": what a file holds, read from its protobuf, and whether tract
//! can run it. One job a file: the card's types (`card`, built without tract: the UI needs
//! them), telling ONNX from other bytes (`protobuf`), describing the model and asking tract
//! (`describe`), and the guards against tract's panics (`guards`).
//!
//! The protobuf is decoded once; [`crate::model::Model::from_onnx_file`] plans the same
//! decoded model.

mod card;
#[cfg(feature = "onnx")]
mod describe;
#[cfg(feature = "onnx")]
mod guards;
#[cfg(feature = "onnx")]
mod protobuf;

pub use card::*;
#[cfg(feature = "onnx")]
pub(crate) use describe::describe;
#[cfg(feature = "onnx")]
pub use describe::inspect;
#[cfg(feature = "onnx")]
pub(crate) use guards::{catch_tract_panic, check_for_tract, normalize_for_tract};
#[cfg(feature = "onnx")]
pub(crate) use protobuf::decode;

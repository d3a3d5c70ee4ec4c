//! One error type for the core. Each variant's message is written for the person using
//! the page: the worker turns it into a string at the boundary and the UI shows it as is.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum Error {
    #[error("unknown model \"{0}\"")]
    UnknownModel(String),
    #[error("this file is not an ONNX model tract can read: {0}")]
    ModelParse(String),
    /// A registry model the plain-CNN runner (`crate::cnn`) does not run.
    #[error("the small CNN runner cannot run this model: {0}")]
    NotPlainCnn(String),
    #[error("the model does not fit: {0}")]
    ModelShape(String),
    #[error("the labels file has {labels} labels but the model has {outputs} outputs")]
    LabelMismatch { labels: usize, outputs: usize },
    #[error("the model is not loaded yet")]
    ModelNotLoaded,
    #[error("nothing drawn yet")]
    EmptyDrawing,
    #[error("{0}")]
    BadInput(String),
    #[error("inference failed: {0}")]
    Inference(String),
    /// Bytes that are no ONNX model at all (empty, random, truncated, another protobuf).
    #[error("this file is not an ONNX model: {0}")]
    NotOnnx(String),
    #[error("the model file is {} MB; the limit is {} MB", megabytes(*.bytes), megabytes(*.limit))]
    ModelTooLarge { bytes: u64, limit: u64 },
}

/// Sizes in MB with one decimal, rounded up so that a file just over a limit never reads as
/// equal to it.
fn megabytes(bytes: u64) -> String {
    let tenths = (u128::from(bytes) * 10).div_ceil(1 << 20);
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

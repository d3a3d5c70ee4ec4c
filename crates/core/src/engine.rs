//! The inference engine the worker wraps: loaded models by id, and the classify paths. It
//! knows nothing of fetch or postMessage, so the command-line tool and the tests drive the
//! exact code the browser runs.

use crate::postprocess::{softmax, top_k, Guess};
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
        if model.spec.task != Task::Sketch {
            return Err(Error::BadInput(format!("model \"{id}\" does not take sketches")));
        }
        let logits = model.session.run(&sketch::bitmap_to_input(bitmap))?;
        Ok(top_k(&softmax(&logits), &model.labels, k))
    }
}

/// Per-run times of [`Engine::benchmark_sketch`], in the clock's unit.
pub struct SketchTimings {
    pub infer: Vec<f64>,
    pub classify: Vec<f64>,
}

impl Engine {
    /// Times `runs` bare inferences and `runs` whole classifications of `strokes`. The clock
    /// is passed in: `std::time::Instant` does not exist on wasm32 (the worker passes
    /// `performance.now`).
    pub fn benchmark_sketch(
        &self,
        id: &str,
        strokes: &[Stroke],
        runs: u32,
        now: impl Fn() -> f64,
    ) -> Result<SketchTimings> {
        let model = self.get(id)?;
        let input = sketch::bitmap_to_input(&sketch::strokes_to_bitmap(strokes)?);
        let mut timings = SketchTimings { infer: Vec::new(), classify: Vec::new() };
        for _ in 0..runs {
            let start = now();
            model.session.run(&input)?;
            timings.infer.push(now() - start);
        }
        for _ in 0..runs {
            let start = now();
            self.classify_sketch(id, strokes, crate::protocol::TOP_K)?;
            timings.classify.push(now() - start);
        }
        Ok(timings)
    }
}

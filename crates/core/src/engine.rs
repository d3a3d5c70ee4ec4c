//! The inference engine the worker wraps: loaded models by id, and the classify paths. It
//! knows nothing of fetch or postMessage, so the command-line tool and the tests drive the
//! exact code the browser runs.

use crate::photo;
use crate::postprocess::{entropy, softmax, top_k, widen, Guess};
use crate::protocol::ModelInput;
use crate::registry::{self, parse_labels, ModelSpec, Task};
use crate::session::Session;
use crate::sketch::{self, Stroke};
use crate::{Error, Result};

/// A model ready to run: its spec, its session and its labels, checked against each other.
pub struct LoadedModel {
    pub spec: &'static ModelSpec,
    pub session: Session,
    pub labels: Vec<String>,
}

impl LoadedModel {
    /// `model`: an NNEF archive, or ONNX where the `onnx` feature is on.
    pub fn load(spec: &'static ModelSpec, model: &[u8], labels_txt: &str) -> Result<Self> {
        let session = Session::from_bytes(model, spec.input_shape)?;
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

    /// Plans `model` (NNEF, or ONNX with the `onnx` feature) for the registry entry `id` and
    /// keeps it, replacing an older copy.
    pub fn install(&mut self, id: &str, model: &[u8], labels_txt: &str) -> Result<&LoadedModel> {
        let spec = registry::find(id)?;
        let model = LoadedModel::load(spec, model, labels_txt)?;
        self.models.retain(|m| m.spec.id != id);
        self.models.push(model);
        Ok(self.models.last().expect("just pushed"))
    }

    pub fn get(&self, id: &str) -> Result<&LoadedModel> {
        registry::find(id)?;
        self.models.iter().find(|m| m.spec.id == id).ok_or(Error::ModelNotLoaded)
    }

    /// Strokes → top-k through [`Engine::prepare`] and [`Engine::infer`], the worker's path.
    pub fn classify_sketch(&self, id: &str, strokes: &[Stroke], k: usize) -> Result<Vec<Guess>> {
        self.infer(id, &self.prepare(id, &ModelInput::Strokes(strokes.to_vec()))?.tensor, k)
    }

    /// A 28×28 bitmap in the dataset's layout → top-k (the held-out bitmaps take this path).
    pub fn classify_bitmap(&self, id: &str, bitmap: &[u8], k: usize) -> Result<Vec<Guess>> {
        if !matches!(self.get(id)?.spec.task, Task::Sketch) {
            return Err(Error::BadInput(format!("model \"{id}\" does not take sketches")));
        }
        self.infer(id, &sketch::bitmap_to_input(bitmap), k)
    }
}

/// What a model says of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Best first.
    pub top: Vec<Guess>,
    /// The model's own probabilities are too spread to name a guess (registry
    /// `not_sure_above`): probably none of its classes, or an unfinished drawing.
    pub not_sure: bool,
}

/// An input made ready for a model: its tensor and the image the model sees.
pub struct Prepared {
    pub tensor: Vec<f32>,
    /// The model's view as 8-bit pixels, row-major, `side` × `side`, `channels` interleaved
    /// (1: the sketch bitmap, 3: the cropped RGB photo).
    pub view: Vec<u8>,
    pub side: u32,
    pub channels: u8,
}

impl Engine {
    /// Preprocessing for model `id`: strokes are rasterized; photos decoded, oriented,
    /// cropped and normalised (the slow part for big photos; the worker times it apart).
    pub fn prepare(&self, id: &str, input: &ModelInput) -> Result<Prepared> {
        match (&registry::find(id)?.task, input) {
            (Task::Sketch, ModelInput::Strokes(strokes)) => {
                let bitmap = sketch::strokes_to_bitmap(strokes)?;
                let tensor = sketch::bitmap_to_input(&bitmap);
                Ok(Prepared { tensor, view: bitmap.to_vec(), side: sketch::SIDE as u32, channels: 1 })
            }
            (Task::Photo(spec), ModelInput::Photo(bytes)) => {
                let cropped = photo::crop_for_model(&photo::decode(bytes)?, spec);
                let tensor = photo::to_tensor(&cropped, spec);
                Ok(Prepared { tensor, view: cropped.into_raw(), side: spec.size, channels: 3 })
            }
            (Task::Sketch, _) => Err(Error::BadInput(format!("model \"{id}\" takes drawings, not photos"))),
            (Task::Photo(_), _) => Err(Error::BadInput(format!("model \"{id}\" takes photos, not drawings"))),
        }
    }

    pub fn prepare_photo(&self, id: &str, bytes: &[u8]) -> Result<Prepared> {
        self.prepare(id, &ModelInput::Photo(bytes.to_vec()))
    }

    /// Runs model `id` on a prepared input and returns the top `k`.
    pub fn infer(&self, id: &str, tensor: &[f32], k: usize) -> Result<Vec<Guess>> {
        Ok(self.answer(id, tensor, k)?.top)
    }

    /// Runs model `id` on a prepared input: the top `k` and whether it is sure. With its wider
    /// model (registry `widened_by`) loaded too, over both vocabularies ([`widen`]).
    pub fn answer(&self, id: &str, tensor: &[f32], k: usize) -> Result<Answer> {
        let model = self.get(id)?;
        let probabilities = softmax(&model.session.run(tensor)?);
        let widening = model.spec.widened_by.and_then(|w| Some((w, self.get(w.model).ok()?)));
        let spread = model.spec.not_sure_above.is_some_and(|limit| entropy(&probabilities) > limit);
        let (top, not_sure) = match widening {
            Some((widening, wide)) => {
                let wide_probabilities = softmax(&wide.session.run(tensor)?);
                let (p, labels) =
                    widen(&probabilities, &model.labels, &wide_probabilities, &wide.labels, widening.prior);
                let top = top_k(&p, &labels, k);
                let sure = top.first().is_some_and(|g| g.probability >= widening.sure_at);
                (top, spread && !sure)
            }
            None => (top_k(&probabilities, &model.labels, k), spread),
        };
        Ok(Answer { top, not_sure })
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
        input: &ModelInput,
        runs: u32,
        now: impl Fn() -> f64,
    ) -> Result<Timings> {
        let model = self.get(id)?;
        let tensor = self.prepare(id, input)?.tensor;
        let mut timings = Timings { infer: Vec::new(), classify: Vec::new() };
        for _ in 0..runs {
            let start = now();
            model.session.run(&tensor)?;
            timings.infer.push(now() - start);
        }
        for _ in 0..runs {
            let start = now();
            self.infer(id, &self.prepare(id, input)?.tensor, crate::protocol::TOP_K)?;
            timings.classify.push(now() - start);
        }
        Ok(timings)
    }
}

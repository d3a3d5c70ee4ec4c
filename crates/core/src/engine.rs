//! The inference engine the worker wraps: the loaded models by key, and the one path from an
//! input to an answer. It knows nothing of fetch or postMessage, so the command-line tool and
//! the tests drive the exact code the browser runs.

#[cfg(feature = "engine")]
use crate::denoise::{self, Cleaning, PhotoCleaning, Share};
#[cfg(feature = "engine")]
use crate::input::CleanOptions;
use crate::input::{ModelInput, Prepared};
use crate::model::Model;
use crate::postprocess::{sharpen, softmax, top_k, widen, Answer, Guess, TOP_K};
#[cfg(feature = "engine")]
use crate::protocol::Feeling;
use crate::registry::{self, ModelKey, Task};
use crate::{Error, Result};

#[derive(Default)]
pub struct Engine {
    models: Vec<(ModelKey, Model)>,
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    /// Plans `model` (NNEF, or ONNX with the `onnx` feature) for the registry entry `id` and
    /// keeps it, replacing an older copy.
    pub fn install(&mut self, id: &str, model: &[u8], labels_txt: &str) -> Result<&Model> {
        let model = Model::from_registry(registry::find(id)?, model, labels_txt)?;
        Ok(self.insert(ModelKey::from(id), model))
    }

    /// Keeps `model` under `key`, replacing what was there.
    pub fn insert(&mut self, key: ModelKey, model: Model) -> &Model {
        self.remove(&key);
        self.models.push((key, model));
        &self.models.last().expect("just pushed").1
    }

    pub fn remove(&mut self, key: &ModelKey) {
        self.models.retain(|(k, _)| k != key);
    }

    pub fn get(&self, key: impl Into<ModelKey>) -> Result<&Model> {
        let key = key.into();
        if let ModelKey::Registry(id) = &key {
            registry::find(id)?;
        }
        self.models.iter().find(|(k, _)| *k == key).map(|(_, m)| m).ok_or(Error::ModelNotLoaded)
    }

    pub fn prepare(&self, key: impl Into<ModelKey>, input: &ModelInput) -> Result<Prepared> {
        self.get(key)?.prepare(input)
    }

    /// Runs a model on a prepared input: the top `k` and whether it is sure. A registry model
    /// with its wider model (registry `widened_by`) loaded too answers over both vocabularies
    /// ([`widen`]).
    pub fn answer(&self, key: impl Into<ModelKey>, tensor: &[f32], k: usize) -> Result<Answer> {
        let model = self.get(key)?;
        let (mut answer, probabilities) = model.answer_from(model.run(tensor)?, k);
        let widening = registry::find(&model.name).ok().and_then(|entry| entry.widened_by);
        if let Some((widening, wide)) = widening.and_then(|w| Some((w, self.get(w.model).ok()?))) {
            let wide_probabilities = softmax(&wide.run(tensor)?);
            let (p, labels) = widen(
                &sharpen(&probabilities, widening.temperature),
                &model.labels,
                &wide_probabilities,
                &wide.labels,
                widening.prior,
            );
            answer.top = top_k(&p, &labels, k);
            answer.not_sure = widening.not_sure.says(&probabilities, &wide_probabilities);
        }
        Ok(answer)
    }

    /// Strokes → top-k through [`Engine::prepare`] and [`Engine::answer`], the worker's path.
    pub fn classify_sketch(
        &self,
        id: &str,
        strokes: &[crate::sketch::Stroke],
        k: usize,
    ) -> Result<Vec<Guess>> {
        let prepared = self.prepare(id, &ModelInput::Strokes(strokes.to_vec()))?;
        Ok(self.answer(id, &prepared.tensor, k)?.top)
    }

    /// A 28×28 bitmap in the dataset's layout → top-k (the held-out bitmaps take this path).
    pub fn classify_bitmap(&self, id: &str, bitmap: &[u8], k: usize) -> Result<Vec<Guess>> {
        let model = self.get(id)?;
        if model.task != Some(Task::Sketch) {
            return Err(Error::BadInput(format!("model \"{id}\" does not take sketches")));
        }
        Ok(self.answer(id, &model.pixels()?.prepared(bitmap.to_vec()).tensor, k)?.top)
    }
}

/// The models only tract runs (not in the sketch page's worker): text, sentiment, denoiser.
#[cfg(feature = "engine")]
impl Engine {
    /// `count` characters that continue `text`, from a character model ([`crate::textgen`]).
    pub fn write(&self, id: &str, text: &str, count: usize, temperature: f32, seed: u64) -> Result<String> {
        crate::textgen::write(self.get(id)?, text, count, temperature, seed)
    }

    /// How `text` feels to the sentiment model `id` ([`crate::sentiment::feel`]).
    pub fn feel(&self, id: &str, text: &str) -> Result<Feeling> {
        crate::sentiment::feel(self.get(id)?, text)
    }

    /// P(positive) with each of `words` left out of `text` ([`crate::sentiment::leave_out`]).
    pub fn leave_out(&self, id: &str, text: &str, words: &[u32]) -> Result<Vec<f32>> {
        crate::sentiment::leave_out(self.get(id)?, text, words)
    }

    /// Sets up cleaning a photo with the denoiser `id` ([`crate::denoise::start`]); the caller
    /// runs its tiles with [`Engine::clean_step`], one at a time.
    pub fn start_cleaning(&self, id: &str, photo: &[u8], options: CleanOptions) -> Result<PhotoCleaning> {
        denoise::start(self.get(id)?, photo, options)
    }

    /// The next tile of a cleaning: a photo's ([`Engine::start_cleaning`]) or a share of one
    /// ([`Engine::clean_share`]).
    pub fn clean_step(&self, id: &str, cleaning: &mut Cleaning) -> Result<()> {
        cleaning.step(self.get(id)?)
    }

    /// The cleaning of tiles another worker handed over ([`crate::denoise::Cleaning::share`]).
    pub fn clean_share(&self, id: &str, share: Share) -> Result<Cleaning> {
        Cleaning::of_share(self.get(id)?, share)
    }
}

/// Per-run times of [`Engine::benchmark`], in the clock's unit.
pub struct Timings {
    pub infer: Vec<f64>,
    pub classify: Vec<f64>,
    /// How many threads the inferences ran on.
    pub threads: usize,
}

impl Engine {
    /// Times `runs` bare inferences on `input` and `runs` whole classifications of it
    /// (preprocessing included). The clock is passed in: `std::time::Instant` does not exist
    /// on wasm32 (the worker passes `performance.now`).
    pub fn benchmark(
        &self,
        key: impl Into<ModelKey>,
        input: &ModelInput,
        runs: u32,
        now: impl Fn() -> f64,
    ) -> Result<Timings> {
        let key = key.into();
        let model = self.get(key.clone())?;
        let tensor = model.prepare(input)?.tensor;
        let mut timings = Timings { infer: Vec::new(), classify: Vec::new(), threads: model.threads() };
        for _ in 0..runs {
            let start = now();
            model.run(&tensor)?;
            timings.infer.push(now() - start);
        }
        for _ in 0..runs {
            let start = now();
            self.answer(key.clone(), &self.prepare(key.clone(), input)?.tensor, TOP_K)?;
            timings.classify.push(now() - start);
        }
        Ok(timings)
    }
}

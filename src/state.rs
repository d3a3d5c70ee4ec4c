//! The UI's state as pure reducers: no DOM, tested natively (`cargo test -p playground`).

use playground_core::custom::{InputSpec, Output};
use playground_core::inspect::ModelCard;
use playground_core::postprocess::Guess;
use playground_core::protocol::{Prediction, Response, Seq, CUSTOM_MODEL};
use playground_core::registry;
use playground_core::sketch::Stroke;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum ModelStatus {
    Loading { loaded: u64, total: Option<u64> },
    Ready { labels: Rc<Vec<String>>, millis: f64 },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum WorkerHealth {
    #[default]
    Starting,
    Ready,
    /// Crashed too often; only a reload helps.
    Broken(String),
}

/// What the whole app knows about the worker and the models.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppState {
    pub health: WorkerHealth,
    pub models: BTreeMap<String, ModelStatus>,
    /// A message for the user that stays until dismissed (e.g. "the worker was restarted").
    pub notice: Option<String>,
}

pub enum AppAction {
    Worker(Response),
    LoadRequested(String),
    Restarted { reason: String },
    Broken { reason: String },
    DismissNotice,
}

/// Why the worker died, in words a person can use. The raw text (a Rust panic with its source
/// location, a wasm trap) goes to the browser console only: `Inference` logs it there.
pub fn failure_in_words(raw: &str) -> &'static str {
    let raw = raw.to_lowercase();
    if ["capacity overflow", "memory allocation", "out of memory", "allocation failed", "could not allocate"]
        .iter()
        .any(|m| raw.contains(m))
    {
        "ran out of memory"
    } else if raw.contains("stopped answering") {
        "stopped answering"
    } else {
        "hit an internal error (the details are in the browser's console)"
    }
}

impl AppState {
    pub fn model_ready(&self, id: &str) -> bool {
        matches!(self.models.get(id), Some(ModelStatus::Ready { .. }))
    }

    /// Every label an answer of model `id` can carry now: its own, and its wider model's once
    /// that is loaded too (registry `widened_by`; the worker loads it after `id`).
    pub fn known_labels(&self, id: &str) -> Vec<String> {
        let labels = |m: &str| match self.models.get(m) {
            Some(ModelStatus::Ready { labels, .. }) => labels.to_vec(),
            _ => Vec::new(),
        };
        let mut all = labels(id);
        if all.is_empty() {
            return all;
        }
        if let Some(widening) = registry::find(id).ok().and_then(|s| s.widened_by) {
            all.extend(labels(widening.model));
            all.sort();
            all.dedup();
        }
        all
    }
}

impl Reducible for AppState {
    type Action = AppAction;

    fn reduce(self: Rc<Self>, action: AppAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            AppAction::Worker(Response::Ready) => next.health = WorkerHealth::Ready,
            AppAction::Worker(Response::LoadProgress { model, loaded, total }) => {
                next.models.insert(model, ModelStatus::Loading { loaded, total });
            }
            AppAction::Worker(Response::Loaded { model, labels, millis }) => {
                next.models.insert(model, ModelStatus::Ready { labels: Rc::new(labels), millis });
            }
            AppAction::Worker(Response::LoadFailed { model, message }) => {
                next.models.insert(model, ModelStatus::Failed(message));
            }
            // Predictions belong to the page that asked; nothing app-wide changes.
            AppAction::Worker(
                Response::Prediction(_)
                | Response::Failed { .. }
                | Response::Panicked { .. }
                | Response::Benchmark { .. }
                | Response::Inspected { .. }
                | Response::InspectFailed { .. }
                | Response::CustomOutput { .. },
            ) => return self,
            AppAction::LoadRequested(model) => {
                next.models.insert(model, ModelStatus::Loading { loaded: 0, total: None });
            }
            AppAction::Restarted { reason } => {
                next.health = WorkerHealth::Starting;
                next.notice = Some(format!(
                    "The inference worker {} and was restarted. Your drawing and photo are kept.",
                    failure_in_words(&reason)
                ));
                for status in next.models.values_mut() {
                    *status = ModelStatus::Loading { loaded: 0, total: None };
                }
            }
            AppAction::Broken { reason } => next.health = WorkerHealth::Broken(reason),
            AppAction::DismissNotice => next.notice = None,
        }
        Rc::new(next)
    }
}

const SKETCH_MODEL: &str = "sketch";
/// The least confidence at which the prompt as the model's top guess wins a game round: a
/// scribble whose best guess happens to be the prompt at 15% is no win. Finished drawings clear
/// it: the 124 of 131 Quick, Draw! drawings of the exupery set (never used in training) that the
/// sketch model names right all score ≥ 0.3 (≥ 0.5: 98%), by `sketch-classify`.
const WIN_CONFIDENCE: f32 = 0.3;
const PHOTO_MODEL: &str = "photo";

/// The sketch page: the committed strokes and the guess on screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SketchState {
    pub strokes: Rc<Vec<Stroke>>,
    /// Answers to requests numbered below `floor` are for a drawing that no longer exists.
    pub floor: Seq,
    /// The newest answer shown; older ones arriving late are dropped.
    pub shown: Seq,
    pub prediction: Option<Rc<Prediction>>,
    pub error: Option<String>,
}

pub enum SketchAction {
    Commit(Stroke),
    Undo { next_seq: Seq },
    Clear { next_seq: Seq },
    Answer(Response),
}

impl Reducible for SketchState {
    type Action = SketchAction;

    fn reduce(self: Rc<Self>, action: SketchAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            SketchAction::Commit(stroke) if !stroke.is_empty() => {
                Rc::make_mut(&mut next.strokes).push(stroke);
            }
            SketchAction::Commit(_) => return self,
            SketchAction::Undo { next_seq } => {
                Rc::make_mut(&mut next.strokes).pop();
                next.floor = next_seq;
                if next.strokes.is_empty() {
                    next.prediction = None;
                }
                next.error = None;
            }
            SketchAction::Clear { next_seq } => {
                next = SketchState { floor: next_seq, shown: self.shown, ..Default::default() };
            }
            SketchAction::Answer(Response::Prediction(p)) => {
                if p.model != SKETCH_MODEL || !next.is_fresh(p.seq) {
                    return self;
                }
                next.shown = p.seq;
                next.prediction = Some(Rc::new(p));
                next.error = None;
            }
            SketchAction::Answer(Response::Failed { seq, model, message }) => {
                if model != SKETCH_MODEL || !next.is_fresh(seq) {
                    return self;
                }
                next.shown = seq;
                next.error = Some(message);
            }
            SketchAction::Answer(_) => return self,
        }
        Rc::new(next)
    }
}

impl SketchState {
    fn is_fresh(&self, seq: Seq) -> bool {
        seq >= self.floor && seq > self.shown
    }
}

/// The photo page: the newest photo submitted and the answer shown for it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhotoState {
    /// The newest request; only its answer is shown.
    pub latest: Seq,
    pub busy: bool,
    pub source: Option<String>,
    pub prediction: Option<Rc<Prediction>>,
    pub error: Option<String>,
}

pub enum PhotoAction {
    Submitted {
        seq: Seq,
        source: String,
    },
    /// A problem found before the worker saw anything (file too big, camera denied…).
    Refused(String),
    Answer(Response),
}

impl Reducible for PhotoState {
    type Action = PhotoAction;

    fn reduce(self: Rc<Self>, action: PhotoAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PhotoAction::Submitted { seq, source } => {
                next.latest = seq;
                next.busy = true;
                next.source = Some(source);
                next.error = None;
            }
            PhotoAction::Refused(message) => {
                next.busy = false;
                next.error = Some(message);
            }
            PhotoAction::Answer(Response::Prediction(p))
                if p.model == PHOTO_MODEL && p.seq == self.latest =>
            {
                next.busy = false;
                next.prediction = Some(Rc::new(p));
            }
            PhotoAction::Answer(Response::Failed { seq, model, message })
                if model == PHOTO_MODEL && seq == self.latest =>
            {
                next.busy = false;
                next.prediction = None;
                next.error = Some(message);
            }
            PhotoAction::Answer(_) => return self,
        }
        Rc::new(next)
    }
}

/// One finished round of the game.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub prompt: String,
    pub strokes: Rc<Vec<Stroke>>,
    pub guessed: bool,
    /// The player moved on before the time was up.
    pub skipped: bool,
    /// The model's best guesses when the round ended, best first.
    pub top: Vec<Guess>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum GamePhase {
    #[default]
    Intro,
    Drawing,
    /// The round just ended; its result is the last of `results`.
    RoundOver,
    Finished,
}

/// The Quick Draw game: prompts, the drawing of the current round, and the rounds played.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GameState {
    pub phase: GamePhase,
    pub prompts: Vec<String>,
    pub round: usize,
    pub strokes: Rc<Vec<Stroke>>,
    pub floor: Seq,
    pub shown: Seq,
    pub top: Vec<Guess>,
    /// The model is not sure of `top` (nothing is said aloud, the page says "not sure").
    pub not_sure: bool,
    pub results: Vec<Round>,
    /// The stroke being drawn, as last sent for a live guess: a round can be won before the
    /// pen lifts, and the gallery must show what the model saw.
    pub live: Option<Stroke>,
}

pub enum GameAction {
    Start {
        prompts: Vec<String>,
        next_seq: Seq,
    },
    Drawing(Stroke),
    Commit(Stroke),
    Answer(Response),
    /// Start the drawing of this round over; answers for the old drawing are stale.
    Clear {
        next_seq: Seq,
    },
    /// End this round unguessed, now.
    Skip,
    TimeUp,
    Next {
        next_seq: Seq,
    },
}

impl GameState {
    pub fn prompt(&self) -> Option<&str> {
        self.prompts.get(self.round).map(String::as_str)
    }

    fn end_round(&mut self, guessed: bool, skipped: bool) {
        let mut strokes = self.strokes.clone();
        if let Some(live) = self.live.take() {
            Rc::make_mut(&mut strokes).push(live);
        }
        self.results.push(Round {
            prompt: self.prompt().unwrap_or_default().to_string(),
            strokes,
            guessed,
            skipped,
            top: self.top.iter().take(2).cloned().collect(),
        });
        self.phase = GamePhase::RoundOver;
    }
}

impl Reducible for GameState {
    type Action = GameAction;

    fn reduce(self: Rc<Self>, action: GameAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            GameAction::Start { prompts, next_seq } => {
                next = GameState {
                    phase: GamePhase::Drawing,
                    prompts,
                    floor: next_seq,
                    shown: self.shown,
                    ..Default::default()
                };
            }
            GameAction::Drawing(stroke) if self.phase == GamePhase::Drawing => next.live = Some(stroke),
            GameAction::Commit(stroke) if self.phase == GamePhase::Drawing && !stroke.is_empty() => {
                Rc::make_mut(&mut next.strokes).push(stroke);
                next.live = None;
            }
            GameAction::Answer(Response::Prediction(p))
                if self.phase == GamePhase::Drawing
                    && p.model == SKETCH_MODEL
                    && p.seq >= self.floor
                    && p.seq > self.shown =>
            {
                next.shown = p.seq;
                next.top = p.top;
                next.not_sure = p.not_sure;
                let top = next.top.first();
                if top.is_some_and(|g| {
                    Some(g.label.as_str()) == self.prompt() && g.probability >= WIN_CONFIDENCE
                }) {
                    next.end_round(true, false);
                }
            }
            GameAction::Clear { next_seq } if self.phase == GamePhase::Drawing => {
                next.strokes = Rc::default();
                next.live = None;
                next.top.clear();
                next.not_sure = false;
                next.floor = next_seq;
            }
            GameAction::Skip if self.phase == GamePhase::Drawing => next.end_round(false, true),
            GameAction::TimeUp if self.phase == GamePhase::Drawing => next.end_round(false, false),
            GameAction::Next { next_seq } if self.phase == GamePhase::RoundOver => {
                next.round += 1;
                next.strokes = Rc::default();
                next.top.clear();
                next.not_sure = false;
                next.live = None;
                next.floor = next_seq;
                next.phase =
                    if next.round >= next.prompts.len() { GamePhase::Finished } else { GamePhase::Drawing };
            }
            _ => return self,
        }
        Rc::new(next)
    }
}

/// A person's model file: its name and size. The file itself stays a browser `File`/`Blob`
/// that the worker reads (pages/playground.rs); the page never holds its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaygroundPhase {
    Empty,
    Inspecting,
    /// The card is shown; the model is not planned (yet, or it failed).
    Inspected,
    Loading,
    Ready,
}

/// The playground page: a person's model, its card, how to feed it, and its last output.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaygroundState {
    pub phase: PlaygroundPhase,
    pub file: Option<ModelFile>,
    pub labels: Option<(String, String)>,
    pub card: Option<ModelCard>,
    pub spec: Option<InputSpec>,
    pub error: Option<String>,
    pub strokes: Rc<Vec<Stroke>>,
    /// Seq of the newest request sent; an answer older than the one shown is dropped.
    pub output: Option<(Seq, CustomOutputView)>,
    pub load_millis: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomOutputView {
    pub output: Output,
    pub input: Vec<u8>,
    pub side: u32,
    pub channels: u8,
    pub millis: f64,
}

impl Default for PlaygroundState {
    fn default() -> Self {
        PlaygroundState {
            phase: PlaygroundPhase::Empty,
            file: None,
            labels: None,
            card: None,
            spec: None,
            error: None,
            strokes: Rc::new(Vec::new()),
            output: None,
            load_millis: 0.0,
        }
    }
}

pub enum PlaygroundAction {
    /// A model file was read (the page sends it to the worker to inspect).
    Picked(ModelFile),
    /// A labels file (name, text).
    Labels(String, String),
    /// The page refused a file before the worker saw it (too big, unreadable).
    Refused(String),
    Spec(InputSpec),
    LoadRequested,
    Stroke(Stroke),
    ClearInput,
    Worker(Response),
}

impl Reducible for PlaygroundState {
    type Action = PlaygroundAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PlaygroundAction::Picked(file) => {
                // Labels picked before any model are for the model that comes next; a model
                // that replaces another does not inherit that one's labels.
                let labels = if self.file.is_none() { next.labels } else { None };
                next = PlaygroundState { labels, ..Default::default() };
                next.file = Some(file);
                next.phase = PlaygroundPhase::Inspecting;
            }
            PlaygroundAction::Labels(name, text) => next.labels = Some((name, text)),
            PlaygroundAction::Refused(message) => next.error = Some(message),
            PlaygroundAction::Spec(spec) => next.spec = Some(spec),
            PlaygroundAction::LoadRequested => {
                next.phase = PlaygroundPhase::Loading;
                next.error = None;
                next.output = None;
            }
            PlaygroundAction::Stroke(stroke) => Rc::make_mut(&mut next.strokes).push(stroke),
            PlaygroundAction::ClearInput => {
                next.strokes = Rc::new(Vec::new());
                next.output = None;
                next.error = None;
            }
            PlaygroundAction::Worker(response) => return self.answer(response),
        }
        Rc::new(next)
    }
}

impl PlaygroundState {
    fn answer(self: Rc<Self>, response: Response) -> Rc<Self> {
        let mut next = (*self).clone();
        match response {
            Response::Inspected { card } if self.phase == PlaygroundPhase::Inspecting => {
                next.spec = InputSpec::guess(&card);
                next.phase = PlaygroundPhase::Inspected;
                next.card = Some(card);
            }
            Response::InspectFailed { message } if self.phase == PlaygroundPhase::Inspecting => {
                next.phase = PlaygroundPhase::Empty;
                next.error = Some(message);
            }
            // Only while a load is owed: the answer to an earlier model's load, arriving after
            // another file was picked, must not mark that file as loaded.
            Response::Loaded { model, millis, .. }
                if model == CUSTOM_MODEL && self.phase == PlaygroundPhase::Loading =>
            {
                next.phase = PlaygroundPhase::Ready;
                next.load_millis = millis;
            }
            Response::LoadFailed { model, message }
                if model == CUSTOM_MODEL && self.phase == PlaygroundPhase::Loading =>
            {
                next.phase = PlaygroundPhase::Inspected;
                next.error = Some(message);
            }
            Response::CustomOutput { seq, output, input, input_side, input_channels, millis } => {
                if self.output.as_ref().is_some_and(|(shown, _)| *shown > seq) {
                    return self;
                }
                next.error = None;
                let view =
                    CustomOutputView { output, input, side: input_side, channels: input_channels, millis };
                next.output = Some((seq, view));
            }
            Response::Failed { model, message, .. } if model == CUSTOM_MODEL => next.error = Some(message),
            // The worker died (or was restarted) while it held this page's model.
            Response::Panicked { message } if self.phase != PlaygroundPhase::Empty => {
                next.phase =
                    if self.card.is_some() { PlaygroundPhase::Inspected } else { PlaygroundPhase::Empty };
                next.output = None;
                next.error = Some(format!(
                    "The inference worker {} with this model and was restarted. The page is fine: load the model again, or try another.",
                    failure_in_words(&message)
                ));
            }
            _ => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_game_ends_a_round_when_the_prompt_is_the_top_guess_or_time_is_up() {
        let s = Rc::new(GameState::default());
        let s = s.reduce(GameAction::Start { prompts: vec!["house".into(), "cat".into()], next_seq: 1 });
        assert_eq!((s.phase, s.prompt()), (GamePhase::Drawing, Some("house")));
        let s = s.reduce(GameAction::Commit(vec![[0.0, 0.0], [1.0, 1.0]]));
        let s = s.reduce(GameAction::Answer(prediction(1, "book")));
        assert_eq!(s.phase, GamePhase::Drawing, "a wrong guess goes on");
        let s = s.reduce(GameAction::Answer(prediction_at(2, "house", 0.2)));
        assert_eq!(s.phase, GamePhase::Drawing, "the prompt as a hesitant top guess goes on");
        let s = s.reduce(GameAction::Drawing(vec![[5.0, 5.0], [6.0, 9.0]]));
        let s = s.reduce(GameAction::Answer(prediction(3, "house")));
        assert_eq!(s.phase, GamePhase::RoundOver);
        assert!(s.results[0].guessed);
        assert_eq!(s.results[0].strokes.len(), 2, "the stroke still being drawn is part of the drawing");
        let s = s.reduce(GameAction::TimeUp);
        assert_eq!(s.results.len(), 1, "time running out after a win changes nothing");
        let s = s.reduce(GameAction::Next { next_seq: 4 });
        assert_eq!((s.phase, s.prompt(), s.strokes.len()), (GamePhase::Drawing, Some("cat"), 0));
        let s = s.reduce(GameAction::Answer(prediction(3, "cat")));
        assert_eq!(s.phase, GamePhase::Drawing, "an answer about the previous drawing is stale");
        let s = s.reduce(GameAction::TimeUp);
        assert!(!s.results[1].guessed);
        let s = s.reduce(GameAction::Next { next_seq: 5 });
        assert_eq!(s.phase, GamePhase::Finished);
    }

    #[test]
    fn a_late_load_answer_for_the_previous_model_is_not_the_new_ones() {
        let picked = |name: &str| PlaygroundAction::Picked(ModelFile { name: name.into(), size: 1 });
        let s = Rc::new(PlaygroundState::default()).reduce(picked("a.onnx"));
        let s = s.reduce(PlaygroundAction::LoadRequested);
        let s = s.reduce(picked("b.onnx"));
        assert_eq!(s.phase, PlaygroundPhase::Inspecting);
        let late = Response::Loaded { model: CUSTOM_MODEL.into(), millis: 5.0, labels: vec![] };
        let s = s.reduce(PlaygroundAction::Worker(late));
        assert_eq!(s.phase, PlaygroundPhase::Inspecting, "b is still being read");
    }

    #[test]
    fn a_round_can_be_cleared_and_skipped() {
        let s = Rc::new(GameState::default());
        let s = s.reduce(GameAction::Start { prompts: vec!["house".into(), "cat".into()], next_seq: 1 });
        let s = s.reduce(GameAction::Commit(vec![[0.0, 0.0], [1.0, 1.0]]));
        let s = s.reduce(GameAction::Clear { next_seq: 2 });
        assert!(s.strokes.is_empty() && s.top.is_empty());
        let s = s.reduce(GameAction::Answer(prediction(1, "house")));
        assert_eq!(s.phase, GamePhase::Drawing, "an answer about the cleared drawing cannot win the round");
        let s = s.reduce(GameAction::Answer(prediction(2, "cloud")));
        let s = s.reduce(GameAction::Skip);
        assert_eq!(s.phase, GamePhase::RoundOver);
        let round = &s.results[0];
        assert!(round.skipped && !round.guessed);
        assert_eq!(round.top.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(), ["cloud"]);
        assert_eq!(s.reduce(GameAction::Skip).results.len(), 1, "a skip between rounds does nothing");
    }

    #[test]
    fn a_game_keeps_quiet_about_a_guess_the_model_is_not_sure_of() {
        let s = Rc::new(GameState::default());
        let s = s.reduce(GameAction::Start { prompts: vec!["house".into(), "cat".into()], next_seq: 1 });
        let mut unsure = prediction(1, "book");
        if let Response::Prediction(p) = &mut unsure {
            p.not_sure = true;
        }
        let s = s.reduce(GameAction::Answer(unsure));
        assert!(s.not_sure && s.phase == GamePhase::Drawing);
        let s = s.reduce(GameAction::Answer(prediction(2, "bed")));
        assert!(!s.not_sure, "the next sure answer clears it");
        let s = s.reduce(GameAction::TimeUp).reduce(GameAction::Next { next_seq: 3 });
        assert!(!s.not_sure && s.top.is_empty());
    }

    #[test]
    fn the_known_labels_widen_once_the_wider_model_is_in() {
        let ready = |labels: &[&str]| ModelStatus::Ready {
            labels: Rc::new(labels.iter().map(|l| l.to_string()).collect()),
            millis: 1.0,
        };
        let mut app = AppState::default();
        assert!(app.known_labels("sketch").is_empty());
        app.models.insert("sketch".into(), ready(&["cat", "house"]));
        assert_eq!(app.known_labels("sketch"), ["cat", "house"]);
        app.models.insert("doodlenet".into(), ready(&["axe", "cat", "house"]));
        assert_eq!(app.known_labels("sketch"), ["axe", "cat", "house"]);
        assert_eq!(app.known_labels("photo"), Vec::<String>::new());
    }

    fn prediction(seq: Seq, label: &str) -> Response {
        prediction_at(seq, label, 0.8)
    }

    fn prediction_at(seq: Seq, label: &str, probability: f32) -> Response {
        Response::Prediction(Prediction {
            seq,
            model: "sketch".into(),
            top: vec![Guess { label: label.into(), probability }],
            not_sure: false,
            input: vec![0; 784],
            input_side: 28,
            input_channels: 1,
            millis: 1.0,
            infer_millis: 0.5,
        })
    }

    fn reduce(state: Rc<SketchState>, action: SketchAction) -> Rc<SketchState> {
        state.reduce(action)
    }

    fn top(state: &SketchState) -> Option<&str> {
        state.prediction.as_ref().map(|p| p.top[0].label.as_str())
    }

    #[test]
    fn photo_page_shows_only_the_newest_photos_answer_and_errors_clear_it() {
        let p = |seq: Seq| match prediction(seq, "cat") {
            Response::Prediction(mut p) => {
                p.model = "photo".into();
                Response::Prediction(p)
            }
            _ => unreachable!(),
        };
        let s = Rc::new(PhotoState::default());
        let s = s.reduce(PhotoAction::Submitted { seq: 1, source: "a.jpg".into() });
        let s = s.reduce(PhotoAction::Submitted { seq: 2, source: "b.jpg".into() });
        let s = s.reduce(PhotoAction::Answer(p(1)));
        assert!(s.prediction.is_none() && s.busy, "the answer to a replaced photo is dropped");
        let s = s.reduce(PhotoAction::Answer(prediction(2, "sketch answer")));
        assert!(s.prediction.is_none(), "answers for other models are ignored");
        let s = s.reduce(PhotoAction::Answer(p(2)));
        assert!(s.prediction.is_some() && !s.busy);
        let s = s.reduce(PhotoAction::Submitted { seq: 3, source: "bad.jpg".into() });
        let s = s.reduce(PhotoAction::Answer(Response::Failed {
            seq: 3,
            model: "photo".into(),
            message: "damaged".into(),
        }));
        assert_eq!(s.error.as_deref(), Some("damaged"));
        assert!(s.prediction.is_none());
    }

    #[test]
    fn stale_answers_are_dropped() {
        let s = Rc::new(SketchState::default());
        let s = reduce(s, SketchAction::Commit(vec![[0.0, 0.0], [1.0, 1.0]]));
        let s = reduce(s, SketchAction::Answer(prediction(2, "cat")));
        let s = reduce(s, SketchAction::Answer(prediction(1, "dog")));
        assert_eq!(top(&s), Some("cat"));
    }

    #[test]
    fn answers_for_a_cleared_drawing_never_show() {
        let s = Rc::new(SketchState::default());
        let s = reduce(s, SketchAction::Commit(vec![[0.0, 0.0]]));
        let s = reduce(s, SketchAction::Clear { next_seq: 5 });
        let s = reduce(s, SketchAction::Answer(prediction(4, "cat")));
        assert!(s.prediction.is_none() && s.strokes.is_empty());
        let s = reduce(s, SketchAction::Answer(prediction(5, "house")));
        assert_eq!(top(&s), Some("house"));
    }

    #[test]
    fn undo_removes_the_last_stroke_and_clears_the_guess_when_empty() {
        let s = Rc::new(SketchState::default());
        let s = reduce(s, SketchAction::Commit(vec![[0.0, 0.0]]));
        let s = reduce(s, SketchAction::Commit(vec![[1.0, 1.0]]));
        let s = reduce(s, SketchAction::Answer(prediction(1, "cat")));
        let s = reduce(s, SketchAction::Undo { next_seq: 2 });
        assert_eq!(s.strokes.len(), 1);
        assert_eq!(top(&s), Some("cat"), "the old guess stays until the new one arrives");
        let s = reduce(s, SketchAction::Undo { next_seq: 3 });
        assert!(s.strokes.is_empty() && s.prediction.is_none());
    }

    #[test]
    fn empty_strokes_are_not_committed() {
        let s = Rc::new(SketchState::default());
        assert!(reduce(s, SketchAction::Commit(vec![])).strokes.is_empty());
    }

    #[test]
    fn restart_marks_models_as_loading_and_tells_the_user() {
        let s = Rc::new(AppState::default());
        let s = s.reduce(AppAction::Worker(Response::Loaded {
            model: "sketch".into(),
            labels: vec!["cat".into()],
            millis: 3.0,
        }));
        assert!(s.model_ready("sketch"));
        let s = s.reduce(AppAction::Restarted { reason: "panic".into() });
        assert!(!s.model_ready("sketch"));
        assert!(s.notice.as_deref().unwrap().contains("restarted"));
    }

    #[test]
    fn a_dead_worker_is_explained_in_words_never_with_the_panic_text() {
        let raw = "panicked at /rustc/59807616e1fa/library/alloc/src/raw_vec/mod.rs:28:5:\ncapacity overflow";
        let s = Rc::new(AppState::default()).reduce(AppAction::Restarted { reason: raw.into() });
        let notice = s.notice.clone().unwrap();
        assert!(notice.contains("ran out of memory") && notice.contains("restarted"), "{notice}");
        for leak in ["panicked", "rustc", ".rs:", "capacity overflow"] {
            assert!(!notice.contains(leak), "{notice}");
        }
        let s = s.reduce(AppAction::Restarted {
            reason: "panicked at src/bin/worker/runtime.rs:118:44:\nsabotage".into(),
        });
        assert!(s.notice.as_deref().unwrap().contains("internal error"), "{:?}", s.notice);
        assert_eq!(failure_in_words("it stopped answering"), "stopped answering");
        assert_eq!(
            failure_in_words("RuntimeError: Out of memory: Cannot allocate Wasm memory"),
            "ran out of memory"
        );
    }

    fn output(seq: Seq) -> Response {
        use playground_core::custom::Scores;
        Response::CustomOutput {
            seq,
            output: Output { values: vec![seq as f32], output_len: 1, scores: Scores::Raw, top: Vec::new() },
            input: Vec::new(),
            input_side: 0,
            input_channels: 1,
            millis: 1.0,
        }
    }

    fn picked() -> Rc<PlaygroundState> {
        let file = ModelFile { name: "m.onnx".into(), size: 3 };
        Rc::new(PlaygroundState::default()).reduce(PlaygroundAction::Picked(file))
    }

    #[test]
    fn labels_go_to_the_next_model_only_when_picked_before_it() {
        let labels = || PlaygroundAction::Labels("l.txt".into(), "a\nb".into());
        let file = |name: &str| ModelFile { name: name.into(), size: 1 };
        let s = Rc::new(PlaygroundState::default()).reduce(labels());
        let s = s.reduce(PlaygroundAction::Picked(file("a.onnx")));
        assert!(s.labels.is_some(), "picked first, for this model");
        let s = s.reduce(PlaygroundAction::Picked(file("b.onnx")));
        assert_eq!(s.labels, None, "the previous model's labels do not carry over");
    }

    #[test]
    fn playground_drops_an_older_output_than_the_one_shown() {
        let s = picked().reduce(PlaygroundAction::Worker(output(5)));
        let s = s.reduce(PlaygroundAction::Worker(output(3)));
        assert_eq!(s.output.as_ref().unwrap().0, 5);
        let s = s.reduce(PlaygroundAction::Worker(output(6)));
        assert_eq!(s.output.as_ref().unwrap().0, 6);
    }

    #[test]
    fn playground_survives_a_worker_crash_and_a_bad_file() {
        let s =
            picked().reduce(PlaygroundAction::Worker(Response::InspectFailed { message: "not ONNX".into() }));
        assert_eq!(s.phase, PlaygroundPhase::Empty);
        assert_eq!(s.error.as_deref(), Some("not ONNX"));
        // Panicked while reading: back to no model, with a message that says what happened.
        let s = picked().reduce(PlaygroundAction::Worker(Response::Panicked { message: "boom".into() }));
        assert_eq!(s.phase, PlaygroundPhase::Empty);
        // In words: the panic's own text stays in the console.
        let said = s.error.as_deref().unwrap();
        assert!(said.contains("internal error") && !said.contains("boom"), "{said}");
        // Another model's load answer is not the playground's.
        let s = picked().reduce(PlaygroundAction::Worker(Response::Loaded {
            model: "sketch".into(),
            labels: Vec::new(),
            millis: 1.0,
        }));
        assert_eq!(s.phase, PlaygroundPhase::Inspecting);
    }
}

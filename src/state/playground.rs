//! The playground page: a person's model, its card, how to feed it, and its last output.

use crate::state::app::failure_in_words;
use crate::state::fresh::Fresh;
use playground_core::input::InputSpec;
use playground_core::inspect::ModelCard;
use playground_core::protocol::{Prediction, Reply, RequestId};
use playground_core::sketch::Stroke;
use std::rc::Rc;
use yew::Reducible;

/// A person's model file: its name and size. The file itself stays a browser `File`/`Blob`
/// that the worker reads (pages/playground.rs); the page never holds its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFile {
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlaygroundPhase {
    #[default]
    Empty,
    Inspecting,
    /// The card is shown; the model is not planned (yet, or it failed).
    Inspected,
    Loading,
    Ready,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlaygroundState {
    pub phase: PlaygroundPhase,
    pub file: Option<ModelFile>,
    pub labels: Option<(String, String)>,
    pub card: Option<ModelCard>,
    pub spec: Option<InputSpec>,
    pub error: Option<String>,
    pub strokes: Rc<Vec<Stroke>>,
    /// The inspect or load request the page waits for: a reply to any earlier one (another
    /// file's card, a load the person replaced) is not this file's.
    pub awaiting: Option<RequestId>,
    /// Which run's answer may show (the drawing or photo changed, the model was reloaded).
    pub fresh: Fresh,
    /// The answer shown, with the id of the run it answers.
    pub output: Option<(RequestId, Rc<Prediction>)>,
    pub load_millis: f64,
}

pub enum PlaygroundAction {
    /// A model file was picked and sent to the worker to inspect (request `inspect`).
    Picked {
        file: ModelFile,
        inspect: RequestId,
    },
    /// A labels file (name, text).
    Labels(String, String),
    /// The page refused a file before the worker saw it (too big, unreadable).
    Refused(String),
    Spec(InputSpec),
    /// The model was sent to the worker to plan (request `load`).
    LoadRequested {
        load: RequestId,
    },
    Stroke(Stroke),
    /// `next`: the id the next request will get (answers to earlier runs are stale).
    ClearInput {
        next: RequestId,
    },
    Reply(RequestId, Reply),
    /// The worker died (or was restarted) and took the person's model with it.
    WorkerRestarted(String),
}

impl Reducible for PlaygroundState {
    type Action = PlaygroundAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PlaygroundAction::Picked { file, inspect } => {
                // Labels picked before any model are for the model that comes next; a model
                // that replaces another does not inherit that one's labels.
                let labels = if self.file.is_none() { next.labels } else { None };
                next = PlaygroundState { labels, fresh: self.fresh, ..Default::default() };
                next.fresh.input_changed(inspect);
                next.file = Some(file);
                next.phase = PlaygroundPhase::Inspecting;
                next.awaiting = Some(inspect);
            }
            PlaygroundAction::Labels(name, text) => next.labels = Some((name, text)),
            PlaygroundAction::Refused(message) => next.error = Some(message),
            PlaygroundAction::Spec(spec) => next.spec = Some(spec),
            PlaygroundAction::LoadRequested { load } => {
                next.phase = PlaygroundPhase::Loading;
                next.awaiting = Some(load);
                next.fresh.input_changed(load);
                next.error = None;
                next.output = None;
            }
            PlaygroundAction::Stroke(stroke) => Rc::make_mut(&mut next.strokes).push(stroke),
            PlaygroundAction::ClearInput { next: id } => {
                next.strokes = Rc::new(Vec::new());
                next.output = None;
                next.error = None;
                next.fresh.input_changed(id);
            }
            PlaygroundAction::Reply(id, reply) if self.awaiting == Some(id) => return self.settle(reply),
            PlaygroundAction::Reply(id, Reply::Prediction(p)) if next.fresh.admit(id) => {
                next.error = None;
                next.output = Some((id, Rc::new(p)));
            }
            PlaygroundAction::Reply(id, Reply::Failed(message)) if next.fresh.admit(id) => {
                next.error = Some(message)
            }
            PlaygroundAction::Reply(..) => return self,
            PlaygroundAction::WorkerRestarted(message) if self.phase != PlaygroundPhase::Empty => {
                next.phase =
                    if self.card.is_some() { PlaygroundPhase::Inspected } else { PlaygroundPhase::Empty };
                next.awaiting = None;
                next.output = None;
                next.error = Some(format!(
                    "The inference worker {} with this model and was restarted. The page is fine: load the model again, or try another.",
                    failure_in_words(&message)
                ));
            }
            PlaygroundAction::WorkerRestarted(_) => return self,
        }
        Rc::new(next)
    }
}

impl PlaygroundState {
    /// The reply to the inspect or load the page waits for.
    fn settle(self: Rc<Self>, reply: Reply) -> Rc<Self> {
        let mut next = (*self).clone();
        next.awaiting = None;
        match (self.phase, reply) {
            (PlaygroundPhase::Inspecting, Reply::Inspected(card)) => {
                next.spec = card.input_spec();
                next.phase = PlaygroundPhase::Inspected;
                next.card = Some(card);
            }
            (PlaygroundPhase::Inspecting, Reply::Failed(message)) => {
                next.phase = PlaygroundPhase::Empty;
                next.error = Some(message);
            }
            (PlaygroundPhase::Loading, Reply::Loaded { millis, .. }) => {
                next.phase = PlaygroundPhase::Ready;
                next.load_millis = millis;
            }
            (PlaygroundPhase::Loading, Reply::Failed(message)) => {
                next.phase = PlaygroundPhase::Inspected;
                next.error = Some(message);
            }
            // Progress, or a reply that does not fit the phase: still waiting.
            _ => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playground_core::input::View;
    use playground_core::inspect::{ModelCard, Params};
    use playground_core::postprocess::{Answer, Scores};

    fn output(value: f32) -> Reply {
        Reply::Prediction(Prediction {
            answer: Answer {
                top: Vec::new(),
                not_sure: false,
                scores: Scores::Raw,
                values: vec![value],
                output_len: 1,
            },
            view: View { pixels: Vec::new(), side: 0, channels: 1 },
            millis: 1.0,
            infer_millis: 1.0,
        })
    }

    fn shown(s: &PlaygroundState) -> Option<f32> {
        s.output.as_ref().map(|(_, p)| p.answer.values[0])
    }

    fn file(name: &str) -> ModelFile {
        ModelFile { name: name.into(), size: 3 }
    }

    fn card(producer: &str) -> ModelCard {
        ModelCard {
            file_bytes: 3,
            ir_version: 8,
            producer_name: producer.into(),
            producer_version: String::new(),
            opsets: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            node_count: 0,
            ops: Vec::new(),
            params: Params { count: 0, bytes: 0, tensors: 0, external_tensors: 0 },
            unsupported_ops: Vec::new(),
            tract_error: None,
            notes: Vec::new(),
            image_input: None,
        }
    }

    /// A model picked (inspect 1), inspected, loaded (load 2): ready to run.
    fn ready() -> Rc<PlaygroundState> {
        Rc::new(PlaygroundState::default())
            .reduce(PlaygroundAction::Picked { file: file("m.onnx"), inspect: 1 })
            .reduce(PlaygroundAction::Reply(1, Reply::Inspected(card("m"))))
            .reduce(PlaygroundAction::LoadRequested { load: 2 })
            .reduce(PlaygroundAction::Reply(2, Reply::Loaded { labels: Vec::new(), millis: 5.0 }))
    }

    #[test]
    fn a_late_load_answer_for_the_previous_model_is_not_the_new_ones() {
        let s = Rc::new(PlaygroundState::default())
            .reduce(PlaygroundAction::Picked { file: file("a.onnx"), inspect: 1 });
        let s = s.reduce(PlaygroundAction::LoadRequested { load: 2 });
        let s = s.reduce(PlaygroundAction::Picked { file: file("b.onnx"), inspect: 3 });
        assert_eq!(s.phase, PlaygroundPhase::Inspecting);
        let s = s.reduce(PlaygroundAction::Reply(2, Reply::Loaded { millis: 5.0, labels: vec![] }));
        assert_eq!(s.phase, PlaygroundPhase::Inspecting, "b is still being read");
    }

    #[test]
    fn the_card_of_a_model_picked_before_is_not_the_new_ones() {
        // Picking A then B quickly: A's card arrives while B is being read.
        let s = Rc::new(PlaygroundState::default())
            .reduce(PlaygroundAction::Picked { file: file("a.onnx"), inspect: 1 });
        let s = s.reduce(PlaygroundAction::Picked { file: file("b.onnx"), inspect: 2 });
        let s = s.reduce(PlaygroundAction::Reply(1, Reply::Inspected(card("a"))));
        assert_eq!(
            (s.phase, s.card.is_none()),
            (PlaygroundPhase::Inspecting, true),
            "A's card under B's name"
        );
        let s = s.reduce(PlaygroundAction::Reply(1, Reply::Failed("a is broken".into())));
        assert_eq!((s.phase, &s.error), (PlaygroundPhase::Inspecting, &None), "nor A's failure");
        let s = s.reduce(PlaygroundAction::Reply(2, Reply::Inspected(card("b"))));
        assert_eq!(s.phase, PlaygroundPhase::Inspected);
        assert_eq!(
            (s.file.as_ref().unwrap().name.as_str(), s.card.as_ref().unwrap().producer_name.as_str()),
            ("b.onnx", "b")
        );
    }

    #[test]
    fn clear_stops_a_late_answer_for_the_cleared_drawing() {
        let s = ready().reduce(PlaygroundAction::Stroke(vec![[0.0, 0.0], [5.0, 5.0]]));
        // Run 3 asked about the drawing; the person clears before it answers.
        let s = s.reduce(PlaygroundAction::ClearInput { next: 4 });
        let s = s.reduce(PlaygroundAction::Reply(3, output(3.0)));
        assert_eq!(shown(&s), None, "the cleared drawing's answer came back");
        let s = s.reduce(PlaygroundAction::Reply(3, Reply::Failed("late".into())));
        assert_eq!(s.error, None);
        let s = s.reduce(PlaygroundAction::Reply(4, output(4.0)));
        assert_eq!(shown(&s), Some(4.0));
    }

    #[test]
    fn a_run_before_a_reload_does_not_answer_for_the_reloaded_model() {
        let s = ready().reduce(PlaygroundAction::LoadRequested { load: 4 });
        let s = s.reduce(PlaygroundAction::Reply(3, output(3.0)));
        assert_eq!(shown(&s), None);
    }

    #[test]
    fn labels_go_to_the_next_model_only_when_picked_before_it() {
        let labels = || PlaygroundAction::Labels("l.txt".into(), "a\nb".into());
        let s = Rc::new(PlaygroundState::default()).reduce(labels());
        let s = s.reduce(PlaygroundAction::Picked { file: file("a.onnx"), inspect: 1 });
        assert!(s.labels.is_some(), "picked first, for this model");
        let s = s.reduce(PlaygroundAction::Picked { file: file("b.onnx"), inspect: 2 });
        assert_eq!(s.labels, None, "the previous model's labels do not carry over");
    }

    #[test]
    fn playground_drops_an_older_output_than_the_one_shown() {
        let s = ready().reduce(PlaygroundAction::Reply(5, output(5.0)));
        let s = s.reduce(PlaygroundAction::Reply(3, output(3.0)));
        assert_eq!(shown(&s), Some(5.0));
        let s = s.reduce(PlaygroundAction::Reply(6, output(6.0)));
        assert_eq!(shown(&s), Some(6.0));
    }

    #[test]
    fn playground_survives_a_worker_crash_and_a_bad_file() {
        let picked = || {
            Rc::new(PlaygroundState::default())
                .reduce(PlaygroundAction::Picked { file: file("m.onnx"), inspect: 1 })
        };
        let s = picked().reduce(PlaygroundAction::Reply(1, Reply::Failed("not ONNX".into())));
        assert_eq!(s.phase, PlaygroundPhase::Empty);
        assert_eq!(s.error.as_deref(), Some("not ONNX"));
        // Died while reading: back to no model, with a message that says what happened.
        let s = picked().reduce(PlaygroundAction::WorkerRestarted("boom".into()));
        assert_eq!(s.phase, PlaygroundPhase::Empty);
        // In words: the panic's own text stays in the console.
        let said = s.error.as_deref().unwrap();
        assert!(said.contains("internal error") && !said.contains("boom"), "{said}");
        // Another request's load answer is not the playground's.
        let s =
            picked().reduce(PlaygroundAction::Reply(7, Reply::Loaded { labels: Vec::new(), millis: 1.0 }));
        assert_eq!(s.phase, PlaygroundPhase::Inspecting);
    }
}

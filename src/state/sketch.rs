//! The sketch page: the committed strokes and the guess on screen.

use crate::state::fresh::Fresh;
use playground_core::protocol::{Prediction, Reply, RequestId};
use playground_core::sketch::Stroke;
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SketchState {
    pub strokes: Rc<Vec<Stroke>>,
    pub fresh: Fresh,
    pub prediction: Option<Rc<Prediction>>,
    /// The request `prediction` answers (0: none), for the page's `data-seq`.
    pub prediction_id: RequestId,
    pub error: Option<String>,
}

pub enum SketchAction {
    Commit(Stroke),
    /// `next`: the id the next request will get (answers to earlier ones are stale).
    Undo {
        next: RequestId,
    },
    Clear {
        next: RequestId,
    },
    Answer(RequestId, Reply),
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
            SketchAction::Undo { next: id } => {
                Rc::make_mut(&mut next.strokes).pop();
                next.fresh.input_changed(id);
                if next.strokes.is_empty() {
                    next.prediction = None;
                    next.prediction_id = 0;
                }
                next.error = None;
            }
            SketchAction::Clear { next: id } => {
                next = SketchState { fresh: self.fresh, ..Default::default() };
                next.fresh.input_changed(id);
            }
            SketchAction::Answer(id, Reply::Prediction(p)) if next.fresh.admit(id) => {
                next.prediction = Some(Rc::new(p));
                next.prediction_id = id;
                next.error = None;
            }
            SketchAction::Answer(id, Reply::Failed(message)) if next.fresh.admit(id) => {
                next.error = Some(message);
            }
            SketchAction::Answer(..) => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use playground_core::input::View;
    use playground_core::postprocess::{Answer, Guess, Scores};

    pub(crate) fn prediction_at(label: &str, probability: f32) -> Reply {
        Reply::Prediction(Prediction {
            answer: Answer {
                top: vec![Guess { label: label.into(), probability }],
                not_sure: false,
                scores: Scores::Softmax,
                values: Vec::new(),
                output_len: 64,
            },
            view: View { pixels: vec![0; 784], side: 28, channels: 1 },
            millis: 1.0,
            infer_millis: 0.5,
        })
    }

    pub(crate) fn prediction(label: &str) -> Reply {
        prediction_at(label, 0.8)
    }

    fn top(state: &SketchState) -> Option<&str> {
        state.prediction.as_ref().map(|p| p.answer.top[0].label.as_str())
    }

    #[test]
    fn stale_answers_are_dropped() {
        let s = Rc::new(SketchState::default());
        let s = s.reduce(SketchAction::Commit(vec![[0.0, 0.0], [1.0, 1.0]]));
        let s = s.reduce(SketchAction::Answer(2, prediction("cat")));
        let s = s.reduce(SketchAction::Answer(1, prediction("dog")));
        assert_eq!(top(&s), Some("cat"));
    }

    #[test]
    fn answers_for_a_cleared_drawing_never_show() {
        let s = Rc::new(SketchState::default());
        let s = s.reduce(SketchAction::Commit(vec![[0.0, 0.0]]));
        let s = s.reduce(SketchAction::Clear { next: 5 });
        let s = s.reduce(SketchAction::Answer(4, prediction("cat")));
        assert!(s.prediction.is_none() && s.strokes.is_empty());
        let s = s.reduce(SketchAction::Answer(5, prediction("house")));
        assert_eq!(top(&s), Some("house"));
    }

    #[test]
    fn undo_removes_the_last_stroke_and_clears_the_guess_when_empty() {
        let s = Rc::new(SketchState::default());
        let s = s.reduce(SketchAction::Commit(vec![[0.0, 0.0]]));
        let s = s.reduce(SketchAction::Commit(vec![[1.0, 1.0]]));
        let s = s.reduce(SketchAction::Answer(1, prediction("cat")));
        let s = s.reduce(SketchAction::Undo { next: 2 });
        assert_eq!(s.strokes.len(), 1);
        assert_eq!(top(&s), Some("cat"), "the old guess stays until the new one arrives");
        let s = s.reduce(SketchAction::Undo { next: 3 });
        assert!(s.strokes.is_empty() && s.prediction.is_none());
    }

    #[test]
    fn empty_strokes_are_not_committed() {
        let s = Rc::new(SketchState::default());
        assert!(s.reduce(SketchAction::Commit(vec![])).strokes.is_empty());
    }
}

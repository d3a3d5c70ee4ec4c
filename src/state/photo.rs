//! The photo page: the newest photo submitted and the answer shown for it.

use crate::state::fresh::Fresh;
use playground_core::protocol::{Prediction, Reply, RequestId};
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhotoState {
    /// Only answers about the newest photo show.
    pub fresh: Fresh,
    pub busy: bool,
    pub source: Option<String>,
    pub prediction: Option<Rc<Prediction>>,
    /// The request `prediction` answers (0: none), for the page's `data-seq`.
    pub prediction_id: RequestId,
    pub error: Option<String>,
}

pub enum PhotoAction {
    /// A photo was given; `next` is the id its request gets (sent now, or once the model is in).
    Submitted {
        next: RequestId,
        source: String,
    },
    /// A problem found before the worker saw anything (file too big, camera denied…).
    Refused(String),
    Answer(RequestId, Reply),
}

impl Reducible for PhotoState {
    type Action = PhotoAction;

    fn reduce(self: Rc<Self>, action: PhotoAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            PhotoAction::Submitted { next: id, source } => {
                next.fresh.input_changed(id);
                next.busy = true;
                next.source = Some(source);
                next.error = None;
            }
            PhotoAction::Refused(message) => {
                next.busy = false;
                next.error = Some(message);
            }
            PhotoAction::Answer(id, Reply::Prediction(p)) if next.fresh.admit(id) => {
                next.busy = false;
                next.prediction = Some(Rc::new(p));
                next.prediction_id = id;
            }
            PhotoAction::Answer(id, Reply::Failed(message)) if next.fresh.admit(id) => {
                next.busy = false;
                next.prediction = None;
                next.prediction_id = 0;
                next.error = Some(message);
            }
            PhotoAction::Answer(..) => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::sketch::tests::prediction;

    #[test]
    fn photo_page_shows_only_the_newest_photos_answer_and_errors_clear_it() {
        let s = Rc::new(PhotoState::default());
        let s = s.reduce(PhotoAction::Submitted { next: 1, source: "a.jpg".into() });
        let s = s.reduce(PhotoAction::Submitted { next: 2, source: "b.jpg".into() });
        let s = s.reduce(PhotoAction::Answer(1, prediction("cat")));
        assert!(s.prediction.is_none() && s.busy, "the answer to a replaced photo is dropped");
        let s = s.reduce(PhotoAction::Answer(2, prediction("cat")));
        assert!(s.prediction.is_some() && !s.busy);
        let s = s.reduce(PhotoAction::Submitted { next: 3, source: "bad.jpg".into() });
        let s = s.reduce(PhotoAction::Answer(3, Reply::Failed("damaged".into())));
        assert_eq!(s.error.as_deref(), Some("damaged"));
        assert!(s.prediction.is_none());
    }
}

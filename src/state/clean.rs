//! The "fix a grainy photo" page: the photo given, the grain to add and how strongly to clean,
//! the cleaning under way (progress, cancel) and the last result. New settings clean the same
//! photo again; only the newest cleaning's answers show.

use crate::state::fresh::Fresh;
use playground_core::input::CleanOptions;
use playground_core::protocol::{Cleaned, Reply, RequestId};
use std::rc::Rc;
use yew::Reducible;

/// Grain added to a photo at first: a clean phone photo shows what the model does (σ 0.10 is
/// where models/denoise/MODEL.md measures it).
pub const DEFAULT_GRAIN: f32 = 0.10;

#[derive(Debug, Clone, PartialEq)]
pub struct CleanState {
    pub fresh: Fresh,
    /// The photo's bytes, kept so that new settings clean it again, and where it came from.
    pub photo: Option<Rc<Vec<u8>>>,
    pub source: Option<String>,
    /// Noise added before cleaning (0: clean the photo as it is).
    pub grain: f32,
    /// The noise level to remove (`None`: the one the worker reads in the photo).
    pub strength: Option<f32>,
    /// The grain's draws: new with each photo, kept when only the settings change.
    pub seed: u64,
    /// The cleaning under way (what Cancel stops), and its tiles done and in all.
    pub working: Option<RequestId>,
    pub progress: (u64, u64),
    pub result: Option<Rc<Cleaned>>,
    pub error: Option<String>,
    /// Worker restarts during this photo's cleanings: after a second, it is not asked again
    /// on its own (the photo may be what stops the worker).
    pub crashes: u32,
    /// "Clean this photo" presses: each asks again with the same settings.
    pub attempt: u32,
}

impl Default for CleanState {
    fn default() -> Self {
        CleanState {
            fresh: Fresh::default(),
            photo: None,
            source: None,
            grain: DEFAULT_GRAIN,
            strength: None,
            seed: 0,
            working: None,
            progress: (0, 0),
            result: None,
            error: None,
            crashes: 0,
            attempt: 0,
        }
    }
}

impl CleanState {
    /// What the next cleaning asks for.
    pub fn options(&self) -> CleanOptions {
        CleanOptions { grain: self.grain, seed: self.seed, strength: self.strength }
    }

    /// The settings a cleaning is asked for: a new photo, grain or strength (the page asks
    /// again when they change).
    pub fn wanted(&self) -> Option<(*const Vec<u8>, u32, Option<u32>, u32)> {
        let photo = self.photo.as_ref().filter(|_| self.crashes < MAX_CRASHES)?;
        Some((Rc::as_ptr(photo), self.grain.to_bits(), self.strength.map(f32::to_bits), self.attempt))
    }
}

pub enum CleanAction {
    /// A photo was given; `seed` draws its grain.
    Photo {
        source: String,
        bytes: Vec<u8>,
        seed: u64,
    },
    Grain(f32),
    Strength(Option<f32>),
    /// A cleaning was sent as request `id` (the one before it, if any, was cancelled).
    Asked(RequestId),
    /// "Cancel": `next` is the id the next request gets; what comes for earlier ones is dropped.
    Cancel {
        next: RequestId,
    },
    /// A problem found before the worker saw anything (file too big, camera denied…).
    Refused(String),
    /// The worker was replaced: what it was doing is lost.
    WorkerRestarted,
    /// "Clean this photo": again, after a cancel, a failure or crashes.
    Again,
    Answer(RequestId, Reply),
}

/// Worker restarts during one photo's cleanings before the page stops asking by itself.
pub const MAX_CRASHES: u32 = 2;

impl Reducible for CleanState {
    type Action = CleanAction;

    fn reduce(self: Rc<Self>, action: CleanAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            CleanAction::Photo { source, bytes, seed } => {
                next.crashes = 0;
                next.photo = Some(Rc::new(bytes));
                next.source = Some(source);
                next.seed = seed;
                next.result = None;
                next.error = None;
            }
            CleanAction::Grain(grain) => next.grain = grain,
            CleanAction::Strength(strength) => next.strength = strength,
            CleanAction::Asked(id) => {
                next.fresh.input_changed(id);
                next.working = Some(id);
                next.progress = (0, 0);
                next.error = None;
            }
            CleanAction::Cancel { next: id } => {
                next.fresh.input_changed(id);
                next.working = None;
            }
            CleanAction::Refused(message) => next.error = Some(message),
            CleanAction::WorkerRestarted => {
                if next.working.take().is_some() {
                    next.crashes += 1;
                    next.progress = (0, 0);
                    if next.crashes >= MAX_CRASHES {
                        next.error = Some(
                            "Cleaning this photo stopped the page's worker twice: try a smaller photo."
                                .into(),
                        );
                    }
                }
            }
            CleanAction::Again => {
                next.crashes = 0;
                next.attempt += 1;
                next.error = None;
            }
            CleanAction::Answer(id, Reply::Progress { loaded, total }) if next.fresh.would_admit(id) => {
                next.progress = (loaded, total.unwrap_or(loaded));
            }
            CleanAction::Answer(id, Reply::Cleaned(cleaned)) if next.fresh.admit(id) => {
                next.working = None;
                next.result = Some(Rc::new(cleaned));
            }
            CleanAction::Answer(id, Reply::Failed(message)) if next.fresh.admit(id) => {
                next.working = None;
                next.result = None;
                next.error = Some(message);
            }
            CleanAction::Answer(..) => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(sigma: f32) -> Reply {
        Reply::Cleaned(Cleaned {
            width: 1,
            height: 1,
            before: vec![0, 0, 0, 255],
            after: vec![1, 1, 1, 255],
            sigma,
            shrunk_from: None,
            tiles: 3,
            cores: 1,
            millis: 5.0,
        })
    }

    fn with_photo() -> Rc<CleanState> {
        Rc::new(CleanState::default()).reduce(CleanAction::Photo {
            source: "a.jpg".into(),
            bytes: vec![1, 2, 3],
            seed: 7,
        })
    }

    #[test]
    fn new_settings_ask_again_with_the_same_grain_and_a_new_photo_with_new_grain() {
        let s = with_photo();
        let first = s.wanted().unwrap();
        assert_eq!(s.options(), CleanOptions { grain: DEFAULT_GRAIN, seed: 7, strength: None });
        let s = s.reduce(CleanAction::Strength(Some(0.05)));
        assert_ne!(s.wanted().unwrap(), first, "a new strength is a new cleaning");
        assert_eq!(s.options().seed, 7, "of the same noisy photo");
        let s = s.reduce(CleanAction::Photo { source: "b.jpg".into(), bytes: vec![1, 2, 3], seed: 8 });
        assert_ne!(s.wanted().unwrap().0, first.0, "the same bytes given again are a new photo");
        assert!(Rc::new(CleanState::default()).wanted().is_none());
    }

    #[test]
    fn progress_then_the_photo_and_only_the_newest_cleanings() {
        let s = with_photo().reduce(CleanAction::Asked(3));
        let s = s.reduce(CleanAction::Answer(3, Reply::Progress { loaded: 2, total: Some(12) }));
        assert_eq!((s.working, s.progress), (Some(3), (2, 12)));
        // New settings while it runs: the page cancels 3 and asks 4.
        let s = s.reduce(CleanAction::Asked(4));
        let s = s.reduce(CleanAction::Answer(3, Reply::Progress { loaded: 3, total: Some(12) }));
        let s = s.reduce(CleanAction::Answer(3, cleaned(0.1)));
        assert!(s.result.is_none() && s.progress == (0, 0), "the old cleaning's answers are dropped");
        let s = s.reduce(CleanAction::Answer(4, Reply::Progress { loaded: 12, total: Some(12) }));
        let s = s.reduce(CleanAction::Answer(4, cleaned(0.1)));
        assert_eq!(s.result.as_ref().unwrap().sigma, 0.1);
        assert_eq!(s.working, None);
        let s = s.reduce(CleanAction::Answer(4, Reply::Cancelled));
        assert!(s.result.is_some());
    }

    #[test]
    fn a_restart_mid_photo_asks_again_once_then_says_so() {
        let s = with_photo().reduce(CleanAction::Asked(1));
        let s = s.reduce(CleanAction::WorkerRestarted);
        assert!(s.working.is_none() && s.wanted().is_some(), "asked again when the worker is back");
        let s = s.reduce(CleanAction::Asked(2)).reduce(CleanAction::WorkerRestarted);
        assert!(s.wanted().is_none(), "not a third time on its own");
        assert!(s.error.as_deref().unwrap().contains("smaller photo"));
        let s = s.reduce(CleanAction::Again);
        assert!(s.wanted().is_some() && s.error.is_none());
        let idle = Rc::new(CleanState::default()).reduce(CleanAction::WorkerRestarted);
        assert_eq!(idle.crashes, 0, "a restart while idle is nobody's fault here");
    }

    #[test]
    fn cancel_drops_late_answers_and_failures_say_why() {
        let s = with_photo().reduce(CleanAction::Asked(1));
        let s = s.reduce(CleanAction::Cancel { next: 2 });
        assert_eq!(s.working, None);
        let s = s.reduce(CleanAction::Answer(1, cleaned(0.1)));
        assert!(s.result.is_none(), "finished just before the cancel arrived: still cancelled");
        let s = s.reduce(CleanAction::Asked(2));
        let s = s.reduce(CleanAction::Answer(
            2,
            Reply::Failed("this is not a JPEG, PNG, WebP or GIF image".into()),
        ));
        assert!(s.error.as_deref().unwrap().contains("not a JPEG") && s.working.is_none());
        let s = s.reduce(CleanAction::Photo { source: "c.jpg".into(), bytes: vec![9], seed: 1 });
        assert!(s.error.is_none(), "a new photo clears the old one's error");
    }
}

//! The speed test on the share page: which step it is at, the times so far, and what a worker
//! restart does to it. The models are wanted while it runs ([`SpeedState::busy`]), so a new
//! worker (a crash, or the bigger build the photo model needs) loads them again, and the step a
//! crash interrupted is timed again once they are back.

use playground_core::speed::{Timing, TIMED};
use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    Idle,
    /// The models (and the sample photo) are on their way; then `TIMED[next]` is timed.
    Loading {
        next: usize,
    },
    /// Timing `TIMED[i]`.
    Timing(usize),
    Done,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpeedState {
    pub stage: Stage,
    pub timings: Vec<Timing>,
    /// Worker restarts while a model was being timed, in this run.
    pub crashes: u32,
}

impl Default for SpeedState {
    fn default() -> Self {
        SpeedState { stage: Stage::Idle, timings: Vec::new(), crashes: 0 }
    }
}

/// Restarts during one run before the test stops with what it has.
pub const MAX_CRASHES: u32 = 2;

#[derive(Debug, Clone, PartialEq)]
pub enum SpeedAction {
    /// "Run the speed test" (or "Run it again").
    Start,
    /// Every model is in this worker and the sample photo is here.
    Ready,
    /// A model could not be loaded, or the sample photo downloaded: the reason, in words.
    NotReady(String),
    /// `TIMED[step]`'s times (`None`: the reply held no runs).
    Timed { step: usize, timing: Option<Timing> },
    /// The worker refused to time `TIMED[step]`: why.
    StepFailed { step: usize, why: String },
    /// The worker was replaced: an answer it owed is lost.
    WorkerRestarted,
}

impl SpeedState {
    /// Whether the test runs (the models must stay loaded, the button waits).
    pub fn busy(&self) -> bool {
        matches!(self.stage, Stage::Loading { .. } | Stage::Timing(_))
    }

    /// What the status line says.
    pub fn status(&self) -> String {
        match &self.stage {
            Stage::Idle => String::new(),
            Stage::Loading { .. } if self.crashes > 0 => {
                "The page's worker restarted: loading the models again…".into()
            }
            Stage::Loading { .. } => "Loading the models…".into(),
            Stage::Timing(i) => format!("Timing the {} model…", TIMED[*i].1),
            Stage::Done => "Done.".into(),
            Stage::Failed(why) => why.clone(),
        }
    }
}

impl Reducible for SpeedState {
    type Action = SpeedAction;

    fn reduce(self: Rc<Self>, action: SpeedAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match (action, &self.stage) {
            (SpeedAction::Start, _) => {
                next = SpeedState { stage: Stage::Loading { next: 0 }, ..Self::default() }
            }
            (SpeedAction::Ready, Stage::Loading { next: step }) => next.stage = Stage::Timing(*step),
            (SpeedAction::NotReady(why), Stage::Loading { .. }) => next.stage = Stage::Failed(why),
            (SpeedAction::Timed { step, timing }, Stage::Timing(now)) if step == *now => {
                next.timings.extend(timing);
                next.stage = if step + 1 < TIMED.len() { Stage::Timing(step + 1) } else { Stage::Done };
            }
            (SpeedAction::StepFailed { step, why }, Stage::Timing(now)) if step == *now => {
                next.stage = Stage::Failed(format!("Timing the {} model failed: {why}", TIMED[step].1))
            }
            (SpeedAction::WorkerRestarted, Stage::Timing(step)) => {
                next.crashes += 1;
                next.stage = if next.crashes >= MAX_CRASHES {
                    Stage::Failed(format!(
                        "Timing the {} model stopped the page's worker twice, so the test stops here.",
                        TIMED[*step].1
                    ))
                } else {
                    Stage::Loading { next: *step }
                };
            }
            // Loading: the new worker loads the wanted models; otherwise nothing was owed.
            // Anything else is an answer to a run that is over.
            _ => return self,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(step: usize) -> Option<Timing> {
        Timing::from_runs(TIMED[step].1, &[1.0], &[2.0], 1)
    }

    fn timed_up_to(step: usize) -> Rc<SpeedState> {
        let mut s = Rc::new(SpeedState::default()).reduce(SpeedAction::Start).reduce(SpeedAction::Ready);
        for i in 0..step {
            s = s.reduce(SpeedAction::Timed { step: i, timing: timing(i) });
        }
        s
    }

    #[test]
    fn each_model_is_timed_in_turn_once_all_are_loaded() {
        let s = Rc::new(SpeedState::default()).reduce(SpeedAction::Start);
        assert_eq!(s.stage, Stage::Loading { next: 0 });
        assert!(s.busy());
        let s = timed_up_to(TIMED.len());
        assert_eq!(s.stage, Stage::Done);
        assert!(!s.busy());
        let names: Vec<_> = s.timings.iter().map(|t| t.model.as_str()).collect();
        assert_eq!(names, TIMED.iter().map(|t| t.1).collect::<Vec<_>>());
    }

    #[test]
    fn a_restart_mid_step_times_that_step_again_once_the_models_are_back() {
        let s = timed_up_to(1).reduce(SpeedAction::WorkerRestarted);
        assert_eq!(s.stage, Stage::Loading { next: 1 });
        assert!(s.busy(), "the models stay wanted, so the new worker loads them");
        assert!(s.status().contains("restarted"));
        assert_eq!(s.timings.len(), 1, "what was measured stays");
        let s = s.reduce(SpeedAction::Ready);
        assert_eq!(s.stage, Stage::Timing(1));
        let s = s.reduce(SpeedAction::Timed { step: 1, timing: timing(1) });
        assert_eq!(s.stage, Stage::Timing(2));
    }

    #[test]
    fn a_second_restart_in_one_run_stops_the_test_with_what_it_has() {
        let s = timed_up_to(2).reduce(SpeedAction::WorkerRestarted).reduce(SpeedAction::Ready);
        let s = s.reduce(SpeedAction::WorkerRestarted);
        assert!(matches!(&s.stage, Stage::Failed(why) if why.contains("photo model stopped")));
        assert_eq!(s.timings.len(), 2);
        let s = s.reduce(SpeedAction::Start);
        assert_eq!((s.stage.clone(), s.crashes, s.timings.len()), (Stage::Loading { next: 0 }, 0, 0));
    }

    #[test]
    fn a_restart_while_loading_or_idle_changes_nothing() {
        let loading = Rc::new(SpeedState::default()).reduce(SpeedAction::Start);
        assert_eq!(*loading.clone().reduce(SpeedAction::WorkerRestarted), *loading);
        let done = timed_up_to(TIMED.len());
        assert_eq!(*done.clone().reduce(SpeedAction::WorkerRestarted), *done);
    }

    #[test]
    fn a_late_answer_or_failure_of_another_step_is_ignored() {
        let s = timed_up_to(1);
        assert_eq!(*s.clone().reduce(SpeedAction::Timed { step: 0, timing: timing(0) }), *s);
        assert_eq!(*s.clone().reduce(SpeedAction::StepFailed { step: 0, why: "x".into() }), *s);
        let failed = s.reduce(SpeedAction::StepFailed { step: 1, why: "no such model".into() });
        assert_eq!(failed.stage, Stage::Failed("Timing the DoodleNet model failed: no such model".into()));
    }

    #[test]
    fn a_model_that_cannot_load_ends_the_test_with_its_reason() {
        let s = Rc::new(SpeedState::default())
            .reduce(SpeedAction::Start)
            .reduce(SpeedAction::NotReady("The photo model could not be loaded: offline".into()));
        assert_eq!(s.stage, Stage::Failed("The photo model could not be loaded: offline".into()));
        assert!(!s.busy());
    }
}

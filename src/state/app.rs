//! What the whole app knows about the worker and the registry models.

use playground_core::registry;
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

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppState {
    pub health: WorkerHealth,
    pub models: BTreeMap<String, ModelStatus>,
    /// A message for the user that stays until dismissed (e.g. "the worker was restarted").
    pub notice: Option<String>,
}

/// What the inference service reports (src/inference.rs) and the person does.
pub enum AppAction {
    WorkerReady,
    LoadRequested(String),
    Progress {
        model: String,
        loaded: u64,
        total: Option<u64>,
    },
    Loaded {
        model: String,
        labels: Vec<String>,
        millis: f64,
    },
    LoadFailed {
        model: String,
        message: String,
    },
    Restarted {
        reason: String,
    },
    /// The worker was replaced on purpose (by the build that reads ONNX): no model is in the
    /// new one until it is loaded again.
    Replaced,
    Broken {
        reason: String,
    },
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
    /// A new worker has none of the models: each shows as loading until it is in again (a
    /// page that wants it asks).
    fn forget_models(&mut self) {
        for status in self.models.values_mut() {
            *status = ModelStatus::Loading { loaded: 0, total: None };
        }
    }

    pub fn model_ready(&self, id: &str) -> bool {
        matches!(self.models.get(id), Some(ModelStatus::Ready { .. }))
    }

    /// Every label an answer of model `id` can carry now: its own, and its wider model's once
    /// that is loaded too (registry `widened_by`).
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
            AppAction::WorkerReady => next.health = WorkerHealth::Ready,
            AppAction::Progress { model, loaded, total } => {
                next.models.insert(model, ModelStatus::Loading { loaded, total });
            }
            AppAction::Loaded { model, labels, millis } => {
                next.models.insert(model, ModelStatus::Ready { labels: Rc::new(labels), millis });
            }
            AppAction::LoadFailed { model, message } => {
                next.models.insert(model, ModelStatus::Failed(message));
            }
            AppAction::LoadRequested(model) => {
                next.models.insert(model, ModelStatus::Loading { loaded: 0, total: None });
            }
            AppAction::Restarted { reason } => {
                next.health = WorkerHealth::Starting;
                next.notice = Some(format!(
                    "The inference worker {} and was restarted. Your drawing and photo are kept.",
                    failure_in_words(&reason)
                ));
                next.forget_models();
            }
            AppAction::Replaced => next.forget_models(),
            AppAction::Broken { reason } => next.health = WorkerHealth::Broken(reason),
            AppAction::DismissNotice => next.notice = None,
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn restart_marks_models_as_loading_and_tells_the_user() {
        let s = Rc::new(AppState::default());
        let s =
            s.reduce(AppAction::Loaded { model: "sketch".into(), labels: vec!["cat".into()], millis: 3.0 });
        assert!(s.model_ready("sketch"));
        let s = s.reduce(AppAction::Restarted { reason: "panic".into() });
        assert!(!s.model_ready("sketch"));
        assert!(s.notice.as_deref().unwrap().contains("restarted"));
    }

    #[test]
    fn a_replaced_worker_has_no_model_and_nobody_is_told() {
        let s = Rc::new(AppState::default());
        let s =
            s.reduce(AppAction::Loaded { model: "sketch".into(), labels: vec!["cat".into()], millis: 3.0 });
        let s = s.reduce(AppAction::Replaced);
        assert!(!s.model_ready("sketch"));
        assert_eq!(s.notice, None);
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
}

//! The app's handle on inference: one worker, kept alive. It restarts the worker when it
//! panics, throws, or stays silent while a request is outstanding, reloads the models that
//! were wanted, and reports all of that to the app state.
//!
//! The worker starts as the demos' build (registry models as NNEF, no ONNX front end: 0.4 MB
//! gzip less to download); the playground switches it to the build that also reads ONNX
//! ([`InferenceService::use_onnx_build`]), which runs the registry models as well.

use crate::client::{WorkerClient, WorkerEvent, ONNX_WORKER_URL, WORKER_URL};
use crate::state::AppAction;
use gloo::timers::callback::Interval;
use playground_core::custom::InputSpec;
use playground_core::protocol::{ModelInput, Request, Response, Sabotage, Seq, CUSTOM_MODEL};
use playground_core::sketch::Stroke;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::{Rc, Weak};
use yew::Callback;

/// A worker that says nothing for this long while it owes an answer is taken for hung.
const HANG_TIMEOUT_MS: f64 = 10_000.0;
/// The same for a person's own model: reading and planning a big one legitimately takes long.
const CUSTOM_HANG_TIMEOUT_MS: f64 = 90_000.0;
/// Past this many restarts the page stops trying and asks for a reload.
const MAX_RESTARTS: u32 = 5;

/// Requests that owe an answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Owed {
    Load(String),
    Classify(String, Seq),
    Inspect,
    LoadCustom,
}

pub struct InferenceService {
    this: Weak<InferenceService>,
    client: RefCell<Option<WorkerClient>>,
    on_app: Callback<AppAction>,
    subscribers: RefCell<Vec<(usize, Callback<Response>)>>,
    next_subscriber: Cell<usize>,
    owed: RefCell<BTreeSet<Owed>>,
    last_heard: Cell<f64>,
    wanted_models: RefCell<Vec<String>>,
    restarts: Cell<u32>,
    /// Bumped per spawned worker, so late events from a killed worker are ignored.
    generation: Cell<u64>,
    /// Whether the worker is (or is being replaced by) the build that reads ONNX.
    onnx_build: Cell<bool>,
    _watchdog: RefCell<Option<Interval>>,
}

/// A page opened on the playground starts with the worker build it needs, instead of
/// fetching the demos' build only to replace it at once.
fn opened_on_playground() -> bool {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .is_some_and(|hash| hash.starts_with("#/playground"))
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

impl InferenceService {
    pub fn new(on_app: Callback<AppAction>) -> Rc<Self> {
        let service = Rc::new_cyclic(|this: &Weak<Self>| InferenceService {
            this: this.clone(),
            client: RefCell::new(None),
            on_app,
            subscribers: RefCell::new(Vec::new()),
            next_subscriber: Cell::new(0),
            owed: RefCell::new(BTreeSet::new()),
            last_heard: Cell::new(now_ms()),
            wanted_models: RefCell::new(Vec::new()),
            restarts: Cell::new(0),
            generation: Cell::new(0),
            onnx_build: Cell::new(opened_on_playground()),
            _watchdog: RefCell::new(None),
        });
        service.spawn_worker();
        let weak = service.this.clone();
        *service._watchdog.borrow_mut() = Some(Interval::new(1_000, move || {
            if let Some(s) = weak.upgrade() {
                // Silence counts only once the worker runs: on a slow connection its wasm
                // alone can take a minute to download.
                let running = s.client.borrow().as_ref().is_some_and(|c| c.is_ready());
                let owed = s.owed.borrow();
                let custom = owed.iter().any(|o| matches!(o, Owed::Inspect | Owed::LoadCustom));
                let timeout = if custom { CUSTOM_HANG_TIMEOUT_MS } else { HANG_TIMEOUT_MS };
                let hung = running && !owed.is_empty() && now_ms() - s.last_heard.get() > timeout;
                drop(owed);
                if hung {
                    s.restart("it stopped answering");
                }
            }
        }));
        service
    }

    fn spawn_worker(&self) {
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        let weak = self.this.clone();
        let on_event: Rc<dyn Fn(WorkerEvent)> = Rc::new(move |event| match weak.upgrade() {
            Some(s) if s.generation.get() == generation => s.on_worker_event(event),
            _ => {}
        });
        let url = if self.onnx_build.get() { ONNX_WORKER_URL } else { WORKER_URL };
        match WorkerClient::spawn(url, on_event) {
            Ok(client) => *self.client.borrow_mut() = Some(client),
            Err(reason) => self.on_app.emit(AppAction::Broken { reason }),
        }
    }

    fn on_worker_event(&self, event: WorkerEvent) {
        self.last_heard.set(now_ms());
        let response = match event {
            WorkerEvent::Message(Response::Panicked { message }) | WorkerEvent::Error(message) => {
                // Not from inside this handler: restarting drops the closure that is running.
                let (weak, generation) = (self.this.clone(), self.generation.get());
                wasm_bindgen_futures::spawn_local(async move {
                    match weak.upgrade() {
                        Some(s) if s.generation.get() == generation => s.restart(&message),
                        _ => {}
                    }
                });
                return;
            }
            WorkerEvent::Message(response) => response,
        };
        let answered = match &response {
            Response::Loaded { model, .. } | Response::LoadFailed { model, .. } if model == CUSTOM_MODEL => {
                Some(Owed::LoadCustom)
            }
            Response::Loaded { model, .. } | Response::LoadFailed { model, .. } => {
                Some(Owed::Load(model.clone()))
            }
            Response::Inspected { .. } | Response::InspectFailed { .. } => Some(Owed::Inspect),
            Response::CustomOutput { seq, .. } => Some(Owed::Classify(CUSTOM_MODEL.to_string(), *seq)),
            Response::Prediction(p) => Some(Owed::Classify(p.model.clone(), p.seq)),
            Response::Failed { seq, model, .. } => Some(Owed::Classify(model.clone(), *seq)),
            _ => None,
        };
        if let Some(owed) = answered {
            self.owed.borrow_mut().remove(&owed);
        }
        if matches!(response, Response::Loaded { .. }) {
            // A healthy answer after a restart: the crash budget starts over.
            self.restarts.set(0);
            // index.html registers the service worker on this event, so its precaching
            // (revalidations of what this load fetched) never competes with a first visit.
            if let Some(window) = web_sys::window() {
                if let Ok(event) = web_sys::Event::new("playground-model-ready") {
                    let _ = window.dispatch_event(&event);
                }
            }
        }
        let subscribers: Vec<Callback<Response>> =
            self.subscribers.borrow().iter().map(|(_, cb)| cb.clone()).collect();
        for cb in subscribers {
            cb.emit(response.clone());
        }
        self.on_app.emit(AppAction::Worker(response));
    }

    /// Terminates the worker; what it owed is dropped with it.
    fn drop_worker(&self) {
        self.client.borrow_mut().take(); // dropping terminates it
        self.owed.borrow_mut().clear();
    }

    /// Starts a worker (of the build `onnx_build` says) and asks it for the wanted models.
    fn start_worker_with_wanted_models(&self) {
        self.spawn_worker();
        let wanted = self.wanted_models.borrow().clone();
        for model in wanted {
            self.send(Request::Load { model });
        }
    }

    /// Kills the worker and starts a fresh one that reloads the wanted models.
    pub fn restart(&self, reason: &str) {
        // The raw reason (a panic's text with its source location) is for developers only:
        // the page says it in words (`state::failure_in_words`).
        web_sys::console::warn_2(&"The inference worker failed and is restarted:".into(), &reason.into());
        self.drop_worker();
        let restarts = self.restarts.get() + 1;
        self.restarts.set(restarts);
        if restarts > MAX_RESTARTS {
            self.on_app.emit(AppAction::Broken { reason: reason.to_string() });
            return;
        }
        self.on_app.emit(AppAction::Restarted { reason: reason.to_string() });
        // Pages holding state in the worker (the playground's own model) must start over.
        let subscribers: Vec<Callback<Response>> =
            self.subscribers.borrow().iter().map(|(_, cb)| cb.clone()).collect();
        for cb in subscribers {
            cb.emit(Response::Panicked { message: reason.to_string() });
        }
        self.start_worker_with_wanted_models();
    }

    /// Replaces the demos' worker by the one that reads ONNX (once; a no-op after). Not a
    /// failure: nobody is told, nothing counts against the restart budget. Models that were
    /// wanted are loaded again; answers owed by the old worker are dropped with it.
    pub fn use_onnx_build(&self) {
        if self.onnx_build.replace(true) {
            return;
        }
        self.drop_worker();
        // Shown as loading again, so nothing is asked of the new worker before it has them.
        let wanted = self.wanted_models.borrow().clone(); // not borrowed while the app reacts
        for model in wanted {
            self.on_app.emit(AppAction::LoadRequested(model));
        }
        self.start_worker_with_wanted_models();
    }

    fn send(&self, request: Request) {
        self.send_with_file(request, None);
    }

    fn send_with_file(&self, request: Request, file: Option<web_sys::Blob>) {
        let owed = match &request {
            Request::Load { model } => Some(Owed::Load(model.clone())),
            Request::Classify { seq, model, .. } => Some(Owed::Classify(model.clone(), *seq)),
            Request::ClassifyCustom { seq, .. } => Some(Owed::Classify(CUSTOM_MODEL.to_string(), *seq)),
            Request::Inspect { .. } => Some(Owed::Inspect),
            Request::LoadCustom { .. } => Some(Owed::LoadCustom),
            Request::Benchmark { .. } | Request::Sabotage(_) => None,
        };
        if let Some(owed) = owed {
            let mut set = self.owed.borrow_mut();
            if set.is_empty() {
                // The silence clock starts when something becomes owed.
                self.last_heard.set(now_ms());
            }
            set.insert(owed);
        }
        if let Some(client) = self.client.borrow().as_ref() {
            client.send(request, file);
        }
    }

    /// Loads a registry model (again, after a failure: this is the retry).
    pub fn load(&self, model: &str) {
        if !self.wanted_models.borrow().iter().any(|m| m == model) {
            self.wanted_models.borrow_mut().push(model.to_string());
        }
        if self.owed.borrow().contains(&Owed::Load(model.to_string())) {
            return;
        }
        self.on_app.emit(AppAction::LoadRequested(model.to_string()));
        self.send(Request::Load { model: model.to_string() });
    }

    pub fn classify_sketch(&self, seq: Seq, model: &str, strokes: Vec<Stroke>) {
        self.send(Request::Classify { seq, model: model.to_string(), input: ModelInput::Strokes(strokes) });
    }

    pub fn classify_photo(&self, seq: Seq, model: &str, bytes: Vec<u8>) {
        self.send(Request::Classify { seq, model: model.to_string(), input: ModelInput::Photo(bytes) });
    }

    /// The playground: describe a person's ONNX file.
    /// Describes a person's model file; the worker reads the file itself.
    pub fn inspect(&self, file: web_sys::Blob) {
        self.use_onnx_build();
        self.send_with_file(Request::Inspect { bytes: Vec::new() }, Some(file));
    }

    /// The playground: plan a person's model (answered with model [`CUSTOM_MODEL`]).
    pub fn load_custom(&self, file: web_sys::Blob, labels: Option<String>, spec: InputSpec) {
        self.use_onnx_build();
        self.send_with_file(Request::LoadCustom { bytes: Vec::new(), labels, spec }, Some(file));
    }

    pub fn classify_custom(&self, seq: Seq, input: ModelInput) {
        self.use_onnx_build();
        self.send(Request::ClassifyCustom { seq, input });
    }

    /// For the benchmark command: exposed to page scripts as `playgroundDebug.benchmark`.
    pub fn benchmark(&self, model: &str, input: ModelInput, runs: u32) {
        self.send(Request::Benchmark { model: model.to_string(), input, runs });
    }

    /// Test hook (see `Sabotage`): exposed to page scripts as `playgroundDebug.sabotage`.
    pub fn sabotage(&self, kind: Sabotage) {
        self.send(Request::Sabotage(kind));
    }

    /// Every response goes to `callback` until the returned guard is dropped.
    pub fn subscribe(&self, callback: Callback<Response>) -> Subscription {
        let id = self.next_subscriber.get();
        self.next_subscriber.set(id + 1);
        self.subscribers.borrow_mut().push((id, callback));
        Subscription { service: self.this.clone(), id }
    }
}

pub struct Subscription {
    service: Weak<InferenceService>,
    id: usize,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(s) = self.service.upgrade() {
            s.subscribers.borrow_mut().retain(|(id, _)| *id != self.id);
        }
    }
}

//! The app's handle on inference: one worker, kept alive. Every request gets an id and its
//! reply goes to whoever asked, and only to them ([`Ledger`]). The service restarts the worker
//! when it panics, throws, or leaves a request unanswered too long, reloads the models that
//! were wanted, gives up on a model that keeps killing it, and reports all of that to the app
//! state.
//!
//! The worker starts as the smallest build the opening page needs ([`Build`]: the sketch page's
//! has no tract); a model or a person's file that needs a bigger one replaces it
//! ([`InferenceService::use_build`]), and the bigger build runs everything the smaller ran.

use crate::client::{Build, WorkerClient, WorkerEvent};
use crate::ledger::{Ledger, CRASH_BUDGET};
use crate::state::app::AppAction;
use gloo::timers::callback::{Interval, Timeout};
use playground_core::input::{CleanOptions, InputSpec, ModelInput};
use playground_core::postprocess::Guess;
use playground_core::protocol::{Ask, Event, Reply, Request, RequestId, Sabotage};
use playground_core::registry::{self, ModelKey, Runtime};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use yew::Callback;

/// How long a request may go without a sign of life before the worker is taken for hung.
const HANG_TIMEOUT_MS: f64 = 10_000.0;
/// The same for a person's own model: reading and planning a big one legitimately takes long.
const OWN_MODEL_TIMEOUT_MS: f64 = 90_000.0;
/// Cleaning a photo: decoding and shrinking a big one comes before its first tile.
const CLEAN_TIMEOUT_MS: f64 = 30_000.0;
/// A benchmark runs many inferences in one go.
const BENCHMARK_TIMEOUT_MS: f64 = 120_000.0;

/// Where a page's replies go: the request's id with its reply (progress, then one final).
pub type OnReply = Callback<(RequestId, Reply)>;

/// Who asked.
#[derive(Clone, PartialEq)]
enum Asker {
    /// The app itself: a registry model's load, reported to the app state.
    App(String),
    Page(OnReply),
}

/// The inference service, shared through a context. Equal when it is the same service.
#[derive(Clone)]
pub struct Inference(pub Rc<InferenceService>);

impl PartialEq for Inference {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A registry model's answer as the embed's host page hears it: model, request id, guesses.
pub type Shown = (String, RequestId, Vec<Guess>);

pub struct InferenceService {
    this: Weak<InferenceService>,
    client: RefCell<Option<WorkerClient>>,
    on_app: Callback<AppAction>,
    ledger: RefCell<Ledger<Asker>>,
    /// One entry per `want` of a mounted page (a model twice if two pages want it).
    wanted_models: RefCell<Vec<String>>,
    restart_listeners: Listeners<String>,
    prediction_taps: Listeners<Shown>,
    /// Bumped per spawned worker, so late events from a killed worker are ignored.
    generation: Cell<u64>,
    /// The worker's build (or the one replacing it).
    build: Cell<Build>,
    _watchdog: RefCell<Option<Interval>>,
}

/// The build that runs `model`: the registry says what runs it; a person's file needs ONNX.
fn build_for(model: &ModelKey) -> Build {
    match model {
        ModelKey::Own => Build::Onnx,
        ModelKey::Registry(id) => match registry::find(id).map(|spec| spec.runtime) {
            Ok(Runtime::Cnn) => Build::Sketch,
            // An unknown id: the demos' build says so.
            Ok(Runtime::Tract) | Err(_) => Build::Demos,
        },
    }
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
            ledger: RefCell::new(Ledger::default()),
            wanted_models: RefCell::new(Vec::new()),
            restart_listeners: Listeners::default(),
            prediction_taps: Listeners::default(),
            generation: Cell::new(0),
            // The opening page's build, as early_worker.js picked it; without it, the demos'.
            build: Cell::new(Build::of_early_worker().unwrap_or(Build::Demos)),
            _watchdog: RefCell::new(None),
        });
        service.spawn_worker();
        let weak = service.this.clone();
        *service._watchdog.borrow_mut() = Some(Interval::new(1_000, move || {
            if let Some(s) = weak.upgrade() {
                // Silence counts only once the worker runs: on a slow connection its wasm
                // alone can take a minute to download.
                let running = s.client.borrow().as_ref().is_some_and(|c| c.is_ready());
                let hung = s.ledger.borrow().overdue(now_ms());
                if let Some(id) = hung.filter(|_| running) {
                    s.restart("it stopped answering", Some(id));
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
        match WorkerClient::spawn(self.build.get(), on_event) {
            Ok(client) => *self.client.borrow_mut() = Some(client),
            Err(reason) => self.on_app.emit(AppAction::Broken { reason }),
        }
    }

    fn on_worker_event(&self, event: WorkerEvent) {
        let (message, culprit) = match event {
            WorkerEvent::Message(Event::Ready) => {
                self.ledger.borrow_mut().worker_ready(now_ms());
                return self.on_app.emit(AppAction::WorkerReady);
            }
            WorkerEvent::Message(Event::Reply { id, reply }) => return self.on_reply(id, reply),
            WorkerEvent::Message(Event::Panicked { message, during }) => (message, during),
            WorkerEvent::Message(Event::Unreadable { message }) | WorkerEvent::Error(message) => {
                (message, None)
            }
        };
        // Not from inside this handler: restarting drops the closure that is running.
        let (weak, generation) = (self.this.clone(), self.generation.get());
        wasm_bindgen_futures::spawn_local(async move {
            match weak.upgrade() {
                Some(s) if s.generation.get() == generation => s.restart(&message, culprit),
                _ => {}
            }
        });
    }

    fn on_reply(&self, id: RequestId, reply: Reply) {
        let model = self.ledger.borrow().model_of(id).cloned();
        let Some(asker) = self.ledger.borrow_mut().reply(id, reply.is_final(), now_ms()) else {
            return; // owed to nobody: a request forgotten when its worker was replaced
        };
        let succeeded = matches!(
            reply,
            Reply::Loaded { .. }
                | Reply::Prediction(_)
                | Reply::Inspected(_)
                | Reply::Written { .. }
                | Reply::Cleaned(_)
                | Reply::Felt(_)
                | Reply::LeftOut { .. }
        );
        if succeeded {
            self.ledger.borrow_mut().healthy(model.as_ref());
        }
        if matches!(reply, Reply::Loaded { .. }) {
            // index.html registers the service worker on this event, so its precaching
            // (revalidations of what this load fetched) never competes with a first visit.
            if let Some(window) = web_sys::window() {
                if let Ok(event) = web_sys::Event::new("playground-model-ready") {
                    let _ = window.dispatch_event(&event);
                }
            }
        }
        match asker {
            Asker::App(model) => self.on_load_reply(model, reply),
            Asker::Page(to) => {
                if let (Some(ModelKey::Registry(model)), Reply::Prediction(p)) = (&model, &reply) {
                    self.prediction_taps.emit((model.clone(), id, p.answer.top.clone()));
                }
                to.emit((id, reply));
            }
        }
    }

    /// A registry model's load, which the app state follows.
    fn on_load_reply(&self, model: String, reply: Reply) {
        match reply {
            Reply::Progress { loaded, total } => {
                self.on_app.emit(AppAction::Progress { model, loaded, total })
            }
            Reply::Loaded { labels, millis } => {
                self.on_app.emit(AppAction::Loaded { model: model.clone(), labels, millis });
                // Its wider model comes after it, so the first answer never waits for it;
                // answers name its classes too once it is in (core `Engine::answer`). Asked for
                // a task later, once the page has rendered the model ready and sent what it
                // was waiting to ask (a drawing made while the model loaded): in the worker,
                // that answer then comes before the wider model's load, not after it.
                if let Some(widening) = registry::find(&model).ok().and_then(|spec| spec.widened_by) {
                    let weak = self.this.clone();
                    Timeout::new(0, move || {
                        if let Some(s) = weak.upgrade() {
                            s.load(widening.model);
                        }
                    })
                    .forget();
                }
            }
            Reply::Failed(message) => self.on_app.emit(AppAction::LoadFailed { model, message }),
            _ => {}
        }
    }

    /// The wanted models, each once, in the order first wanted (a copy: not borrowed while the
    /// app reacts to what is done with them).
    fn wanted(&self) -> Vec<String> {
        let mut once: Vec<String> = Vec::new();
        for model in self.wanted_models.borrow().iter() {
            if !once.contains(model) {
                once.push(model.clone());
            }
        }
        once
    }

    /// Starts a worker (of the build `build` says) and asks it for the wanted models.
    fn start_worker_with_wanted_models(&self) {
        self.spawn_worker();
        for model in self.wanted() {
            self.send_load(&model);
        }
    }

    /// Kills the worker and starts a fresh one that reloads the wanted models. `culprit`: the
    /// request it died on, if known (the model a crash is blamed on).
    pub fn restart(&self, reason: &str, culprit: Option<RequestId>) {
        // The raw reason (a panic's text with its source location) is for developers only:
        // the page says it in words (`state::app::failure_in_words`).
        web_sys::console::warn_2(&"The inference worker failed and is restarted:".into(), &reason.into());
        self.client.borrow_mut().take(); // dropping terminates it
        let death = self.ledger.borrow_mut().worker_died(culprit);
        if death.broken {
            self.on_app.emit(AppAction::Broken { reason: reason.to_string() });
            return;
        }
        self.on_app.emit(AppAction::Restarted { reason: reason.to_string() });
        for model in death.given_up {
            if let ModelKey::Registry(model) = model {
                self.wanted_models.borrow_mut().retain(|m| *m != model);
                let message = format!(
                    "it stopped the inference worker {} times in a row, so it is not loaded again (reload the page to retry)",
                    CRASH_BUDGET + 1
                );
                self.on_app.emit(AppAction::LoadFailed { model, message });
            }
        }
        // Pages holding state in the worker (the playground's own model) must start over.
        self.restart_listeners.emit(reason.to_string());
        self.start_worker_with_wanted_models();
    }

    /// Replaces the worker by one of `build` if that is bigger than its own (a no-op
    /// otherwise). Not a failure: nobody is told, nothing counts against a crash budget. Models
    /// that are wanted are loaded again; answers owed by the old worker are dropped with it.
    pub fn use_build(&self, build: Build) {
        if build <= self.build.get() {
            return;
        }
        self.build.set(build);
        self.client.borrow_mut().take();
        self.ledger.borrow_mut().forget();
        // Every model shows as loading again, so nothing is asked of the new worker before it
        // has the model; the wanted ones are loaded now, the others when a page wants them.
        self.on_app.emit(AppAction::Replaced);
        self.start_worker_with_wanted_models();
    }

    fn send(&self, id: RequestId, ask: Ask, file: Option<web_sys::Blob>) -> RequestId {
        if let Some(client) = self.client.borrow().as_ref() {
            client.send(Request { id, ask }, file);
        }
        id
    }

    fn ask(&self, to: Asker, model: Option<ModelKey>, timeout_ms: f64) -> RequestId {
        self.ledger.borrow_mut().ask(to, model, timeout_ms, now_ms())
    }

    /// Asks the worker for a registry model (`load` checks it is not asked already; a new
    /// worker owes nothing yet).
    fn send_load(&self, model: &str) {
        let id = self.ask(Asker::App(model.to_string()), Some(ModelKey::from(model)), HANG_TIMEOUT_MS);
        self.send(id, Ask::Load { model: model.to_string() }, None);
    }

    /// The id the next request will get (a page's answers to earlier ones are stale once its
    /// input changes).
    pub fn next_id(&self) -> RequestId {
        self.ledger.borrow().next_id()
    }

    /// A mounted page needs `model`: loaded now, and in every new worker after a restart, until
    /// the page says [`Self::unwant`] (once for each `want`). A model only pages gone wanted
    /// is not reloaded: after a visit to the feel page, a restart elsewhere costs no 23 MB.
    pub fn want(&self, model: &str) {
        self.wanted_models.borrow_mut().push(model.to_string());
        self.load(model);
    }

    /// The page that said [`Self::want`] for `model` is gone (the model stays in this worker).
    pub fn unwant(&self, model: &str) {
        let mut wanted = self.wanted_models.borrow_mut();
        if let Some(i) = wanted.iter().position(|m| m == model) {
            wanted.remove(i);
        }
    }

    /// Loads a registry model into this worker (again, after a failure: this is the retry),
    /// replacing the worker first if its build cannot run it.
    pub fn load(&self, model: &str) {
        self.use_build(build_for(&ModelKey::from(model)));
        if self.ledger.borrow().owes(&Asker::App(model.to_string())) {
            return;
        }
        self.on_app.emit(AppAction::LoadRequested(model.to_string()));
        self.send_load(model);
    }

    /// Runs `model` on `input`; the answer goes to `to`.
    pub fn run(&self, model: ModelKey, input: ModelInput, to: OnReply) -> RequestId {
        self.use_build(build_for(&model));
        let id = self.ask(Asker::Page(to), Some(model.clone()), HANG_TIMEOUT_MS);
        self.send(id, Ask::Run { model, input }, None)
    }

    /// Continues `text` by `count` characters of the character model `model`.
    pub fn write(
        &self,
        model: &str,
        text: String,
        count: u32,
        temperature: f32,
        seed: u64,
        to: OnReply,
    ) -> RequestId {
        let id = self.ask(Asker::Page(to), Some(ModelKey::from(model)), HANG_TIMEOUT_MS);
        self.send(id, Ask::Write { model: model.to_string(), text, count, temperature, seed }, None)
    }

    /// How `text` feels to the sentiment model `model`.
    pub fn feel(&self, model: &str, text: String, to: OnReply) -> RequestId {
        let id = self.ask(Asker::Page(to), Some(ModelKey::from(model)), HANG_TIMEOUT_MS);
        self.send(id, Ask::Feel { model: model.to_string(), text }, None)
    }

    /// P(positive) of `text` with each of `words` left out.
    pub fn leave_out(&self, model: &str, text: String, words: Vec<u32>, to: OnReply) -> RequestId {
        let id = self.ask(Asker::Page(to), Some(ModelKey::from(model)), HANG_TIMEOUT_MS);
        self.send(id, Ask::LeaveOut { model: model.to_string(), text, words }, None)
    }

    /// Cleans a photo with the denoiser `model`: progress per tile, then the photo.
    pub fn clean(&self, model: &str, photo: Vec<u8>, options: CleanOptions, to: OnReply) -> RequestId {
        let id = self.ask(Asker::Page(to), Some(ModelKey::from(model)), CLEAN_TIMEOUT_MS);
        self.send(id, Ask::Clean { model: model.to_string(), photo, options }, None)
    }

    /// Stops the worker's work on `request` (a cleaning): it answers `Cancelled` after its
    /// current tile.
    pub fn cancel(&self, request: RequestId) {
        let id = self.ledger.borrow_mut().number();
        self.send(id, Ask::Cancel { request }, None);
    }

    /// The playground: describe a person's model file; the worker reads the file itself.
    pub fn inspect(&self, file: web_sys::Blob, to: OnReply) -> RequestId {
        self.use_build(Build::Onnx);
        let id = self.ask(Asker::Page(to), Some(ModelKey::Own), OWN_MODEL_TIMEOUT_MS);
        self.send(id, Ask::Inspect { bytes: Vec::new() }, Some(file))
    }

    /// The playground: plan a person's model, replacing the one before.
    pub fn load_own(
        &self,
        file: web_sys::Blob,
        labels: Option<String>,
        spec: InputSpec,
        to: OnReply,
    ) -> RequestId {
        self.use_build(Build::Onnx);
        let id = self.ask(Asker::Page(to), Some(ModelKey::Own), OWN_MODEL_TIMEOUT_MS);
        self.send(id, Ask::LoadOwn { bytes: Vec::new(), labels, spec }, Some(file))
    }

    /// For the benchmark command: exposed to page scripts as `playgroundDebug.benchmark`.
    pub fn benchmark(&self, model: ModelKey, input: ModelInput, runs: u32, to: OnReply) -> RequestId {
        let id = self.ask(Asker::Page(to), Some(model.clone()), BENCHMARK_TIMEOUT_MS);
        self.send(id, Ask::Benchmark { model, input, runs }, None)
    }

    /// Test hook (see `Sabotage`): exposed to page scripts as `playgroundDebug.sabotage`.
    pub fn sabotage(&self, kind: Sabotage) {
        let id = self.ledger.borrow_mut().number();
        self.send(id, Ask::Sabotage(kind), None);
    }

    /// `callback` hears of every worker restart (with the raw reason) until the guard drops.
    pub fn on_restart(&self, callback: Callback<String>) -> Subscription {
        self.restart_listeners.add(callback, self.this.clone(), |s| &s.restart_listeners)
    }

    /// `callback` hears of every registry model's answer, whoever asked: the embed passes them
    /// to its host page.
    pub fn tap_predictions(&self, callback: Callback<Shown>) -> Subscription {
        self.prediction_taps.add(callback, self.this.clone(), |s| &s.prediction_taps)
    }
}

/// Callbacks registered until their [`Subscription`] drops.
struct Listeners<T> {
    list: RefCell<Vec<(usize, Callback<T>)>>,
    next: Cell<usize>,
}

impl<T> Default for Listeners<T> {
    fn default() -> Self {
        Listeners { list: RefCell::new(Vec::new()), next: Cell::new(0) }
    }
}

impl<T: Clone + 'static> Listeners<T> {
    fn add(
        &self,
        callback: Callback<T>,
        service: Weak<InferenceService>,
        field: fn(&InferenceService) -> &Listeners<T>,
    ) -> Subscription {
        let id = self.next.get();
        self.next.set(id + 1);
        self.list.borrow_mut().push((id, callback));
        let remove: Box<dyn Fn()> = Box::new(move || {
            if let Some(s) = service.upgrade() {
                field(&s).list.borrow_mut().retain(|(i, _)| *i != id);
            }
        });
        Subscription { remove }
    }

    fn emit(&self, value: T) {
        // Not borrowed while the callbacks run: one may subscribe or unsubscribe.
        let callbacks: Vec<Callback<T>> = self.list.borrow().iter().map(|(_, cb)| cb.clone()).collect();
        for cb in callbacks {
            cb.emit(value.clone());
        }
    }
}

pub struct Subscription {
    remove: Box<dyn Fn()>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        (self.remove)();
    }
}

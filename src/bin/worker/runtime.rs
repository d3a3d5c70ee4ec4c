//! The inference worker's runtime: owns the core [`Engine`] (and so tract), fetches models, answers
//! requests. It runs in a dedicated web worker so the UI thread never runs a model.

use js_sys::{Array, Reflect, Uint8Array};
use playground_core::denoise::{self, Cleaning, Plane, Share};
use playground_core::engine::Engine;
use playground_core::input::{CleanOptions, ModelInput};
#[cfg(feature = "onnx")]
use playground_core::inspect;
#[cfg(feature = "onnx")]
use playground_core::model::Model;
use playground_core::postprocess::TOP_K;
use playground_core::protocol::{
    self, Ask, Cleaned, Event, Feeling, FromPartner, Prediction, Reply, Request, RequestId, Sabotage,
    ToPartner,
};
use playground_core::registry::{self, ModelKey, Task};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, ErrorEvent, MessageEvent, ReadableStreamDefaultReader};

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn wasm_memory_bytes() -> f64 {
    let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).unwrap_or_default();
    Reflect::get(&buffer, &"byteLength".into()).ok().and_then(|v| v.as_f64()).unwrap_or_default()
}

fn now_ms() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or_default()
}

fn post(event: &Event) {
    let bytes = Uint8Array::from(protocol::encode(event).as_slice());
    // Transfer the buffer instead of copying it.
    let _ = scope().post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
}

fn reply(id: RequestId, reply: Reply) {
    post(&Event::Reply { id, reply });
}

thread_local! {
    /// The request being worked on, named by the panic hook.
    static CURRENT: std::cell::Cell<Option<RequestId>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` as work on request `id` (a panic inside names it).
fn working_on<T>(id: RequestId, f: impl FnOnce() -> T) -> T {
    let before = CURRENT.with(|c| c.replace(Some(id)));
    let out = f();
    CURRENT.with(|c| c.set(before));
    out
}

#[derive(Default)]
struct State {
    engine: Engine,
    /// Registry models being fetched, with the requests waiting for each, so a repeated
    /// `Load` does not fetch twice and every asker hears the outcome.
    loading: Vec<(String, Vec<RequestId>)>,
    /// `Clean` requests (in a partner: shares) under way; a `Cancel` takes one out, and its
    /// job stops at the next tile.
    cleaning: Vec<RequestId>,
    /// The second worker that cleans half of each photo's tiles, once a denoiser is loaded.
    partner: Option<Partner>,
}

pub fn start() {
    if Partner::is_me() {
        return serve_as_partner();
    }
    // On wasm32 a panic aborts the instance; say so first, so the UI can restart us at once
    // instead of waiting for its watchdog.
    std::panic::set_hook(Box::new(|info| {
        post(&Event::Panicked { message: info.to_string(), during: CURRENT.with(|c| c.get()) })
    }));
    let state = Rc::new(RefCell::new(State::default()));
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        // A request, or [request, file] for a person's model (src/client.rs).
        let data = event.data();
        let (encoded, file) = match data.dyn_ref::<Array>() {
            Some(parts) => (parts.get(0), Some(parts.get(1))),
            None => (data, None),
        };
        let bytes = Uint8Array::new(&encoded).to_vec();
        match protocol::decode::<Request>(&bytes) {
            Ok(mut request) => match file.map(|f| read_file_into(&mut request.ask, &f)) {
                Some(Err(message)) => reply(request.id, Reply::Failed(message)),
                _ => working_on(request.id, || handle(&state, request)),
            },
            Err(message) => post(&Event::Unreadable { message }),
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&Event::Ready);
}

/// Reads the file sent beside a request into its `bytes` (synchronously: a worker may, and
/// the request cannot be answered before). A file that cannot be read (moved, changed on disk)
/// fails the request.
fn read_file_into(ask: &mut Ask, file: &JsValue) -> Result<(), String> {
    let read = || -> Result<Vec<u8>, JsValue> {
        let buffer = web_sys::FileReaderSync::new()?.read_as_array_buffer(file.unchecked_ref())?;
        Ok(Uint8Array::new(&buffer).to_vec())
    };
    let failed = |e: JsValue| {
        let why = e.dyn_ref::<js_sys::Error>().and_then(|e| e.message().as_string()).unwrap_or_default();
        format!("the file could not be read ({why}); pick it again")
    };
    if let Ask::Inspect { bytes } | Ask::LoadOwn { bytes, .. } = ask {
        *bytes = read().map_err(failed)?;
    }
    Ok(())
}

fn handle(state: &Rc<RefCell<State>>, Request { id, ask }: Request) {
    match ask {
        Ask::Load { model } => {
            if registry::find(&model).is_ok_and(|spec| spec.task == Task::Clean) {
                Partner::start(state, &model);
            }
            let labels = state.borrow().engine.get(model.as_str()).map(|m| m.labels.clone());
            if let Ok(labels) = labels {
                return reply(id, Reply::Loaded { labels, millis: 0.0 });
            }
            let mut s = state.borrow_mut();
            match s.loading.iter_mut().find(|(m, _)| *m == model) {
                Some((_, waiting)) => waiting.push(id),
                None => {
                    s.loading.push((model.clone(), vec![id]));
                    spawn_local(load(state.clone(), model));
                }
            }
        }
        Ask::Run { model, input } => reply(id, run(&state.borrow().engine, model, &input)),
        Ask::Write { model, text, count, temperature, seed } => {
            let started = now_ms();
            let written = state.borrow().engine.write(&model, &text, count as usize, temperature, seed);
            reply(
                id,
                match written {
                    Ok(text) => Reply::Written { text, millis: now_ms() - started },
                    Err(e) => Reply::Failed(e.to_string()),
                },
            )
        }
        Ask::Clean { model, photo, options } => {
            state.borrow_mut().cleaning.push(id);
            spawn_local(clean(state.clone(), id, model, photo, options));
        }
        Ask::Feel { model, text } => {
            let started = now_ms();
            let felt = state.borrow().engine.feel(&model, &text);
            reply(
                id,
                match felt {
                    Ok(feeling) => Reply::Felt(Feeling { millis: now_ms() - started, ..feeling }),
                    Err(e) => Reply::Failed(e.to_string()),
                },
            )
        }
        Ask::LeaveOut { model, text, words } => {
            let started = now_ms();
            let left_out = state.borrow().engine.leave_out(&model, &text, &words);
            reply(
                id,
                match left_out {
                    Ok(positive) => Reply::LeftOut { words, positive, millis: now_ms() - started },
                    Err(e) => Reply::Failed(e.to_string()),
                },
            )
        }
        Ask::Cancel { request } => {
            state.borrow_mut().cleaning.retain(|&r| r != request);
            // A cleaning waiting for its partner's half notices at once.
            let inbox = state.borrow().partner.as_ref().map(|p| p.inbox.clone());
            if let Some(inbox) = inbox {
                Inbox::wake(&inbox);
            }
        }
        Ask::Benchmark { model, input, runs } => reply(
            id,
            match state.borrow().engine.benchmark(model, &input, runs, now_ms) {
                Ok(t) => Reply::Benchmark {
                    infer_ms: t.infer,
                    classify_ms: t.classify,
                    memory_bytes: wasm_memory_bytes(),
                },
                Err(e) => Reply::Failed(e.to_string()),
            },
        ),
        #[cfg(feature = "onnx")]
        Ask::Inspect { bytes } => reply(
            id,
            match inspect::inspect(&bytes) {
                Ok(card) => Reply::Inspected(card),
                Err(e) => Reply::Failed(e.to_string()),
            },
        ),
        #[cfg(feature = "onnx")]
        Ask::LoadOwn { bytes, labels, spec } => {
            let started = now_ms();
            // Drop the previous model first: two big models need not fit in memory at once.
            state.borrow_mut().engine.remove(&ModelKey::Own);
            reply(
                id,
                match Model::from_onnx_file(&bytes, spec, labels.as_deref()) {
                    Ok(model) => {
                        let labels = model.labels.clone();
                        state.borrow_mut().engine.insert(ModelKey::Own, model);
                        Reply::Loaded { labels, millis: now_ms() - started }
                    }
                    Err(e) => Reply::Failed(e.to_string()),
                },
            );
        }
        // The demos' build has no ONNX front end; the app sends these to the playground's build
        // only (InferenceService::use_onnx_build), so this answer means a bug, said plainly.
        #[cfg(not(feature = "onnx"))]
        Ask::Inspect { .. } | Ask::LoadOwn { .. } => reply(id, Reply::Failed(NO_ONNX.into())),
        Ask::Sabotage(Sabotage::Panic) => panic!("sabotage requested by the page"),
        Ask::Sabotage(Sabotage::PartnerPanic) => {
            if let Some(partner) = state.borrow().partner.as_ref() {
                partner.send(ToPartner::Panic);
            }
        }
        Ask::Sabotage(Sabotage::Hang) => loop {
            std::hint::spin_loop();
        },
        Ask::Sabotage(Sabotage::Stall { ms }) => {
            let until = now_ms() + f64::from(ms);
            while now_ms() < until {
                std::hint::spin_loop();
            }
        }
    }
}

/// Preprocess and infer, timing both; failures become a `Failed` the page shows.
fn run(engine: &Engine, model: ModelKey, input: &ModelInput) -> Reply {
    let started = now_ms();
    let result = engine.prepare(model.clone(), input).and_then(|prepared| {
        let infer_started = now_ms();
        let answer = engine.answer(model, &prepared.tensor, TOP_K)?;
        Ok((answer, prepared, now_ms() - infer_started))
    });
    match result {
        Ok((answer, prepared, infer_millis)) => Reply::Prediction(Prediction {
            answer,
            view: prepared.view,
            millis: now_ms() - started,
            infer_millis,
        }),
        Err(e) => Reply::Failed(e.to_string()),
    }
}

/// Decodes the photo and runs its tiles one by one, reporting each; the worker reads its
/// messages before the decoding and between two tiles (a `Cancel`, a newer `Clean`, another
/// page's request), so a cancelled or superseded cleaning costs at most one tile. With a
/// partner worker ready, the second half of the tiles runs there at the same time.
async fn clean(
    state: Rc<RefCell<State>>,
    id: RequestId,
    model: String,
    photo: Vec<u8>,
    options: CleanOptions,
) {
    let started = now_ms();
    let cancelled = || !state.borrow().cleaning.contains(&id);
    let failed = |message: String| {
        state.borrow_mut().cleaning.retain(|&r| r != id);
        reply(id, Reply::Failed(message))
    };
    yield_to_messages().await;
    if cancelled() {
        return reply(id, Reply::Cancelled);
    }
    let job = working_on(id, || state.borrow().engine.start_cleaning(&model, &photo, options));
    drop(photo);
    let mut job = match job {
        Ok(job) => job,
        Err(e) => return failed(e.to_string()),
    };
    let total = job.cleaning.progress().1;
    let lent = Partner::lend(&state, &model, &mut job.cleaning);
    let lent_id = lent.as_ref().map(|l| l.0);
    let progress = |done: usize| {
        if done < total {
            reply(id, Reply::Progress { loaded: done as u64, total: Some(total as u64) });
        }
    };
    let stopped = |stop: Stop| match stop {
        Stop::Cancelled => reply(id, Reply::Cancelled),
        Stop::Failed(message) => failed(message),
    };
    let ran = run_tiles(&state, id, &model, &mut job.cleaning, |c| {
        progress(c.progress().0 + Partner::done(&state, lent_id))
    })
    .await;
    if let Err(stop) = ran {
        Partner::cancel(&state, lent_id);
        return stopped(stop);
    }
    let mut cores = 1;
    if let Some((pid, share)) = lent {
        // The partner's half: waited for, or run here if the partner failed.
        let theirs = loop {
            let Some(inbox) = state.borrow().partner.as_ref().map(|p| p.inbox.clone()) else { break None };
            let news = inbox.borrow_mut().news.get_mut(&pid).map(|n| (n.outcome.take(), n.done));
            match news {
                None => break None, // the partner died
                Some((Some(outcome), _)) => {
                    inbox.borrow_mut().news.remove(&pid);
                    break outcome.ok();
                }
                Some((None, done)) => progress(job.cleaning.progress().0 + done),
            }
            if cancelled() {
                Partner::cancel(&state, Some(pid));
                return reply(id, Reply::Cancelled);
            }
            Inbox::next(&inbox).await;
        };
        if theirs.is_some_and(|planes| job.cleaning.absorb(&share, &planes).is_ok()) {
            cores = 2;
        } else {
            Partner::start(&state, &model); // replaces a dead one, for the next photo
            let mut here = match working_on(id, || state.borrow().engine.clean_share(&model, share.clone())) {
                Ok(here) => here,
                Err(e) => return failed(e.to_string()),
            };
            let ours = job.cleaning.progress().0;
            if let Err(stop) =
                run_tiles(&state, id, &model, &mut here, |c| progress(ours + c.progress().0)).await
            {
                return stopped(stop);
            }
            if let Err(e) = job.cleaning.absorb(&share, &here.result().expect("every tile ran")) {
                return failed(e.to_string());
            }
        }
    }
    state.borrow_mut().cleaning.retain(|&r| r != id);
    let (sigma, shrunk_from) = (job.sigma, job.shrunk_from);
    let (before, after) = job.finish().expect("every tile ran");
    reply(
        id,
        Reply::Cleaned(Cleaned {
            width: before.width(),
            height: before.height(),
            before: denoise::rgba(&before),
            after: denoise::rgba(&after),
            sigma,
            shrunk_from,
            tiles: total as u32,
            cores,
            millis: now_ms() - started,
        }),
    );
}

/// The partner's side of the work: listens for [`ToPartner`] instead of page requests.
fn serve_as_partner() {
    std::panic::set_hook(Box::new(|_| tell(&FromPartner::Panicked)));
    let state = Rc::new(RefCell::new(State::default()));
    let onmessage = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        match protocol::decode::<ToPartner>(&Uint8Array::new(&event.data()).to_vec()) {
            Ok(ToPartner::Load { model }) => spawn_local(partner_load(state.clone(), model)),
            Ok(ToPartner::Clean { id, model, share }) => {
                state.borrow_mut().cleaning.push(id);
                spawn_local(clean_share(state.clone(), id, model, share));
            }
            Ok(ToPartner::Cancel { id }) => state.borrow_mut().cleaning.retain(|&r| r != id),
            Ok(ToPartner::Panic) => panic!("sabotage requested by the page"),
            Err(message) => tell(&FromPartner::Failed { id: None, message }),
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    tell(&FromPartner::Ready);
}

/// The partner to its worker, the buffer transferred.
fn tell(news: &FromPartner) {
    let bytes = Uint8Array::from(protocol::encode(news).as_slice());
    let _ = scope().post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
}

async fn partner_load(state: Rc<RefCell<State>>, model: String) {
    let loaded = state.borrow().engine.get(model.as_str()).is_ok();
    let result = if loaded { Ok(()) } else { fetch_and_install(&state, &model).await.map(|_| ()) };
    tell(&match result {
        Ok(()) => FromPartner::Loaded { model },
        Err(message) => FromPartner::Failed { id: None, message },
    });
}

/// The tiles of a [`Share`] (a `Cancel` ends it silently), then their planes back.
async fn clean_share(state: Rc<RefCell<State>>, id: RequestId, model: String, share: Share) {
    let done = |news: FromPartner| {
        state.borrow_mut().cleaning.retain(|&r| r != id);
        tell(&news)
    };
    let failed = |message: String| FromPartner::Failed { id: Some(id), message };
    let mut cleaning = match state.borrow().engine.clean_share(&model, share) {
        Ok(cleaning) => cleaning,
        Err(e) => return done(failed(e.to_string())),
    };
    let ran = run_tiles(&state, id, &model, &mut cleaning, |c| {
        tell(&FromPartner::Progress { id, done: c.progress().0 as u32 })
    })
    .await;
    match ran {
        Ok(()) => done(FromPartner::Cleaned { id, planes: cleaning.result().expect("every tile ran") }),
        Err(Stop::Cancelled) => {}
        Err(Stop::Failed(message)) => done(failed(message)),
    }
}

/// Why [`run_tiles`] stopped before the last tile.
enum Stop {
    Cancelled,
    Failed(String),
}

/// Runs `cleaning`'s tiles for request `id` one at a time, reading this worker's messages before
/// each (a `Cancel` stops it there); `after` is told after each tile. The worker's own half, a
/// partner's half, and a dead partner's half run here all go through it.
async fn run_tiles(
    state: &Rc<RefCell<State>>,
    id: RequestId,
    model: &str,
    cleaning: &mut Cleaning,
    mut after: impl FnMut(&Cleaning),
) -> Result<(), Stop> {
    while !cleaning.finished() {
        yield_to_messages().await;
        if !state.borrow().cleaning.contains(&id) {
            return Err(Stop::Cancelled);
        }
        working_on(id, || state.borrow().engine.clean_step(model, cleaning))
            .map_err(|e| Stop::Failed(e.to_string()))?;
        after(cleaning);
    }
    Ok(())
}

/// What a partner said about one share: tiles done, and its outcome once final.
#[derive(Default)]
struct News {
    done: usize,
    outcome: Option<Result<Vec<Plane>, String>>,
}

/// The partner's news by request, and the cleaning waiting for more (at most one waits at a
/// time: a newer `Clean` cancels the older).
#[derive(Default)]
struct Inbox {
    news: std::collections::HashMap<RequestId, News>,
    /// Models the partner has loaded: it gets shares of these only.
    loaded: Vec<String>,
    dead: bool,
    waiting: Vec<js_sys::Function>,
}

impl Inbox {
    fn wake(inbox: &Rc<RefCell<Inbox>>) {
        let waiting = std::mem::take(&mut inbox.borrow_mut().waiting);
        for resolve in waiting {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }

    /// Resolves at the partner's next message (or a `Cancel` to this worker).
    async fn next(inbox: &Rc<RefCell<Inbox>>) {
        let promise = js_sys::Promise::new(&mut |resolve, _| inbox.borrow_mut().waiting.push(resolve));
        let _ = JsFuture::from(promise).await;
    }
}

/// A second instance of this worker, on the device's other core: a photo's tiles are
/// independent, so half of them run there ([`Cleaning::share`]). Started when a denoiser is
/// loaded, so it is ready before the first photo; not in a partner itself, nor on a one-core
/// device. A partner that fails or dies costs nothing but time: its tiles run here. Spoken to in
/// [`ToPartner`] / [`FromPartner`], not the page's protocol (see there why).
struct Partner {
    worker: web_sys::Worker,
    /// Messages sent before the partner said `Ready`; `None` once it has.
    queue: Rc<RefCell<Option<Vec<ToPartner>>>>,
    next_id: RequestId,
    inbox: Rc<RefCell<Inbox>>,
    _onmessage: Closure<dyn Fn(MessageEvent)>,
    _onerror: Closure<dyn Fn(ErrorEvent)>,
}

impl Drop for Partner {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

impl Partner {
    /// The same module script as this worker (static/worker_loader.js), in the partner's role.
    const URL: &'static str = "./worker_loader.js?role=partner";

    /// Whether this worker is a partner.
    fn is_me() -> bool {
        Reflect::get(&scope(), &"location".into())
            .and_then(|l| Reflect::get(&l, &"search".into()))
            .ok()
            .and_then(|s| s.as_string())
            .is_some_and(|s| s.contains("role=partner"))
    }

    fn spawn() -> Option<Partner> {
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(Self::URL, &options).ok()?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let queue: Rc<RefCell<Option<Vec<ToPartner>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let hear = {
            let (inbox, queue, worker) = (inbox.clone(), queue.clone(), worker.clone());
            move |news: FromPartner| {
                {
                    let mut i = inbox.borrow_mut();
                    if i.dead {
                        // A wasm instance that trapped can still answer; nothing it says counts.
                        return;
                    }
                    match news {
                        FromPartner::Ready => {
                            for message in queue.borrow_mut().take().unwrap_or_default() {
                                post_to(&worker, &message);
                            }
                        }
                        FromPartner::Loaded { model } => i.loaded.push(model),
                        FromPartner::Progress { id, done } => {
                            if let Some(news) = i.news.get_mut(&id) {
                                news.done = news.done.max(done as usize);
                            }
                        }
                        FromPartner::Cleaned { id, planes } => {
                            i.news.entry(id).or_default().outcome = Some(Ok(planes));
                        }
                        FromPartner::Failed { id: Some(id), message } => {
                            i.news.entry(id).or_default().outcome = Some(Err(message));
                        }
                        FromPartner::Failed { id: None, .. } => {} // a model it did not load: not lent
                        FromPartner::Panicked => {
                            i.dead = true;
                            i.news.clear();
                        }
                    }
                }
                Inbox::wake(&inbox);
            }
        };
        let hear = Rc::new(hear);
        let onmessage = {
            let hear = hear.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let bytes = Uint8Array::new(&event.data()).to_vec();
                hear(protocol::decode::<FromPartner>(&bytes).unwrap_or(FromPartner::Panicked));
            })
        };
        let onerror = Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default(); // handled: its tiles run here
            hear(FromPartner::Panicked);
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        Some(Partner { worker, queue, next_id: 1, inbox, _onmessage: onmessage, _onerror: onerror })
    }

    fn send(&self, message: ToPartner) {
        match self.queue.borrow_mut().as_mut() {
            Some(pending) => pending.push(message),
            None => post_to(&self.worker, &message),
        }
    }

    /// Starts a partner if there is none (or a dead one), and has it load `model`.
    fn start(state: &Rc<RefCell<State>>, model: &str) {
        let cores = Reflect::get(&scope(), &"navigator".into())
            .and_then(|n| Reflect::get(&n, &"hardwareConcurrency".into()))
            .ok()
            .and_then(|c| c.as_f64())
            .unwrap_or(1.0);
        if cores < 2.0 {
            return;
        }
        let mut s = state.borrow_mut();
        if s.partner.as_ref().is_some_and(|p| p.inbox.borrow().dead) {
            s.partner = None; // dropped: terminated
        }
        if s.partner.is_none() {
            s.partner = Partner::spawn();
        }
        if let Some(partner) = s.partner.as_ref() {
            partner.send(ToPartner::Load { model: model.to_string() });
        }
    }

    /// Hands the second half of `cleaning`'s tiles to the partner, if one has `model` loaded.
    fn lend(state: &Rc<RefCell<State>>, model: &str, cleaning: &mut Cleaning) -> Option<(RequestId, Share)> {
        if state.borrow().partner.as_ref().is_some_and(|p| p.inbox.borrow().dead) {
            Partner::start(state, model); // a new one, for the next photo
            return None;
        }
        let mut s = state.borrow_mut();
        let partner = s.partner.as_mut()?;
        let total = cleaning.progress().1;
        {
            let inbox = partner.inbox.borrow();
            if inbox.dead || !inbox.loaded.iter().any(|m| m == model) || total < 2 {
                return None;
            }
        }
        let share = cleaning.share(total.div_ceil(2));
        let id = partner.next_id;
        partner.next_id += 1;
        partner.inbox.borrow_mut().news.insert(id, News::default());
        partner.send(ToPartner::Clean { id, model: model.to_string(), share: share.clone() });
        Some((id, share))
    }

    /// Tiles the partner has cleaned of share `request`.
    fn done(state: &Rc<RefCell<State>>, request: Option<RequestId>) -> usize {
        let s = state.borrow();
        let inbox = s.partner.as_ref().map(|p| p.inbox.borrow());
        request.and_then(|r| inbox?.news.get(&r).map(|n| n.done)).unwrap_or(0)
    }

    fn cancel(state: &Rc<RefCell<State>>, request: Option<RequestId>) {
        let s = state.borrow();
        if let (Some(partner), Some(request)) = (s.partner.as_ref(), request) {
            partner.inbox.borrow_mut().news.remove(&request);
            partner.send(ToPartner::Cancel { id: request });
        }
    }
}

fn post_to(worker: &web_sys::Worker, message: &ToPartner) {
    let bytes = Uint8Array::from(protocol::encode(message).as_slice());
    let _ = worker.post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
}

thread_local! {
    /// One channel for [`yield_to_messages`]: a message through it is queued behind those
    /// already sent to the worker; each wakes the oldest waiter.
    static YIELD: Option<(web_sys::MessagePort, Rc<RefCell<std::collections::VecDeque<js_sys::Function>>>)> = {
        let channel = web_sys::MessageChannel::new().ok();
        channel.map(|channel| {
            let waiting = Rc::new(RefCell::new(std::collections::VecDeque::<js_sys::Function>::new()));
            let wake = {
                let waiting = waiting.clone();
                Closure::<dyn Fn()>::new(move || {
                    if let Some(resolve) = waiting.borrow_mut().pop_front() {
                        let _ = resolve.call0(&JsValue::NULL);
                    }
                })
            };
            channel.port1().set_onmessage(Some(wake.as_ref().unchecked_ref()));
            wake.forget(); // lives as long as the worker
            (channel.port2(), waiting)
        })
    };
}

/// Resolves once the messages already queued for this worker have been handled (a timer would
/// do too, but is clamped to 4 ms once nested).
async fn yield_to_messages() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        YIELD.with(|y| match y {
            Some((port, waiting)) => {
                waiting.borrow_mut().push_back(resolve);
                let _ = port.post_message(&JsValue::NULL);
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        })
    });
    let _ = JsFuture::from(promise).await;
}

#[cfg(not(feature = "onnx"))]
const NO_ONNX: &str = "this worker build reads no ONNX files (the playground loads the one that does)";

async fn load(state: Rc<RefCell<State>>, model: String) {
    let started = now_ms();
    let result = fetch_and_install(&state, &model).await;
    let waiting = {
        let mut s = state.borrow_mut();
        let at = s.loading.iter().position(|(m, _)| *m == model);
        at.map(|at| s.loading.remove(at).1).unwrap_or_default()
    };
    for id in waiting {
        reply(
            id,
            match &result {
                Ok(labels) => Reply::Loaded { labels: labels.clone(), millis: now_ms() - started },
                Err(message) => Reply::Failed(message.clone()),
            },
        );
    }
}

async fn fetch_and_install(state: &Rc<RefCell<State>>, model: &str) -> Result<Vec<String>, String> {
    let spec = registry::find(model).map_err(|e| e.to_string())?;
    let labels = match spec.labels_path() {
        Some(path) => fetch(&path, |_, _| {}).await?,
        None => Vec::new(),
    };
    let labels = String::from_utf8(labels).map_err(|_| "labels.txt is not UTF-8".to_string())?;
    // The NNEF archive scripts/build.sh converted from the model's .onnx (see core::session).
    let nnef = fetch(&spec.nnef_path(), |loaded, total| {
        let waiting = state.borrow().loading.iter().find(|(m, _)| m == model).map(|(_, ids)| ids.clone());
        for id in waiting.unwrap_or_default() {
            reply(id, Reply::Progress { loaded, total });
        }
    })
    .await?;
    let first_asker =
        state.borrow().loading.iter().find(|(m, _)| m == model).and_then(|(_, ids)| ids.first().copied());
    let mut state = state.borrow_mut();
    let mut install = || state.engine.install(model, &nnef, &labels).map(|m| m.labels.clone());
    match first_asker {
        Some(id) => working_on(id, install),
        None => install(),
    }
    .map_err(|e| e.to_string())
}

fn js_error(context: &str, e: JsValue) -> String {
    let detail = e.as_string().or_else(|| js_sys::Error::from(e).message().as_string()).unwrap_or_default();
    format!("{context}: {detail}")
}

/// Fetches `path` (relative to the worker script, i.e. the site root), reporting progress
/// as the body streams in.
async fn fetch(path: &str, progress: impl Fn(u64, Option<u64>)) -> Result<Vec<u8>, String> {
    let response: web_sys::Response = JsFuture::from(scope().fetch_with_str(path))
        .await
        .map_err(|e| js_error(&format!("could not download {path} (are you offline?)"), e))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("could not download {path}: HTTP {}", response.status()));
    }
    // With a Content-Encoding the length counts compressed bytes while the stream yields
    // decompressed ones, so the size is unknown.
    let headers = response.headers();
    let encoded = headers.get("content-encoding").ok().flatten().is_some_and(|e| e != "identity");
    let total =
        headers.get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok()).filter(|_| !encoded);
    let body = response.body().ok_or_else(|| format!("{path}: empty response"))?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut bytes = Vec::with_capacity(total.unwrap_or(0) as usize);
    loop {
        let chunk =
            JsFuture::from(reader.read()).await.map_err(|e| js_error(&format!("downloading {path}"), e))?;
        if Reflect::get(&chunk, &"done".into()).map(|d| d.is_truthy()).unwrap_or(true) {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|e| js_error(path, e))?;
        bytes.extend(Uint8Array::new(&value).to_vec());
        progress(bytes.len() as u64, total);
    }
    Ok(bytes)
}

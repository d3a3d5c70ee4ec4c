//! The inference worker's runtime: owns the core [`Engine`] (and so tract), fetches models, answers
//! requests. It runs in a dedicated web worker so the UI thread never runs a model.

use js_sys::{Array, Reflect, Uint8Array};
use playground_core::engine::Engine;
use playground_core::input::ModelInput;
#[cfg(feature = "onnx")]
use playground_core::inspect;
#[cfg(feature = "onnx")]
use playground_core::model::Model;
use playground_core::postprocess::TOP_K;
use playground_core::protocol::{self, Ask, Event, Prediction, Reply, Request, RequestId, Sabotage};
#[cfg(feature = "engine")]
use playground_core::registry::Task;
use playground_core::registry::{self, ModelKey};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader};

#[cfg(feature = "engine")]
#[path = "cleaning.rs"]
mod cleaning;
#[cfg(feature = "engine")]
use cleaning::{clean, serve_as_partner, Inbox, Partner};

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
    #[cfg(feature = "engine")]
    partner: Option<Partner>,
}

pub fn start() {
    #[cfg(feature = "engine")]
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
            #[cfg(feature = "engine")]
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
        #[cfg(feature = "engine")]
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
        #[cfg(feature = "engine")]
        Ask::Clean { model, photo, options } => {
            state.borrow_mut().cleaning.push(id);
            spawn_local(clean(state.clone(), id, model, photo, options));
        }
        #[cfg(feature = "engine")]
        Ask::Feel { model, text } => {
            let started = now_ms();
            let felt = state.borrow().engine.feel(&model, &text);
            reply(
                id,
                match felt {
                    Ok(feeling) => Reply::Felt(playground_core::protocol::Feeling {
                        millis: now_ms() - started,
                        ..feeling
                    }),
                    Err(e) => Reply::Failed(e.to_string()),
                },
            )
        }
        #[cfg(feature = "engine")]
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
        #[cfg(not(feature = "engine"))]
        Ask::Write { .. } | Ask::Clean { .. } | Ask::Feel { .. } | Ask::LeaveOut { .. } => {
            reply(id, Reply::Failed(SKETCH_ONLY.into()))
        }
        Ask::Cancel { request } => {
            state.borrow_mut().cleaning.retain(|&r| r != request);
            // A cleaning waiting for its partner's half notices at once.
            #[cfg(feature = "engine")]
            if let Some(inbox) = state.borrow().partner.as_ref().map(|p| p.inbox.clone()) {
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
                    threads: t.threads as u32,
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
        // only (InferenceService::use_build), so this answer means a bug, said plainly.
        #[cfg(not(feature = "onnx"))]
        Ask::Inspect { .. } | Ask::LoadOwn { .. } => reply(id, Reply::Failed(NO_ONNX.into())),
        Ask::Sabotage(Sabotage::Panic) => panic!("sabotage requested by the page"),
        Ask::Sabotage(Sabotage::PartnerPanic) =>
        {
            #[cfg(feature = "engine")]
            if let Some(partner) = state.borrow().partner.as_ref() {
                partner.send(playground_core::protocol::ToPartner::Panic);
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

#[cfg(not(feature = "engine"))]
const SKETCH_ONLY: &str =
    "this worker build runs the sketch page's models only (the other pages load the one that runs the rest)";

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
    // Both requests at once: on a slow network a round trip is half a second.
    let labels_path = spec.labels_path();
    let labels_request = labels_path.as_deref().map(request);
    // Its ONNX file, or the NNEF archive scripts/build.sh converted from it (registry `Runtime`).
    let model_path = spec.served_path();
    let model_request = request(&model_path);
    let labels = match (labels_path, labels_request) {
        (Some(path), Some(started)) => download(started, &path, |_, _| {}).await?,
        _ => Vec::new(),
    };
    let labels = String::from_utf8(labels).map_err(|_| "labels.txt is not UTF-8".to_string())?;
    let bytes = download(model_request, &model_path, |loaded, total| {
        let waiting = state.borrow().loading.iter().find(|(m, _)| m == model).map(|(_, ids)| ids.clone());
        for id in waiting.unwrap_or_default() {
            reply(id, Reply::Progress { loaded, total });
        }
    })
    .await?;
    let first_asker =
        state.borrow().loading.iter().find(|(m, _)| m == model).and_then(|(_, ids)| ids.first().copied());
    let mut state = state.borrow_mut();
    let mut install = || state.engine.install(model, &bytes, &labels).map(|m| m.labels.clone());
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

/// The request for `path` (relative to the worker script, i.e. the site root): the one
/// `static/worker_loader.js` started beside the wasm for this build's first model, once, or a
/// new one.
fn request(path: &str) -> js_sys::Promise {
    let prefetched = Reflect::get(&js_sys::global(), &"playgroundPrefetched".into())
        .ok()
        .and_then(|map| map.dyn_into::<js_sys::Map>().ok())
        .and_then(|map| {
            let started = map.get(&path.into()).dyn_into::<js_sys::Promise>().ok()?;
            map.delete(&path.into());
            Some(started)
        });
    prefetched.unwrap_or_else(|| scope().fetch_with_str(path))
}

/// The body of the response `started` promises for `path`, reporting progress as it streams in.
async fn download(
    started: js_sys::Promise,
    path: &str,
    progress: impl Fn(u64, Option<u64>),
) -> Result<Vec<u8>, String> {
    let response: web_sys::Response = JsFuture::from(started)
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

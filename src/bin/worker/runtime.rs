//! The inference worker's runtime: owns the core [`Engine`] (and so tract), fetches models, answers
//! requests. It runs in a dedicated web worker so the UI thread never runs a model.

use js_sys::{Array, Reflect, Uint8Array};
#[cfg(feature = "onnx")]
use playground_core::custom::CustomModel;
use playground_core::engine::Engine;
#[cfg(feature = "onnx")]
use playground_core::inspect;
use playground_core::protocol::{
    self, ModelInput, Prediction, Request, Response, Sabotage, Seq, CUSTOM_MODEL, TOP_K,
};
use playground_core::registry;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader};

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

fn post(response: &Response) {
    let bytes = Uint8Array::from(protocol::encode(response).as_slice());
    // Transfer the buffer instead of copying it.
    let _ = scope().post_message_with_transfer(&bytes, &Array::of1(&bytes.buffer()));
}

#[derive(Default)]
struct State {
    engine: Engine,
    /// Models being fetched, so a repeated `Load` does not fetch twice.
    loading: Vec<String>,
    /// A person's own model (the playground), if one is loaded.
    #[cfg(feature = "onnx")]
    custom: Option<CustomModel>,
}

pub fn start() {
    // On wasm32 a panic aborts the instance; say so first, so the UI can restart us at once
    // instead of waiting for its watchdog.
    std::panic::set_hook(Box::new(|info| post(&Response::Panicked { message: info.to_string() })));
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
            Ok(mut request) => match file.map(|f| read_file_into(&mut request, &f)) {
                Some(Err(failure)) => post(&failure),
                _ => handle(&state, request),
            },
            Err(message) => post(&Response::Failed { seq: 0, model: String::new(), message }),
        }
    });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&Response::Ready);
}

/// Reads the file sent beside `request` into its `bytes` (synchronously: a worker may, and
/// the request cannot be answered before). A file that cannot be read (moved, changed on disk)
/// gets the request's failure answer.
fn read_file_into(request: &mut Request, file: &JsValue) -> Result<(), Response> {
    let read = || -> Result<Vec<u8>, JsValue> {
        let buffer = web_sys::FileReaderSync::new()?.read_as_array_buffer(file.unchecked_ref())?;
        Ok(Uint8Array::new(&buffer).to_vec())
    };
    let failed = |e: JsValue| {
        let why = e.dyn_ref::<js_sys::Error>().and_then(|e| e.message().as_string()).unwrap_or_default();
        format!("the file could not be read ({why}); pick it again")
    };
    match request {
        Request::Inspect { bytes } => {
            *bytes = read().map_err(|e| Response::InspectFailed { message: failed(e) })?
        }
        Request::LoadCustom { bytes, .. } => {
            *bytes =
                read().map_err(|e| Response::LoadFailed { model: CUSTOM_MODEL.into(), message: failed(e) })?
        }
        _ => {}
    }
    Ok(())
}

fn handle(state: &Rc<RefCell<State>>, request: Request) {
    match request {
        Request::Load { model } => {
            let labels = state.borrow().engine.get(&model).map(|m| m.labels.clone());
            if let Ok(labels) = labels {
                post(&Response::Loaded { model, labels, millis: 0.0 });
            } else if !state.borrow().loading.contains(&model) {
                state.borrow_mut().loading.push(model.clone());
                spawn_local(load(state.clone(), model));
            }
        }
        Request::Classify { seq, model, input } => {
            post(&classify(&state.borrow().engine, seq, model, &input))
        }
        Request::Benchmark { model, input, runs } => {
            let response = match state.borrow().engine.benchmark(&model, &input, runs, now_ms) {
                Ok(t) => Response::Benchmark {
                    model,
                    infer_ms: t.infer,
                    classify_ms: t.classify,
                    memory_bytes: wasm_memory_bytes(),
                },
                Err(e) => Response::Failed { seq: 0, model, message: e.to_string() },
            };
            post(&response);
        }
        #[cfg(feature = "onnx")]
        Request::Inspect { bytes } => post(&match inspect::inspect(&bytes) {
            Ok(card) => Response::Inspected { card },
            Err(e) => Response::InspectFailed { message: e.to_string() },
        }),
        #[cfg(feature = "onnx")]
        Request::LoadCustom { bytes, labels, spec } => {
            let started = now_ms();
            let model = CUSTOM_MODEL.to_string();
            // Drop the previous model first: two big models need not fit in memory at once.
            state.borrow_mut().custom = None;
            post(&match CustomModel::load(&bytes, spec, labels.as_deref()) {
                Ok(custom) => {
                    let labels = custom.labels().to_vec();
                    state.borrow_mut().custom = Some(custom);
                    Response::Loaded { model, labels, millis: now_ms() - started }
                }
                Err(e) => Response::LoadFailed { model, message: e.to_string() },
            });
        }
        #[cfg(feature = "onnx")]
        Request::ClassifyCustom { seq, input } => {
            post(&classify_custom(state.borrow().custom.as_ref(), seq, &input))
        }
        // The demos' build has no ONNX front end; the app sends these to the playground's build
        // only (InferenceService::use_onnx_build), so this answer means a bug, said plainly.
        #[cfg(not(feature = "onnx"))]
        Request::Inspect { .. } => post(&Response::InspectFailed { message: NO_ONNX.into() }),
        #[cfg(not(feature = "onnx"))]
        Request::LoadCustom { .. } => {
            post(&Response::LoadFailed { model: CUSTOM_MODEL.into(), message: NO_ONNX.into() })
        }
        #[cfg(not(feature = "onnx"))]
        Request::ClassifyCustom { seq, .. } => {
            post(&Response::Failed { seq, model: CUSTOM_MODEL.into(), message: NO_ONNX.into() })
        }
        Request::Sabotage(Sabotage::Panic) => panic!("sabotage requested by the page"),
        Request::Sabotage(Sabotage::Hang) => loop {
            std::hint::spin_loop();
        },
    }
}

/// Preprocess and infer, timing both; failures become a `Failed` the page shows.
fn classify(engine: &Engine, seq: Seq, model: String, input: &ModelInput) -> Response {
    let started = now_ms();
    let result = engine.prepare(&model, input).and_then(|prepared| {
        let infer_started = now_ms();
        let answer = engine.answer(&model, &prepared.tensor, TOP_K)?;
        Ok((answer, prepared, now_ms() - infer_started))
    });
    match result {
        Ok((answer, prepared, infer_millis)) => Response::Prediction(Prediction {
            seq,
            model,
            top: answer.top,
            not_sure: answer.not_sure,
            input: prepared.view,
            input_side: prepared.side,
            input_channels: prepared.channels,
            millis: now_ms() - started,
            infer_millis,
        }),
        Err(e) => Response::Failed { seq, model, message: e.to_string() },
    }
}

#[cfg(not(feature = "onnx"))]
const NO_ONNX: &str = "this worker build reads no ONNX files (the playground loads the one that does)";

#[cfg(feature = "onnx")]
fn classify_custom(custom: Option<&CustomModel>, seq: Seq, input: &ModelInput) -> Response {
    let started = now_ms();
    let failed = |message: String| Response::Failed { seq, model: CUSTOM_MODEL.to_string(), message };
    let Some(custom) = custom else { return failed("load a model first".into()) };
    let prepared = match input {
        ModelInput::Strokes(strokes) => custom.prepare_strokes(strokes),
        ModelInput::Photo(bytes) => custom.prepare_photo(bytes),
    };
    match prepared.and_then(|p| Ok((custom.run(&p.tensor)?, p))) {
        Ok((output, p)) => Response::CustomOutput {
            seq,
            output,
            input: p.view,
            input_side: p.side,
            input_channels: p.channels,
            millis: now_ms() - started,
        },
        Err(e) => failed(e.to_string()),
    }
}

async fn load(state: Rc<RefCell<State>>, model: String) {
    let started = now_ms();
    let result = fetch_and_install(&state, &model).await;
    state.borrow_mut().loading.retain(|m| m != &model);
    let loaded = result.is_ok();
    post(&match result {
        Ok(labels) => Response::Loaded { model: model.clone(), labels, millis: now_ms() - started },
        Err(message) => Response::LoadFailed { model: model.clone(), message },
    });
    // Its wider model comes after it, so the first answer never waits for it; answers name
    // its classes too once it is in (Engine::answer). Announced by its own `Loaded`.
    let wider = registry::find(&model).ok().and_then(|spec| spec.widened_by);
    if let Some(widening) = wider.filter(|_| loaded) {
        handle(&state, Request::Load { model: widening.model.to_string() });
    }
}

async fn fetch_and_install(state: &Rc<RefCell<State>>, model: &str) -> Result<Vec<String>, String> {
    let spec = registry::find(model).map_err(|e| e.to_string())?;
    let labels = fetch(&spec.labels_path(), |_, _| {}).await?;
    let labels = String::from_utf8(labels).map_err(|_| "labels.txt is not UTF-8".to_string())?;
    // The NNEF archive scripts/build.sh converted from the model's .onnx (see core::session).
    let nnef = fetch(&spec.nnef_path(), |loaded, total| {
        post(&Response::LoadProgress { model: model.to_string(), loaded, total })
    })
    .await?;
    let mut state = state.borrow_mut();
    let loaded = state.engine.install(model, &nnef, &labels).map_err(|e| e.to_string())?;
    Ok(loaded.labels.clone())
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

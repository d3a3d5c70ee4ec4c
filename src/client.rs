//! The UI side of the worker connection: spawns the worker, queues requests until the worker
//! says `Ready`, decodes answers. Hand-written rather than gloo-worker because gloo-worker 0.5
//! cannot `terminate()` its worker: a worker that hangs or has trapped never reads gloo's
//! "destroy" message, and we must be able to kill and replace it.

use js_sys::{Array, Uint8Array};
use playground_core::protocol::{self, Event, Request};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// The worker's builds (`scripts/build.sh`), smallest first: each runs every model the one
/// before it runs, and more. `static/worker_loader.js` instantiates the one its `build` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Build {
    /// The sketch page's models only (plain CNNs, core `cnn`): no tract, a quarter of the size.
    Sketch,
    /// Every registry model (tract for the others, from NNEF archives).
    Demos,
    /// A person's ONNX file too (the playground).
    Onnx,
}

impl Build {
    /// What `static/early_worker.js` and `worker_loader.js` call it.
    fn name(self) -> &'static str {
        match self {
            Build::Sketch => "sketch",
            Build::Demos => "demos",
            Build::Onnx => "onnx",
        }
    }

    fn url(self) -> String {
        format!("./worker_loader.js?build={}", self.name())
    }

    /// The build `static/early_worker.js` started for the page it opened on (it holds the
    /// rule: which pages need what), if it started one that the app has not taken yet.
    pub fn of_early_worker() -> Option<Build> {
        let early = js_sys::Reflect::get(&js_sys::global(), &EARLY_WORKER.into()).ok()?;
        let name = js_sys::Reflect::get(&early, &"build".into()).ok()?.as_string()?;
        [Build::Sketch, Build::Demos, Build::Onnx].into_iter().find(|b| b.name() == name)
    }
}

/// The global `static/early_worker.js` leaves its worker in.
const EARLY_WORKER: &str = "playgroundEarlyWorker";

pub enum WorkerEvent {
    Message(Event),
    /// The worker threw (a trap after a panic, a script that failed to load…).
    Error(String),
}

/// Requests sent before the worker said `Ready` (with the file each carries); `None` once it has.
type Pending = Rc<RefCell<Option<Vec<(Request, Option<Blob>)>>>>;

pub struct WorkerClient {
    worker: Worker,
    queue: Pending,
    _onmessage: Closure<dyn Fn(MessageEvent)>,
    _onerror: Closure<dyn Fn(ErrorEvent)>,
}

impl WorkerClient {
    /// Starts a worker of `build`, or, the first time, adopts the one the page's boot script
    /// started before the app's wasm (`static/early_worker.js`) if it is of that build.
    pub fn spawn(build: Build, on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<Self, String> {
        let early = (Build::of_early_worker() == Some(build)).then(take_early_worker).flatten();
        let (worker, said) = match early {
            Some(early) => early,
            None => {
                let options = WorkerOptions::new();
                options.set_type(WorkerType::Module);
                let worker = Worker::new_with_options(&build.url(), &options)
                    .map_err(|e| format!("cannot start the inference worker: {e:?}"))?;
                (worker, Array::new())
            }
        };
        let queue: Pending = Rc::new(RefCell::new(Some(Vec::new())));

        let onmessage = {
            let (worker, queue, on_event) = (worker.clone(), queue.clone(), on_event.clone());
            Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
                let bytes = Uint8Array::new(&event.data()).to_vec();
                match protocol::decode::<Event>(&bytes) {
                    Ok(Event::Ready) => {
                        for (request, file) in queue.borrow_mut().take().unwrap_or_default() {
                            post(&worker, &request, file.as_ref());
                        }
                        on_event(WorkerEvent::Message(Event::Ready));
                    }
                    Ok(response) => on_event(WorkerEvent::Message(response)),
                    Err(message) => on_event(WorkerEvent::Error(message)),
                }
            })
        };
        let onerror = Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
            // Keep the error from also surfacing as an uncaught page error: we handle it.
            event.prevent_default();
            let message = event.message();
            on_event(WorkerEvent::Error(if message.is_empty() {
                "the worker failed".into()
            } else {
                message
            }));
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        // What an adopted worker said before the app listened, in order.
        for event in said.iter() {
            let handler: &js_sys::Function = match event.dyn_ref::<ErrorEvent>() {
                Some(_) => onerror.as_ref().unchecked_ref(),
                None => onmessage.as_ref().unchecked_ref(),
            };
            let _ = handler.call1(&JsValue::NULL, &event);
        }
        Ok(WorkerClient { worker, queue, _onmessage: onmessage, _onerror: onerror })
    }

    /// Whether the worker has said `Ready` (its wasm is downloaded and instantiated).
    pub fn is_ready(&self) -> bool {
        self.queue.borrow().is_none()
    }

    /// Sends `request`; with `file`, the worker reads that file into the request's `bytes`
    /// (a person's model: the page never holds its bytes, see [`post`]).
    pub fn send(&self, request: Request, file: Option<Blob>) {
        match self.queue.borrow_mut().as_mut() {
            Some(pending) => pending.push((request, file)),
            None => post(&self.worker, &request, file.as_ref()),
        }
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

/// The worker `static/early_worker.js` started and its events so far, once: the global is
/// removed, so a restart starts a fresh worker.
fn take_early_worker() -> Option<(Worker, Array)> {
    let global = js_sys::global();
    let key = JsValue::from_str(EARLY_WORKER);
    let early = js_sys::Reflect::get(&global, &key).ok().filter(|v| v.is_object())?;
    let _ = js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &key);
    let worker = js_sys::Reflect::get(&early, &"worker".into()).ok()?.dyn_into::<Worker>().ok()?;
    let said = js_sys::Reflect::get(&early, &"said".into()).ok()?.dyn_into::<Array>().ok()?;
    Some((worker, said))
}

/// The encoded request, its buffer transferred; with a file, `[request, file]`: a `File` or
/// `Blob` is passed by reference (structured clone shares its data), so a 190 MB model is
/// read once, in the worker, and never copied through the app's wasm memory.
fn post(worker: &Worker, request: &Request, file: Option<&Blob>) {
    let bytes = Uint8Array::from(protocol::encode(request).as_slice());
    let message: JsValue = match file {
        Some(file) => Array::of2(&bytes, file).into(),
        None => bytes.clone().into(),
    };
    let _ = worker.post_message_with_transfer(&message, &Array::of1(&bytes.buffer()));
}

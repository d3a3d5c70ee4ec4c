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

/// Module script that instantiates the worker's wasm (written by `scripts/build.sh`): the
/// demos' build, which runs the registry models as NNEF.
pub const WORKER_URL: &str = "./worker_loader.js";
/// The same loader for the build that also reads ONNX (the playground).
pub const ONNX_WORKER_URL: &str = "./worker_loader.js?build=onnx";

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
    /// Starts a worker of `url`'s build, or, the first time, adopts the one the page's boot
    /// script started before the app's wasm (`static/early_worker.js`) if it is of that build.
    pub fn spawn(url: &str, on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<Self, String> {
        let (worker, said) = match take_early_worker().filter(|_| url == WORKER_URL) {
            Some(early) => early,
            None => {
                let options = WorkerOptions::new();
                options.set_type(WorkerType::Module);
                let worker = Worker::new_with_options(url, &options)
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

/// The worker `static/early_worker.js` started (always the demos' build) and its events so far,
/// once: the global is removed, so a restart starts a fresh worker.
fn take_early_worker() -> Option<(Worker, Array)> {
    let global = js_sys::global();
    let key = JsValue::from_str("playgroundEarlyWorker");
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

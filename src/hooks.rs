//! Hooks shared by the pages that talk to a model.

use crate::inference::{Inference, OnReply};
use crate::state::app::AppState;
use playground_core::input::{CleanOptions, ModelInput};
use playground_core::protocol::{Reply, RequestId};
use playground_core::registry::ModelKey;
use playground_core::sketch::Stroke;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A page's line to one registry model: its requests, whose replies go to the page's reducer
/// while the page is mounted.
#[derive(Clone)]
pub struct ModelLine {
    inference: Inference,
    model: &'static str,
    on_reply: OnReply,
    /// The model is loaded in the worker.
    pub ready: bool,
}

impl ModelLine {
    /// The id the next request will get: answers to earlier ones are about an older input.
    pub fn next_id(&self) -> RequestId {
        self.inference.0.next_id()
    }

    pub fn run(&self, input: ModelInput) -> RequestId {
        self.inference.0.run(ModelKey::from(self.model), input, self.on_reply.clone())
    }

    pub fn classify_strokes(&self, strokes: Vec<Stroke>) -> RequestId {
        self.run(ModelInput::Strokes(strokes))
    }

    /// A sentiment model: how `text` feels.
    pub fn feel(&self, text: String) -> RequestId {
        self.inference.0.feel(self.model, text, self.on_reply.clone())
    }

    /// A sentiment model: P(positive) with each of `words` left out of `text`.
    pub fn leave_out(&self, text: String, words: Vec<u32>) -> RequestId {
        self.inference.0.leave_out(self.model, text, words, self.on_reply.clone())
    }

    /// A denoiser: `photo` cleaned (progress per tile).
    pub fn clean(&self, photo: Vec<u8>, options: CleanOptions) -> RequestId {
        self.inference.0.clean(self.model, photo, options, self.on_reply.clone())
    }

    pub fn cancel(&self, request: RequestId) {
        self.inference.0.cancel(request)
    }

    /// A character model: `count` characters after `text`.
    pub fn write(&self, text: String, count: u32, temperature: f32, seed: u64) -> RequestId {
        self.inference.0.write(self.model, text, count, temperature, seed, self.on_reply.clone())
    }
}

/// Loads `model` (and again after a worker restart, while the page is mounted) and sends the
/// replies to this page's requests to `on_reply` while the page is mounted (a reply arriving
/// after it left is dropped).
#[hook]
pub fn use_model(model: &'static str, on_reply: Callback<(RequestId, Reply)>) -> ModelLine {
    let inference = use_context::<Inference>().expect("App provides Inference");
    let app = use_context::<UseReducerHandle<AppState>>().expect("App provides AppState");
    let mounted = use_memo((), |_| Cell::new(true));
    {
        let (inference, mounted) = (inference.clone(), mounted.clone());
        use_effect_with((), move |_| {
            inference.0.want(model);
            move || {
                mounted.set(false);
                inference.0.unwant(model);
            }
        });
    }
    let on_reply = {
        let mounted = mounted.clone();
        Callback::from(move |reply| {
            if mounted.get() {
                on_reply.emit(reply)
            }
        })
    };
    ModelLine { inference, model, on_reply, ready: app.model_ready(model) }
}

/// Classifies the committed strokes whenever they change, and again when the model becomes
/// ready (first load, or after a worker restart).
#[hook]
pub fn use_classify_strokes(line: &ModelLine, strokes: Rc<Vec<Stroke>>) {
    let line = line.clone();
    use_effect_with((strokes, line.ready), move |(strokes, ready)| {
        if *ready && !strokes.is_empty() {
            line.classify_strokes(strokes.to_vec());
        }
    });
}

/// `value` once it has stayed the same for `ms`: what a screen reader should hear, rather
/// than each of the live guesses made while a stroke is drawn (25 in a 4-second drawing).
#[hook]
pub fn use_settled(value: String, ms: u32) -> String {
    let settled = use_state(String::new);
    {
        let settled = settled.clone();
        use_effect_with(value, move |value| {
            let value = value.clone();
            let timeout = gloo::timers::callback::Timeout::new(ms, move || settled.set(value));
            move || drop(timeout)
        });
    }
    (*settled).clone()
}

/// Sets the CSS `property` of the element at `node` to `value` through the CSSOM, whenever the
/// value changes: the page's Content-Security-Policy (style-src 'self') refuses style
/// attributes, not script that sets a style. Every computed style (a bar's width, a word's
/// tint, a split) goes through here.
#[hook]
pub fn use_css(node: &NodeRef, property: &'static str, value: String) {
    let node = node.clone();
    use_effect_with(value, move |value| {
        if let Some(el) = node.cast::<web_sys::HtmlElement>() {
            let _ = el.style().set_property(property, value);
        }
    });
}

/// Ctrl+Z (⌘Z on a Mac) calls `undo`, except while typing in a field.
#[hook]
pub fn use_undo_key(undo: Callback<()>) {
    let latest = use_mut_ref(|| undo.clone());
    *latest.borrow_mut() = undo;
    use_effect_with((), move |_| {
        // Not passive: the browser's own Ctrl+Z (in the page's history) is prevented.
        let options = gloo::events::EventListenerOptions::enable_prevent_default();
        let listener = gloo::events::EventListener::new_with_options(
            &gloo::utils::document(),
            "keydown",
            options,
            move |e| {
                let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                let typing = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
                if (e.ctrl_key() || e.meta_key())
                    && !e.shift_key()
                    && e.key().eq_ignore_ascii_case("z")
                    && !typing
                {
                    e.prevent_default();
                    latest.borrow().emit(());
                }
            },
        );
        move || drop(listener)
    });
}

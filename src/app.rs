use crate::components::status_bar::StatusBar;
use crate::inference::InferenceService;
use crate::pages::sketch::{SketchPage, MODEL};
use crate::state::{AppAction, AppState};
use playground_core::protocol::{Response, Sabotage};
use playground_core::registry;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The inference service, shared through a context. Equal when it is the same service.
#[derive(Clone)]
pub struct Inference(pub Rc<InferenceService>);

impl PartialEq for Inference {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[component]
pub fn App() -> Html {
    let state = use_reducer(AppState::default);
    let inference = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            Inference(InferenceService::new(Callback::from(move |a| dispatcher.dispatch(a))))
        })
    };
    {
        let inference = inference.clone();
        use_effect_with((), move |_| {
            inference.0.load(MODEL);
            install_debug_hook(&inference.0);
        });
    }
    let on_retry = {
        let inference = inference.clone();
        Callback::from(move |_| inference.0.load(MODEL))
    };
    let on_dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(AppAction::DismissNotice))
    };
    let title = registry::find(MODEL).map(|m| m.title).unwrap_or(MODEL);

    html! {
        <ContextProvider<Inference> context={(*inference).clone()}>
        <ContextProvider<UseReducerHandle<AppState>> context={state.clone()}>
            <header class="top">
                <h1>{ "Sketch it" }</h1>
                <p class="tagline">{ "Draw, and a neural network in your browser guesses what it is. Nothing leaves your device." }</p>
            </header>
            <StatusBar model_title={title} status={state.models.get(MODEL).cloned()} health={state.health.clone()}
                notice={state.notice.clone()} on_retry={on_retry} on_dismiss={on_dismiss} />
            <main>
                <SketchPage />
            </main>
            <footer>
                { "Model trained on Google's " }
                <a href="https://quickdraw.withgoogle.com/data">{ "Quick, Draw! dataset" }</a>
                { " (CC BY 4.0). Runs with tract in WebAssembly." }
            </footer>
        </ContextProvider<UseReducerHandle<AppState>>>
        </ContextProvider<Inference>>
    }
}

/// `window.playgroundDebug`, for the end-to-end tests and the benchmark command:
/// - `sabotage("panic" | "hang")` breaks the worker the way a bug would, to prove the page
///   survives (harmless: it only hurts this tab);
/// - `benchmark(model, strokes, runs)` resolves to `{infer_ms, classify_ms}` timed in the worker.
fn install_debug_hook(inference: &Rc<InferenceService>) {
    let weak = Rc::downgrade(inference);
    let sabotage = Closure::<dyn Fn(String)>::new(move |kind: String| {
        let kind = if kind == "hang" { Sabotage::Hang } else { Sabotage::Panic };
        if let Some(s) = weak.upgrade() {
            s.sabotage(kind);
        }
    });
    let hook = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&hook, &"sabotage".into(), sabotage.as_ref());
    sabotage.forget();
    let weak = Rc::downgrade(inference);
    let benchmark = Closure::<dyn Fn(String, JsValue, u32) -> js_sys::Promise>::new(
        move |model: String, strokes: JsValue, runs: u32| {
            let strokes: Vec<Vec<[f32; 2]>> = serde_wasm_bindgen::from_value(strokes).unwrap_or_default();
            let weak = weak.clone();
            js_sys::Promise::new(&mut |resolve, reject| {
                let Some(service) = weak.upgrade() else { return };
                let slot: Rc<std::cell::RefCell<Option<crate::inference::Subscription>>> = Default::default();
                let keep = slot.clone();
                *slot.borrow_mut() = Some(service.subscribe(Callback::from(move |r: Response| {
                    let settled = match r {
                        Response::Benchmark { infer_ms, classify_ms, .. } => {
                            let result = js_sys::Object::new();
                            let _ = js_sys::Reflect::set(&result, &"infer_ms".into(), &floats(&infer_ms));
                            let _ =
                                js_sys::Reflect::set(&result, &"classify_ms".into(), &floats(&classify_ms));
                            resolve.call1(&JsValue::NULL, &result).is_ok()
                        }
                        Response::Failed { seq: 0, message } => {
                            reject.call1(&JsValue::NULL, &message.into()).is_ok()
                        }
                        _ => false,
                    };
                    if settled {
                        keep.borrow_mut().take();
                    }
                })));
                service.benchmark(&model, strokes.clone(), runs);
            })
        },
    );
    let _ = js_sys::Reflect::set(&hook, &"benchmark".into(), benchmark.as_ref());
    benchmark.forget();
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &"playgroundDebug".into(), &hook);
    }
}

fn floats(values: &[f64]) -> js_sys::Array {
    values.iter().map(|&v| JsValue::from_f64(v)).collect()
}
